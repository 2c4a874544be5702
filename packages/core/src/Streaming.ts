/**
 * One-pass aggregation for a caller that knows its query before reading (the CLI): findings
 * stream through and only the query's groups are held, never an index of every combination.
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import { addFinding, type MutableCounts, zeroCounts } from './Counts.js'
import type { ScantallyError } from './Errors.js'
import { forbidden } from './Errors.js'
import { comparator, passes } from './Evaluate.js'
import { type Finding, type GroupKey, keyOf } from './Finding.js'
import type { Caller } from './Paging.js'
import type { Group, Query } from './Query.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A running aggregation for one query.
 *
 * @category model
 */
export interface GroupAccumulator {
  /** Counts a finding (once per `findingArn`, unless `dedupe` is off); returns false for a duplicate. */
  readonly add: (f: Finding) => boolean
  /** Findings counted so far. */
  readonly counted: () => number
  /** Every group so far, sorted as the query asks. */
  readonly result: () => ReadonlyArray<Group>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Options of a one-pass aggregation. `dedupe` (default `true`) counts each `findingArn` once,
 * which keeps every ARN seen; a caller whose source already de-duplicates (the export readers
 * do) turns it off, so memory stays with the number of groups.
 *
 * @category model
 */
export interface AccumulateOptions {
  readonly dedupe?: boolean
}

/**
 * Starts a one-pass aggregation for a validated query and a caller. Gives the same groups as
 * building an index and evaluating the query on it.
 *
 * @category constructors
 */
export const accumulate = (
  query: Query,
  caller?: Caller,
  options: AccumulateOptions = {},
): E.Either<ScantallyError, GroupAccumulator> => {
  const dedupe = options.dedupe !== false
  const visible = caller?.accounts === undefined ? undefined : new Set(caller.accounts)
  const criteria = query.filters ?? []
  const denied = criteria.find(
    (c) => c.field === 'accountId' && c.comparison === 'EQUALS' && visible && !visible.has(c.value),
  )
  if (denied)
    return Either.left(forbidden(`filter names account ${denied.value}, which this caller may not see`))
  const byField = new Map<string, typeof criteria>()
  for (const c of criteria) byField.set(c.field, [...(byField.get(c.field) ?? []), c])
  const tests = [...byField.entries()].map(([field, cs]) => {
    const value =
      field === 'severity'
        ? (f: Finding) => f.severity
        : field === 'fixAvailable'
          ? (f: Finding) => f.fixAvailable
          : keyOf(field as GroupKey)
    return (f: Finding) => passes(cs, value(f))
  })
  const groupOf = keyOf(query.groupBy)
  const groups = new Map<string, MutableCounts>()
  const seen = new Set<string>()
  let counted = 0
  return Either.right({
    add: (f) => {
      if (dedupe && f.findingArn !== undefined) {
        if (seen.has(f.findingArn)) return false
        seen.add(f.findingArn)
      }
      counted++
      if (visible !== undefined && !visible.has(f.awsAccountId)) return true
      const key = groupOf(f)
      if (key === undefined) return true
      for (const test of tests) if (!test(f)) return true
      let c = groups.get(key)
      if (c === undefined) {
        c = zeroCounts()
        groups.set(key, c)
      }
      addFinding(c, f.severity, f.fixAvailable === 'YES', f.exploitAvailable === 'YES', 1)
      return true
    },
    counted: () => counted,
    result: () =>
      [...groups.entries()].map(([key, counts]) => ({ key, counts: { ...counts } })).sort(comparator(query)),
  })
}
