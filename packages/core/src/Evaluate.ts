/**
 * Answers a query from an index: one pass over the index rows to filter and group, then a sort.
 * This is the unpaged answer; paging is in `Engine`.
 *
 * @module
 */
import {
  type CountField,
  type ExtendedCounts,
  type MutableCounts,
  type SeverityCountField,
  severityCountFields,
  zeroCounts,
} from './Counts.js'
import { groupKeys } from './Finding.js'
import { fixCodes, type Index } from './FindingIndex.js'
import { sortByKey } from './KeyOrder.js'
import { type Criterion, compareKeys, type Group, type Query, type SortField } from './Query.js'
import { severities } from './Severity.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What the caller may see: `undefined` means every account.
 *
 * @category model
 */
export type Visibility = ReadonlySet<string> | undefined

/**
 * The sort tuple of a group, key last: the keyset cursor of a page ending at that group.
 *
 * @category model
 */
export type SortTuple = readonly [string] | readonly [number, string]

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Whether one value passes the criteria on one field: at least one `EQUALS`/`PREFIX` (when
 * there are any) and every `NOT_EQUALS`. An absent value matches no positive criterion and
 * every `NOT_EQUALS`.
 *
 * @category combinators
 */
export const passes = (criteria: ReadonlyArray<Criterion>, value: string | undefined): boolean => {
  let positives = 0
  let matched = false
  for (const c of criteria) {
    if (c.comparison === 'NOT_EQUALS') {
      if (value === c.value) return false
    } else {
      positives++
      if (value !== undefined && (c.comparison === 'EQUALS' ? value === c.value : value.startsWith(c.value)))
        matched = true
    }
  }
  return positives === 0 || matched
}

/**
 * Every group of a query's answer, sorted, unpaged. Costs one pass over the index rows plus
 * O(D) per filtered dictionary and O(G log G) for the sort (see {@link sortedGroupsAt}).
 *
 * @category combinators
 */
export const evaluate = (index: Index, query: Query, visible: Visibility): ReadonlyArray<Group> => {
  const criteria = query.filters ?? []
  const on = (field: string) => criteria.filter((c) => c.field === field)

  // A mask per key column says, per dictionary id, whether rows with that value pass.
  const masks = groupKeys.map((k) => {
    const cs = on(k)
    const scoped = k === 'accountId' && visible !== undefined
    if (cs.length === 0 && !scoped) return undefined
    const dict = index.dictionaries[k]
    const mask = new Uint8Array(dict.length)
    mask[0] = passes(cs, undefined) && !scoped ? 1 : 0
    for (let id = 1; id < dict.length; id++) {
      const v = dict[id] as string
      mask[id] = passes(cs, v) && (!scoped || visible.has(v)) ? 1 : 0
    }
    return mask
  })
  const severityMask = severities.map((s) => passes(on('severity'), s))
  const fixMask = fixCodes.map((f) => passes(on('fixAvailable'), f))

  const groupColumn = index.columns[query.groupBy]
  const groupDict = index.dictionaries[query.groupBy]
  const acc: Array<MutableCounts | undefined> = []
  const columns = groupKeys.map((k) => index.columns[k])
  rows: for (let r = 0; r < index.rows; r++) {
    const g = groupColumn[r] as number
    if (g === 0) continue
    for (let k = 0; k < 4; k++) {
      const mask = masks[k]
      if (mask !== undefined && mask[(columns[k] as Int32Array)[r] as number] === 0) continue rows
    }
    const s = index.severity[r] as number
    if (!severityMask[s] || !fixMask[index.fix[r] as number]) continue
    let c = acc[g]
    if (c === undefined) {
      c = zeroCounts()
      acc[g] = c
    }
    const n = index.count[r] as number
    c.all += n
    c[severityCountFields[s] as SeverityCountField] += n
    if (index.fix[r] === 1) c.fixAvailable += n
    c.exploitAvailable += index.exploit[r] as number
  }

  // The groups are the dictionary's ids with counts: sorted as positions of the dictionary.
  const counted: Array<number> = []
  acc.forEach((counts, g) => {
    if (counts !== undefined && counts.all > 0) counted.push(g)
  })
  return sortedGroupsAt(query, counted, groupDict, (g) => acc[g] as MutableCounts)
}

