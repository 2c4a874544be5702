/**
 * Keyset paging of a sorted list of groups under signed tokens, shared by the engine (groups
 * from an index) and one-pass callers (groups from {@link accumulate}). A page is planned first,
 * which checks the caller's scope and the token before any work, then taken from the groups;
 * both steps are the one keyset pager of `Pager.ts`, which `ListImageScanFindings` uses too.
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { toSeverityCounts } from './Counts.js'
import { forbidden, type ScantallyError } from './Errors.js'
import { isSortTupleFor, positionAfter, type SortTuple, sortTuple, type Visibility } from './Evaluate.js'
import type { GroupKey } from './Finding.js'
import { planKeyset, takeKeyset } from './Pager.js'
import { compareKeys, type Group, type Query, type QueryResponse } from './Query.js'
import {
  aggregationMember,
  type ImageScanFindingAggregation,
  type ListImageScanFindingAggregationsResponse,
} from './Request.js'
import { CanonicalPart, type Fingerprint, type TokenConfig } from './Token.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Who is asking: an identity (part of every token's fingerprint) and, when restricted, the
 * accounts it may see.
 *
 * @example
 * ```ts
 * import { type Caller, emptyIndex, generateTokenKey, listImageScanFindingAggregations, makeEngine } from '@scantally/core'
 *
 * const teamA: Caller = { id: 'team-a', accounts: ['111122223333', '444455556666'] }
 * const engine = makeEngine(emptyIndex, { keys: [generateTokenKey()] })
 * const denied = listImageScanFindingAggregations(engine, teamA)({ filter: { name: 'accountId', values: ['777788889999'] } })
 * // Left(ForbiddenException): the filter names an account team-a may not see
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export interface Caller {
  readonly id: string
  readonly accounts?: ReadonlyArray<string>
}

/**
 * The caller of an unauthenticated, local setting: sees every account.
 *
 * @example
 * ```ts
 * import { emptyIndex, generateTokenKey, localCaller, makeEngine, queryAggregations } from '@scantally/core'
 *
 * const engine = makeEngine(emptyIndex, { keys: [generateTokenKey()] })
 * // The default caller: every account is visible (a CLI, a test, a trusted embedder).
 * const answer = queryAggregations(engine, localCaller)({ groupBy: 'accountId' })
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export const localCaller: Caller = { id: 'local' }

/**
 * The operations whose tokens are told apart.
 *
 * @category model
 */
export type Operation = 'ListImageScanFindingAggregations' | 'ListImageScanFindings' | 'Query'

/**
 * A checked page request: the query, what the caller sees, the page size, the token
 * fingerprint and the cursor to continue after (none on the first page).
 *
 * @category model
 */
export interface PagePlan {
  readonly query: Query
  readonly visible: Visibility
  readonly size: number
  readonly fingerprint: Fingerprint
  readonly after: SortTuple | undefined
}

/**
 * One page of groups and the token for the next one (absent on the last page).
 *
 * @category model
 */
