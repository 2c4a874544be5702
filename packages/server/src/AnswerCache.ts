/**
 * The answer cache of the standard aggregations. A ListImageScanFindingAggregations request
 * groups by its filter's name and keeps the groups its values name (every group without a
 * filter), so for one caller scope its answer is a selection from one roll-up: the unfiltered
 * grouping by that name. The index never changes while serving, so each roll-up (grouping,
 * scope) is computed once, by one pass over the index, and kept; a request is then answered by
 * looking its values up and slicing its page. The cache is bounded by an estimate of its bytes,
 * least recently used first out; a roll-up larger than the bound is used for its request and
 * not kept. Pages, tokens and request ids are core's, so every answer is the one core's
 * `answerAggregationsRequest` gives.
 *
 * @module
 */
import type {
  Caller,
  Engine,
  Index,
  ListImageScanFindingAggregationsRequest,
  ListImageScanFindingAggregationsResponse,
  ScantallyError,
} from '@scantally/core'
import {
  compareKeys,
  evaluate,
  fromAwsRequest,
  type Group,
  planPage,
  type Query,
  scopeKey,
  takePage,
  toAwsResponse,
  type Visibility,
} from '@scantally/core/internal'
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What the cache holds and has done: roll-ups kept, their estimated bytes (never above
 * `maxBytes`), and how many requests found their roll-up (`hits`), computed it (`misses`), or
 * computed one too large to keep (`tooLarge`, counted among the misses).
 *
 * @category model
 */
export interface AnswerCacheStats {
  readonly entries: number
  readonly bytes: number
  readonly maxBytes: number
  readonly hits: number
  readonly misses: number
  readonly tooLarge: number
}

/**
 * A cache of roll-ups over one index. `groups` gives a query's sorted groups for a caller's
 * visibility: from a roll-up for a standard query (grouped by the key its `EQUALS` filters
 * name, by key ascending, as `fromAwsRequest` makes them), by a pass over the index for any
 * other. A cache serves one index; given another, it starts afresh.
 *
 * @category model
 */
export interface AnswerCache {
  readonly groups: (index: Index, query: Query, visible: Visibility) => ReadonlyArray<Group>
  readonly stats: () => AnswerCacheStats
}

/**
 * The default bound of {@link makeAnswerCache}: 128 MiB of estimated roll-ups, room for a
 * grouping of 400,000 keys.
 *
 * @category model
 */
export const defaultAnswerCacheBytes = 128 * 2 ** 20

/**
 * The estimated bytes of one group in a roll-up: the group and its nine counts (about 145 bytes
 * on V8) and its entry in the key lookup (about 110), rounded up. Keys are the index's own
 * strings, so they are not counted.
 *
 * @category model
 */
export const bytesPerGroup = 320

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A cache of at most `maxBytes` estimated bytes of roll-ups (`0` keeps none, so every request
 * costs a pass over the index, as without a cache). Throws a RangeError for a bound that is
 * negative or not a number.
 *
 * @category constructors
 */
export const makeAnswerCache = (maxBytes: number = defaultAnswerCacheBytes): AnswerCache => {
  if (!(maxBytes >= 0))
    throw new RangeError(`answer cache: the bound must be 0 or more bytes, got ${maxBytes}`)
  // Map order is use order: a hit moves its entry to the end, eviction takes from the start.
  const kept = new Map<string, Rollup>()
  let served: Index | undefined
  let bytes = 0
  let hits = 0
  let misses = 0
  let tooLarge = 0

  const rollup = (index: Index, query: Query, visible: Visibility): Rollup => {
    if (index !== served) {
      kept.clear()
      bytes = 0
      served = index
    }
    const key = rollupKey(query, visible)
    const hit = kept.get(key)
    if (hit !== undefined) {
      hits++
      kept.delete(key)
      kept.set(key, hit)
      return hit
    }
    misses++
    const groups = evaluate(index, { groupBy: query.groupBy, sortBy: 'KEY', sortOrder: 'ASC' }, visible)
    const made: Rollup = { groups, byKey: new Map(groups.map((g) => [g.key, g])), bytes: sizeOf(groups) }
    if (made.bytes > maxBytes) {
      tooLarge++
      return made
    }
    kept.set(key, made)
    bytes += made.bytes
    for (const [oldest, entry] of kept) {
      if (bytes <= maxBytes) break
      kept.delete(oldest)
      bytes -= entry.bytes
    }
    return made
  }

  return {
    groups: (index, query, visible) => {
      if (!isStandard(query)) return evaluate(index, query, visible)
      const { groups, byKey } = rollup(index, query, visible)
      const criteria = query.filters ?? []
      if (criteria.length === 0) return groups
      // The values in key order, once each, as the roll-up (and a pass over the index) has them.
      const values = [...new Set(criteria.map((c) => c.value))].sort(compareKeys)
      return values.flatMap((v) => byKey.get(v) ?? [])
    },
    stats: () => ({ entries: kept.size, bytes, maxBytes, hits, misses, tooLarge }),
  }
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Answers a decoded ListImageScanFindingAggregations request as core's
 * `answerAggregationsRequest` does (the same validation, scope, tokens, page and request id),
 * with the groups from the cache.
 *
 * @category combinators
 */
export const answerFromCache =
  (cache: AnswerCache) =>
  (engine: Engine, caller: Caller) =>
  (
    request: ListImageScanFindingAggregationsRequest,
  ): E.Either<ScantallyError, ListImageScanFindingAggregationsResponse> =>
    pipe(
      planPage(
        engine.tokens,
        caller,
        'ListImageScanFindingAggregations',
        fromAwsRequest(request, engine.pageSize),
        engine.pageSize,
      ),
      Either.map((plan) =>
        toAwsResponse(
          engine.requestId(),
          takePage(engine.tokens, plan, cache.groups(engine.index, plan.query, plan.visible)),
        ),
      ),
    )

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

// One grouping for one scope: its groups by key, and a lookup by key.
interface Rollup {
  readonly groups: ReadonlyArray<Group>
  readonly byKey: ReadonlyMap<string, Group>
  readonly bytes: number
}

// A fixed allowance per roll-up (the map and arrays themselves) besides its groups.
const sizeOf = (groups: ReadonlyArray<Group>): number => 1024 + groups.length * bytesPerGroup

// Grouping and the exact set of visible accounts: callers share a roll-up only when they see the
// same accounts, so no caller is ever answered from another scope's groups. A scope made once
// (a server's credentials) is keyed by its digest, made once: its hundreds of accounts, hashed
// and compared as a key on every request, cost more than the rest of a cached answer. Any other
// is keyed by its accounts, not sorted (for the same reason): the same accounts listed in
// another order only make a second entry.
const rollupKey = (query: Query, visible: Visibility): string =>
  `${query.groupBy} ${visible === undefined ? '*' : scopeKey(visible)}`

// The queries a ListImageScanFindingAggregations request becomes: key order, and filters (if
// any) that name values of the grouped key.
const isStandard = (query: Query): boolean =>
  (query.sortBy ?? 'KEY') === 'KEY' &&
  (query.sortOrder ?? 'ASC') === 'ASC' &&
  (query.filters ?? []).every((c) => c.field === query.groupBy && c.comparison === 'EQUALS')
