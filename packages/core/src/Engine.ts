/**
 * The engine: answers ListImageScanFindingAggregations requests and extended queries from an
 * index, with keyset pagination under signed tokens. The first page of a query costs one pass
 * over the index; the sorted groups are then cached per query, so each later page costs
 * O(log G + page size).
 *
 * @module
 */
import { randomUUID } from 'node:crypto'
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { ReadonlyNonEmptyArray } from 'fp-ts/lib/ReadonlyNonEmptyArray.js'
import { toSeverityCounts } from './Counts.js'
import { type ScantallyError, forbidden, invalidPaginationToken, invalidRequest } from './Errors.js'
import { type SortTuple, type Visibility, evaluate, isSortTupleFor, positionAfter, sortTuple } from './Evaluate.js'
import type { Index } from './FindingIndex.js'
import { type Group, type Query, type QueryResponse, compareKeys, decodeQuery, fromAwsRequest } from './Query.js'
import {
  type ImageScanFindingAggregation,
  type ListImageScanFindingAggregationsResponse,
  aggregationMember,
  decodeAggregationsRequest,
} from './Request.js'
import { type TokenConfig, type TokenKey, defaultTokenTtlSeconds, fingerprintOf, signToken, verifyToken } from './Token.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Who is asking: an identity (part of every token's fingerprint) and, when restricted, the
 * accounts it may see.
 *
 * @category model
 */
export interface Caller {
  readonly id: string
  readonly accounts?: ReadonlyArray<string>
}

/**
 * Engine configuration. Keys are newest first; the clock and the request-id generator are
 * injectable so tests are deterministic.
 *
 * @category model
 */
export interface EngineOptions {
  readonly keys: ReadonlyNonEmptyArray<TokenKey>
  /** Groups per page of an AWS request, and the default `maxResults` of a query (default 100). */
  readonly pageSize?: number
  /** Token lifetime in seconds (default 24 h). */
  readonly tokenTtlSeconds?: number
  /** Milliseconds since the epoch (default `Date.now`). */
  readonly now?: () => number
  /** Request ids (default random UUIDs). */
  readonly requestId?: () => string
  /** How many sorted query answers to keep for later pages (default 64). */
  readonly cacheSize?: number
}

/**
 * An engine over one index.
 *
 * @category model
 */
export interface Engine {
  readonly _tag: 'Engine'
  readonly index: Index
  readonly pageSize: number
  readonly tokens: TokenConfig
  readonly requestId: () => string
  readonly cache: Map<string, ReadonlyArray<Group>>
  readonly cacheSize: number
}

/**
 * The caller of an unauthenticated, local setting: sees every account.
 *
 * @category model
 */
export const localCaller: Caller = { id: 'local' }

/**
 * The AWS default page size for this action's answers.
 *
 * @category model
 */
export const defaultPageSize = 100

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * An engine over an index.
 *
 * @category constructors
 */
export const makeEngine = (index: Index, options: EngineOptions): Engine => ({
  _tag: 'Engine',
  index,
  pageSize: Math.min(1000, Math.max(1, Math.floor(options.pageSize ?? defaultPageSize))),
  tokens: {
    keys: options.keys,
    ttlSeconds: options.tokenTtlSeconds ?? defaultTokenTtlSeconds,
    now: options.now ?? Date.now,
  },
  requestId: options.requestId ?? randomUUID,
  cache: new Map(),
  cacheSize: Math.max(1, options.cacheSize ?? 64),
})

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Answers a ListImageScanFindingAggregations request (an untrusted, parsed JSON body) exactly as
 * the AWS API does: validated against the model, grouped by the filter's name (by account
 * without one), one entry per requested value that has findings, ordered by key, paged.
 *
 * @category combinators
 */
export const listImageScanFindingAggregations =
  (engine: Engine, caller: Caller = localCaller) =>
  (input: unknown): E.Either<ScantallyError, ListImageScanFindingAggregationsResponse> =>
    pipe(
      decodeAggregationsRequest(input),
      Either.map((request) => fromAwsRequest(request, engine.pageSize)),
      Either.chainW((query) => page(engine, caller, 'ListImageScanFindingAggregations', query)),
      Either.map(({ groups, nextToken }) => {
        const member = aggregationMember[groupByOf(groups.query)]
        return {
          requestId: engine.requestId(),
          aggregationType: groupByOf(groups.query),
          responses: groups.items.map(
            (g) =>
              ({
                [member]: { [groupByOf(groups.query)]: g.key, severityCounts: toSeverityCounts(g.counts) },
              }) as unknown as ImageScanFindingAggregation,
          ),
          ...(nextToken === undefined ? {} : { nextToken }),
        }
      }),
    )

/**
 * Answers an extended query (an untrusted, parsed JSON body).
 *
 * @category combinators
 */