export interface Page {
  readonly query: Query
  readonly items: ReadonlyArray<Group>
  readonly nextToken: string | undefined
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Plans a page: checks that the caller may see what the query names and, when the query
 * carries a token, that the token verifies for this query, page size and caller.
 *
 * @category constructors
 */
export const planPage = (
  tokens: TokenConfig,
  caller: Caller,
  operation: Operation,
  query: Query,
  defaultSize: number,
): E.Either<ScantallyError, PagePlan> =>
  pipe(
    visibilityOf(query, caller),
    Either.chainW((visible) =>
      pipe(
        planKeyset(tokens, {
          operation,
          caller,
          shape: shapeOf(query, visible),
          size: query.maxResults ?? defaultSize,
          nextToken: query.nextToken,
          cursor: (c) => (isSortTupleFor(query, c) ? c : undefined),
          subject: 'query',
        }),
        Either.map(({ size, fingerprint, after }) => ({ query, visible, size, fingerprint, after })),
      ),
    ),
  )

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Takes a planned page from the query's sorted groups: a binary search for the cursor, then a
 * slice. A token for the next page is signed only when groups remain.
 *
 * @category combinators
 */
export const takePage = (tokens: TokenConfig, plan: PagePlan, groups: ReadonlyArray<Group>): Page => {
  const page = takeKeyset(
    tokens,
    plan,
    (after: SortTuple | undefined, limit) => {
      const from = after === undefined ? 0 : positionAfter(plan.query, groups, after)
      return groups.slice(from, from + limit)
    },
    (last) => sortTuple(plan.query, last),
  )
  return { query: plan.query, ...page }
}

/**
 * A page as the AWS response: one entry per group, holding exactly the member named after the
 * grouping, with the AWS four counts.
 *
 * @category combinators
 */
export const toAwsResponse = (requestId: string, page: Page): ListImageScanFindingAggregationsResponse => {
  const groupBy = page.query.groupBy
  return {
    requestId,
    aggregationType: groupBy,
    responses: page.items.map(toAwsAggregation(groupBy)),
    ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
  }
}

/**
 * One group as the AWS response's entry: the member named after the grouping, with the AWS four
 * counts (what {@link toAwsResponse} maps each group to, for a caller that writes them one by one).
 *
 * @category combinators
 */
export const toAwsAggregation =
  (groupBy: GroupKey) =>
  (g: Group): ImageScanFindingAggregation =>
    ({
      [aggregationMember[groupBy]]: { [groupBy]: g.key, severityCounts: toSeverityCounts(g.counts) },
    }) as unknown as ImageScanFindingAggregation

/**
 * A page as the extended answer.
 *
 * @category combinators
 */
export const toQueryResponse = (requestId: string, page: Page): QueryResponse => ({
  requestId,
  groupBy: page.query.groupBy,
  groups: page.items,
  ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
})

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Everything that decides which groups exist and in what order: with the page size and the
 * caller, what a token's fingerprint covers. Criteria are sorted so their order is irrelevant.
 *
 * @category utils
 */
export const shapeOf = (query: Query, visible: Visibility) => ({
  groupBy: query.groupBy,
  filters: [...(query.filters ?? [])]
    .map((c) => [c.field, c.comparison, c.value] as const)
    .sort((a, b) => compareKeys(a.join('\u0000'), b.join('\u0000'))),
  sortBy: query.sortBy ?? 'KEY',
  sortOrder: query.sortOrder ?? 'ASC',
  accounts: visible === undefined ? null : (scopeParts.get(visible) ?? [...visible].sort(compareKeys)),
})

/**
 * The accounts a caller sees (`undefined`: all), or `ForbiddenException` when the query names an
 * account outside them. A frozen list of accounts (`Object.freeze`, as the server's credentials
 * are) is read once, its set and token part kept for the next requests; any other list is read
 * on every call, so a list changed in between is seen changed.
 *
 * @category utils
 */
export const visibilityOf = (query: Query, caller: Caller): E.Either<ScantallyError, Visibility> => {
  if (caller.accounts === undefined) return Either.right(undefined)
  const visible = scopeOf(caller.accounts)
  const denied = (query.filters ?? []).find(
    (c) => c.field === 'accountId' && c.comparison === 'EQUALS' && !visible.has(c.value),
  )
  return denied === undefined
    ? Either.right(visible)
    : Either.left(forbidden(`filter names account ${denied.value}, which this caller may not see`))
}

/**
 * A key for the visible accounts, the same for the same scope: for a scope made once (see
 * {@link visibilityOf}), `#` and the 128-bit SHA-256 digest of its sorted accounts (the binding
 * a token's fingerprint relies on), made once; else the accounts as JSON, in their order.
 *
 * @category utils
 */
export const scopeKey = (visible: ReadonlySet<string>): string => {
  const part = scopeParts.get(visible)
  return part === undefined ? JSON.stringify([...visible]) : `#${part.key}`
}

// A caller's scope is made once per frozen list of accounts (the server's credentials are
// frozen), as every request of that caller would make it again: the set accounts are looked up
// in, and the sorted accounts as a token part, their canonical JSON and digest made (for a
// caller of 200 accounts, most of a page's planning). A list that may change is read anew.
const scopes = new WeakMap<ReadonlyArray<string>, ReadonlySet<string>>()
const scopeParts = new WeakMap<ReadonlySet<string>, CanonicalPart>()

const scopeOf = (accounts: ReadonlyArray<string>): ReadonlySet<string> => {
  const kept = scopes.get(accounts)
  if (kept !== undefined) return kept
  const visible = new Set(accounts)
  if (Object.isFrozen(accounts)) {
    scopes.set(accounts, visible)
    scopeParts.set(visible, new CanonicalPart([...visible].sort(compareKeys)))
  }
  return visible
}
