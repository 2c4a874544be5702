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
import type { ScantallyError } from './Errors.js'
import { evaluate, positionAfter, type Visibility } from './Evaluate.js'
import type { Index } from './FindingIndex.js'
import {
  type Caller,
  localCaller,
  type Operation,
  type Page,
  type PagePlan,
  planPage,
  shapeOf,
  takePage,
  toAwsResponse,
  toQueryResponse,
  visibilityOf,
} from './Paging.js'
import { decodeQuery, fromAwsRequest, type Group, type Query, type QueryResponse } from './Query.js'
import {
  decodeAggregationsRequest,
  type ListImageScanFindingAggregationsRequest,
  type ListImageScanFindingAggregationsResponse,
} from './Request.js'
import { defaultTokenTtlSeconds, fingerprintOf, type TokenConfig, type TokenKey } from './Token.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Which pages an answer holds: `one`, the page the request asks for (with the token for the
 * next); or `all`, every page from there on merged into one answer with no `nextToken`, as the
 * AWS CLI prints when it follows every token.
 *
 * @example
 * ```ts
 * import { emptyIndex, generateTokenKey, makeEngine, type Pages, queryAggregations } from '@scantally/core'
 *
 * const engine = makeEngine(emptyIndex, { keys: [generateTokenKey()] })
 * const pages: Pages = 'all' // every page from the requested one on, with no nextToken
 * const everything = queryAggregations(engine, undefined, pages)({ groupBy: 'accountId' })
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export type Pages = 'one' | 'all'

/**
 * Engine configuration. Keys are newest first; the clock and the request-id generator are
 * injectable so tests are deterministic.
 *
 * @example
 * ```ts
 * import { type EngineOptions, emptyIndex, generateTokenKey, makeEngine } from '@scantally/core'
 *
 * // Deterministic options, as in a test: a fixed clock and request ids.
 * const options: EngineOptions = {
 *   keys: [generateTokenKey()],
 *   pageSize: 25,
 *   tokenTtlSeconds: 3600,
 *   now: () => Date.parse('2026-01-01T00:00:00Z'),
 *   requestId: () => 'req-1',
 * }
 * const engine = makeEngine(emptyIndex, options)
 * ```
 *
 * @category model
 * @since 0.1.0
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
 * @example
 * ```ts
 * import { type Engine, emptyIndex, generateTokenKey, makeEngine, queryAggregations } from '@scantally/core'
 *
 * const answer = (engine: Engine, body: unknown) => queryAggregations(engine)(body)
 * const engine: Engine = makeEngine(emptyIndex, { keys: [generateTokenKey()] })
 * console.log(answer(engine, { groupBy: 'imagePipelineArn' }))
 * ```
 *
 * @category model
 * @since 0.1.0
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
 * The AWS default page size for this action's answers.
 *
 * @example
 * ```ts
 * import { defaultPageSize, emptyIndex, generateTokenKey, makeEngine } from '@scantally/core'
 *
 * const engine = makeEngine(emptyIndex, { keys: [generateTokenKey()] })
 * console.log(engine.pageSize === defaultPageSize) // true: 100 groups per page
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export const defaultPageSize = 100

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * An engine over an index.
 *
 * @example
 * ```ts
 * import { buildIndex, Finding, generateTokenKey, listImageScanFindingAggregations, makeEngine } from '@scantally/core'
 *
 * const index = buildIndex([{ awsAccountId: '111122223333', severity: 'HIGH' }].filter(Finding.is))
 * if (index._tag === 'Left') throw new Error(index.left.message)
 * const engine = makeEngine(index.right, { keys: [generateTokenKey()], pageSize: 100 })
 * console.log(listImageScanFindingAggregations(engine)({}))
 * // Right({ aggregationType: 'accountId', responses: [{ accountAggregation: { accountId: '111122223333', ... } }] })
 * ```
 *
 * @category constructors
 * @since 0.1.0
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

/**
 * The same engine with other token keys (newest first): it shares the index and the cache of
 * sorted answers, so a server can rotate keys while serving without rebuilding anything. Tokens
 * signed by a key that is still in the list keep verifying; new tokens are signed with the first.
 *
 * @example
 * ```ts
 * import { emptyIndex, generateTokenKey, makeEngine, withTokenKeys } from '@scantally/core'
 *
 * const old = generateTokenKey()
 * const engine = makeEngine(emptyIndex, { keys: [old] })
 * // Rotate: new tokens are signed with `fresh`; tokens signed with `old` still verify.
 * const fresh = generateTokenKey()
 * const rotated = withTokenKeys(engine, [fresh, old])
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const withTokenKeys = (engine: Engine, keys: ReadonlyNonEmptyArray<TokenKey>): Engine => ({
  ...engine,
  tokens: { ...engine.tokens, keys },
})

/**
 * The ids of the keys an engine's tokens verify against, newest (the signing key) first: what
 * a server checks for a repeated id without reaching into the engine's token configuration.
 *
 * @category utils
 */