/**
 * The order of a query's groups: by key, or by a count with ties broken by key ascending;
 * keys compare in UTF-16 code unit order.
 *
 * @category combinators
 */
export const comparator = (query: Query): ((a: Group, b: Group) => number) => {
  const dir = query.sortOrder === 'DESC' ? -1 : 1
  const field = countField(query)
  if (field === undefined) return (a, b) => dir * compareKeys(a.key, b.key)
  return (a, b) => dir * (a.counts[field] - b.counts[field]) || compareKeys(a.key, b.key)
}

/**
 * The groups of a map of counts by key, in the query's order (see {@link sortedGroupsAt}).
 *
 * @category combinators
 */
export const sortedGroups = (query: Query, counts: ReadonlyMap<string, ExtendedCounts>): Array<Group> => {
  const keys = [...counts.keys()]
  const values = [...counts.values()]
  return sortedGroupsAt(
    query,
    keys.map((_, p) => p),
    keys,
    (p) => values[p] as ExtendedCounts,
  )
}

/**
 * The groups of the keys at `positions` of `keys` (each key once), with the counts `countsOf`
 * gives for a position, in the query's order: for a caller that holds its groups by position,
 * so that no map of key to counts is made to sort them. A key order sorts the positions by
 * their keys directly (see `sortByKey`: UTF-16 code units, as `compareKeys`), several times
 * faster than a comparator over hundreds of thousands of groups; keys are distinct, so no tie is
 * left.
 *
 * @category combinators
 */
export const sortedGroupsAt = (
  query: Query,
  positions: Array<number>,
  keys: ReadonlyArray<string>,
  countsOf: (position: number) => ExtendedCounts,
): Array<Group> => {
  const field = countField(query)
  if (field === undefined) {
    sortByKey(positions, keys)
    if (query.sortOrder === 'DESC') positions.reverse()
  }
  const groups = positions.map((p): Group => ({ key: keys[p] as string, counts: countsOf(p) }))
  return field === undefined ? groups : groups.sort(comparator(query))
}

/**
 * The sort tuple of a group under a query.
 *
 * @category combinators
 */
export const sortTuple = (query: Query, g: Group): SortTuple => {
  const field = countField(query)
  return field === undefined ? [g.key] : [g.counts[field], g.key]
}

/**
 * Position of the first group strictly after a cursor, by binary search: O(log G).
 *
 * @category combinators
 */
export const positionAfter = (query: Query, groups: ReadonlyArray<Group>, cursor: SortTuple): number => {
  const dir = query.sortOrder === 'DESC' ? -1 : 1
  const field = countField(query)
  const after = (g: Group): boolean => {
    if (field === undefined || cursor.length === 1) return dir * compareKeys(g.key, cursor[0] as string) > 0
    const byCount = dir * (g.counts[field] - cursor[0])
    return byCount > 0 || (byCount === 0 && compareKeys(g.key, cursor[1]) > 0)
  }
  let lo = 0
  let hi = groups.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (after(groups[mid] as Group)) hi = mid
    else lo = mid + 1
  }
  return lo
}

/**
 * Whether a decoded cursor has the shape a query's sort produces.
 *
 * @category utils
 */
export const isSortTupleFor = (query: Query, c: ReadonlyArray<string | number>): c is SortTuple =>
  countField(query) === undefined
    ? c.length === 1 && typeof c[0] === 'string'
    : c.length === 2 && typeof c[0] === 'number' && typeof c[1] === 'string'

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

// A count sort names its count in upper case (`satisfies` keeps every such name a count).
const countField = (query: Query): Lowercase<Exclude<SortField, 'KEY'>> | undefined =>
  query.sortBy === undefined || query.sortBy === 'KEY'
    ? undefined
    : (query.sortBy.toLowerCase() as Lowercase<Exclude<SortField, 'KEY'>> satisfies CountField)