export const queryAggregations =
  (engine: Engine, caller: Caller = localCaller) =>
  (input: unknown): E.Either<ScantallyError, QueryResponse> =>
    pipe(
      decodeQuery(input),
      Either.chainW((query) => page(engine, caller, 'Query', query)),
      Either.map(({ groups, nextToken }) => ({
        requestId: engine.requestId(),
        groupBy: groups.query.groupBy,
        groups: groups.items,
        ...(nextToken === undefined ? {} : { nextToken }),
      })),
    )

/**
 * Every group of a query for a caller, sorted, unpaged (what paging through all pages yields).
 *
 * @category combinators
 */
export const allGroups = (
  engine: Engine,
  query: Query,
  caller: Caller = localCaller,
): E.Either<ScantallyError, ReadonlyArray<Group>> =>
  pipe(
    checkVisibility(query, caller),
    Either.map((visible) => sortedGroups(engine, query, visible)),
  )

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const groupByOf = (q: Query) => q.groupBy

interface Page {
  readonly groups: { readonly query: Query; readonly items: ReadonlyArray<Group> }
  readonly nextToken: string | undefined
}

const page = (engine: Engine, caller: Caller, operation: string, query: Query): E.Either<ScantallyError, Page> =>
  pipe(
    checkVisibility(query, caller),
    Either.chainW((visible) => {
      const size = query.maxResults ?? engine.pageSize
      const fingerprint = fingerprintOf({ ...shapeOf(query, visible), operation, size, caller: caller.id })
      // The token is checked before any work, so a forged one costs no pass over the index.
      const cursor: E.Either<ScantallyError, SortTuple | undefined> =
        query.nextToken === undefined
          ? Either.right(undefined)
          : pipe(
              verifyToken(engine.tokens, query.nextToken, fingerprint),
              Either.chainW((c) =>
                isSortTupleFor(query, c)
                  ? Either.right(c)
                  : Either.left(invalidPaginationToken('nextToken is malformed: its cursor does not fit this query')),
              ),
            )
      return pipe(
        cursor,
        Either.map((after) => {
          const groups = sortedGroups(engine, query, visible)
          const from = after === undefined ? 0 : positionAfter(query, groups, after)
          const items = groups.slice(from, from + size)
          const last = items[items.length - 1]
          const more = from + size < groups.length && last !== undefined
          return {
            groups: { query, items },
            nextToken: more ? signToken(engine.tokens, fingerprint, sortTuple(query, last)) : undefined,
          }
        }),
      )
    }),
  )

// Everything that decides which groups exist and in what order: the cache key and, with the
// page size and caller, the token fingerprint. Criteria are sorted so their order is irrelevant.
const shapeOf = (query: Query, visible: Visibility) => ({
  groupBy: query.groupBy,
  filters: [...(query.filters ?? [])]
    .map((c) => [c.field, c.comparison, c.value] as const)
    .sort((a, b) => compareKeys(a.join('\u0000'), b.join('\u0000'))),
  sortBy: query.sortBy ?? 'KEY',
  sortOrder: query.sortOrder ?? 'ASC',
  accounts: visible === undefined ? null : [...visible].sort(compareKeys),
})

const sortedGroups = (engine: Engine, query: Query, visible: Visibility): ReadonlyArray<Group> => {
  const key = fingerprintOf(shapeOf(query, visible))
  const hit = engine.cache.get(key)
  if (hit !== undefined) {
    engine.cache.delete(key)
    engine.cache.set(key, hit)
    return hit
  }
  const groups = evaluate(engine.index, query, visible)
  engine.cache.set(key, groups)
  if (engine.cache.size > engine.cacheSize) {
    const oldest = engine.cache.keys().next()
    if (oldest.done !== true) engine.cache.delete(oldest.value)
  }
  return groups
}

// A caller restricted to some accounts may not name another one in an accountId filter.
const checkVisibility = (query: Query, caller: Caller): E.Either<ScantallyError, Visibility> => {
  if (caller.accounts === undefined) return Either.right(undefined)
  const visible = new Set(caller.accounts)
  const denied = (query.filters ?? []).find(
    (c) => c.field === 'accountId' && c.comparison === 'EQUALS' && !visible.has(c.value),
  )
  return denied === undefined
    ? Either.right(visible)
    : Either.left(forbidden(`filter names account ${denied.value}, which this caller may not see`))
}

/**
 * Validates a configured page size.
 *
 * @category utils
 */
export const checkPageSize = (n: number): E.Either<ScantallyError, number> =>
  Number.isInteger(n) && n >= 1 && n <= 1000
    ? Either.right(n)
    : Either.left(invalidRequest(`page size must be an integer from 1 to 1000, got ${n}`))