export const tokenKeyIds = (engine: Engine): ReadonlyArray<string> => engine.tokens.keys.map((k) => k.id)

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Answers a ListImageScanFindingAggregations request (an untrusted, parsed JSON body) exactly as
 * the AWS API does: validated against the model, grouped by the filter's name (by account
 * without one), one entry per requested value that has findings, ordered by key, paged. With
 * `pages: 'all'` the answer is every page from the requested one on, merged (see {@link Pages}).
 *
 * @example
 * ```ts
 * import { emptyIndex, generateTokenKey, listImageScanFindingAggregations, makeEngine } from '@scantally/core'
 *
 * const engine = makeEngine(emptyIndex, { keys: [generateTokenKey()] })
 * const list = listImageScanFindingAggregations(engine, { id: 'team-a', accounts: ['111122223333'] })
 * const first = list({ filter: { name: 'imagePipelineArn', values: ['arn:aws:imagebuilder:us-east-1:111122223333:image-pipeline/web'] } })
 * if (first._tag === 'Right' && first.right.nextToken !== undefined)
 *   console.log(list({ nextToken: first.right.nextToken }))
 * // Every page at once, as the AWS CLI prints it: listImageScanFindingAggregations(engine, caller, 'all')
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const listImageScanFindingAggregations =
  (engine: Engine, caller: Caller = localCaller, pages: Pages = 'one') =>
  (input: unknown): E.Either<ScantallyError, ListImageScanFindingAggregationsResponse> =>
    pipe(decodeAggregationsRequest(input), Either.chainW(answerAggregationsRequest(engine, caller, pages)))

/**
 * Answers a ListImageScanFindingAggregations request that is already decoded (the server's
 * operation table decodes bodies itself); {@link listImageScanFindingAggregations} is this
 * after `decodeAggregationsRequest`.
 *
 * @category combinators
 */
export const answerAggregationsRequest =
  (engine: Engine, caller: Caller = localCaller, pages: Pages = 'one') =>
  (
    request: ListImageScanFindingAggregationsRequest,
  ): E.Either<ScantallyError, ListImageScanFindingAggregationsResponse> =>
    pipe(
      page(
        engine,
        caller,
        'ListImageScanFindingAggregations',
        fromAwsRequest(request, engine.pageSize),
        pages,
      ),
      Either.map((p) => toAwsResponse(engine.requestId(), p)),
    )

/**
 * Answers an extended query (an untrusted, parsed JSON body), one page or, with
 * `pages: 'all'`, every page from the requested one on, merged.
 *
 * @example
 * ```ts
 * import { emptyIndex, generateTokenKey, makeEngine, queryAggregations } from '@scantally/core'
 *
 * const engine = makeEngine(emptyIndex, { keys: [generateTokenKey()] })
 * const top = queryAggregations(engine)({
 *   groupBy: 'vulnerabilityId',
 *   filters: [{ field: 'fixAvailable', comparison: 'EQUALS', value: 'YES' }],
 *   sortBy: 'CRITICAL',
 *   sortOrder: 'DESC',
 *   maxResults: 10,
 * })
 * // Right({ requestId, groupBy: 'vulnerabilityId', groups: [...], nextToken? })
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const queryAggregations =
  (engine: Engine, caller: Caller = localCaller, pages: Pages = 'one') =>
  (input: unknown): E.Either<ScantallyError, QueryResponse> =>
    pipe(
      decodeQuery(input),
      Either.chainW((query) => page(engine, caller, 'Query', query, pages)),
      Either.map((p) => toQueryResponse(engine.requestId(), p)),
    )

/**
 * Takes a planned answer from a query's sorted groups (from an index, or from a one-pass
 * aggregation): the planned page, or every page from it on as one page without a `nextToken`.
 * Following each `nextToken` from the plan gives exactly the groups of the merged answer.
 *
 * @category combinators
 */
export const takePages = (
  tokens: TokenConfig,
  plan: PagePlan,
  groups: ReadonlyArray<Group>,
  pages: Pages,
): Page => {
  if (pages === 'one') return takePage(tokens, plan, groups)
  const from = plan.after === undefined ? 0 : positionAfter(plan.query, groups, plan.after)
  return { query: plan.query, items: from === 0 ? groups : groups.slice(from), nextToken: undefined }
}

/**
 * Every group of a query for a caller, sorted, unpaged (what paging through all pages yields).
 *
 * @example
 * ```ts
 * import { allGroups, buildIndex, decodeQuery, Finding, generateTokenKey, makeEngine } from '@scantally/core'
 *
 * const index = buildIndex([{ awsAccountId: '111122223333', severity: 'CRITICAL' }].filter(Finding.is))
 * const query = decodeQuery({ groupBy: 'accountId', sortBy: 'CRITICAL', sortOrder: 'DESC' })
 * if (index._tag === 'Right' && query._tag === 'Right') {
 *   const engine = makeEngine(index.right, { keys: [generateTokenKey()] })
 *   const groups = allGroups(engine, query.right)
 *   // Right([{ key: '111122223333', counts: { all: 1, critical: 1, ... } }])
 * }
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const allGroups = (
  engine: Engine,
  query: Query,
  caller: Caller = localCaller,
): E.Either<ScantallyError, ReadonlyArray<Group>> =>
  pipe(
    visibilityOf(query, caller),
    Either.map((visible) => sortedGroups(engine, query, visible)),
  )

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

// The token is checked before any work, so a forged one costs no pass over the index.
const page = (
  engine: Engine,
  caller: Caller,
  operation: Operation,
  query: Query,
  pages: Pages,
): E.Either<ScantallyError, Page> =>
  pipe(
    planPage(engine.tokens, caller, operation, query, engine.pageSize),
    Either.map((plan) => takePages(engine.tokens, plan, sortedGroups(engine, query, plan.visible), pages)),
  )

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
