/**
 * One-pass aggregation for a caller that knows its query before reading (the CLI): findings
 * stream through and only the query's groups are held, never an index of every combination.
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { countOf } from './CombinationRow.js'
import { addCounts, addFinding, type MutableCounts, zeroCounts } from './Counts.js'
import { CountTable } from './CountTable.js'
import type { ScantallyError } from './Errors.js'
import { passes, sortedGroups, sortedGroupsAt, type Visibility } from './Evaluate.js'
import { type Finding, type GroupKey, groupKeys, keyOf } from './Finding.js'
import { type FindingIds, fixCodes } from './FindingIndex.js'
import { type FindingSource, foldSource } from './FindingSource.js'
import type { IngestReport } from './IngestReport.js'
import { type Caller, localCaller, visibilityOf } from './Paging.js'
import type { Group, Query } from './Query.js'
import { severities } from './Severity.js'
import { StringIds } from './StringIds.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A running aggregation for one query.
 *
 * @example
 * ```ts
 * import { accumulate, type Finding, type GroupAccumulator } from '@scantally/core'
 *
 * const addAll = (acc: GroupAccumulator, findings: Iterable<Finding>): number => {
 *   let duplicates = 0
 *   for (const f of findings) if (!acc.add(f)) duplicates++
 *   return duplicates
 * }
 * const started = accumulate({ groupBy: 'accountId' }, undefined, { dedupe: true })
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export interface GroupAccumulator {
  /** Counts a finding (once per `findingArn`, unless `dedupe` is off); returns false for a duplicate. */
  readonly add: (f: Finding) => boolean
  /**
   * The id of `value` in key column `key`'s dictionary (never 0), added when new: a reader that
   * hands findings over as ids (see {@link GroupAccumulator.addIds}) asks once per string, not
   * once per finding.
   */
  readonly intern: (key: GroupKey, value: string) => number
  /**
   * Counts one finding, already de-duplicated, given as ids of {@link GroupAccumulator.intern}
   * (0: absent), an index into `severities`, a code of `fixCodes` and whether it has a known
   * exploit: as {@link GroupAccumulator.add} would count it, without a finding object or a
   * string looked at (the caller's scope and the filters were tested once per interned string).
   */
  readonly addIds: FindingIds
  /** Findings counted so far. */
  readonly counted: () => number
  /** Every group so far, sorted as the query asks. */
  readonly result: () => ReadonlyArray<Group>
}

/**
 * What a one-pass aggregation of a whole source gives: the query's groups, sorted, how many
 * findings were counted, and the source's report.
 *
 * @example
 * ```ts
 * import type { Accumulated } from '@scantally/core'
 *
 * const print = ({ groups, counted, report }: Accumulated): void => {
 *   for (const g of groups) console.log(g.key, g.counts.all)
 *   console.log(`${counted} counted of ${report.read} read`)
 * }
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export interface Accumulated {
  readonly groups: ReadonlyArray<Group>
  readonly counted: number
  readonly report: IngestReport
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
 * @since 0.1.0
 */
export interface AccumulateOptions {
  readonly dedupe?: boolean
}

/**
 * Starts a one-pass aggregation for a validated query and a caller. Gives the same groups as
 * building an index and evaluating the query on it.
 *
 * @example
 * ```ts
 * import { accumulate, decodeQuery, Finding } from '@scantally/core'
 *
 * const query = decodeQuery({ groupBy: 'vulnerabilityId', sortBy: 'ALL', sortOrder: 'DESC' })
 * if (query._tag === 'Left') throw new Error(query.left.message)
 * const started = accumulate(query.right)
 * if (started._tag === 'Right') {
 *   for (const raw of [{ awsAccountId: '111122223333', severity: 'HIGH', vulnerabilityId: 'CVE-2024-6387' }])
 *     if (Finding.is(raw)) started.right.add(raw)
 *   console.log(started.right.result()) // [{ key: 'CVE-2024-6387', counts: { all: 1, high: 1, ... } }]
 * }
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const accumulate = (
  query: Query,
  caller?: Caller,
  options: AccumulateOptions = {},
): E.Either<ScantallyError, GroupAccumulator> => {
  const dedupe = options.dedupe !== false
  const visibility = visibilityOf(query, caller ?? localCaller)
  if (Either.isLeft(visibility)) return visibility
  const visible: Visibility = visibility.right
  const criteria = query.filters ?? []
  const byField = new Map<string, typeof criteria>()
  for (const c of criteria) byField.set(c.field, [...(byField.get(c.field) ?? []), c])
  // One test per filtered field (and the caller's scope, on accounts), for findings given as
  // objects and, once per interned string, for findings given as ids.
  const fieldTest = (field: string) => {
    const cs = byField.get(field)
    return cs === undefined ? undefined : (v: string | undefined) => passes(cs, v)
  }
  const columnTests = groupKeys.map((key) => {
    const test = fieldTest(key)
    return key === 'accountId' && visible !== undefined
      ? (v: string | undefined) => v !== undefined && visible.has(v) && (test === undefined || test(v))
      : test
  })
  const tested = columnTests.flatMap((test, column) => (test === undefined ? [] : [column]))
  const findingTests = groupKeys.flatMap((key, column) => {
    const test = columnTests[column]
    const read = keyOf(key)
    return test === undefined ? [] : [(f: Finding) => test(read(f))]
  })
  const severityTest = fieldTest('severity')
  const fixTest = fieldTest('fixAvailable')
  const groupOf = keyOf(query.groupBy)
  let groups = new Map<string, MutableCounts>()
  // `result` hands out the counts themselves, not copies (a copy of every group doubles the
  // memory of a high-cardinality answer); a finding added after it counts into fresh copies.
  let handedOut = false
  const seen = new Set<string>()
  let counted = 0

  // Findings given as ids: per key column, its interned strings and whether a finding with each
  // passes that column's test, and the counts of the grouped column's values by id (joined with
  // `groups` only for the result).
  // Id 0 is absent, as in the index: each list starts with a placeholder at 0 never looked up.
  const ids = groupKeys.map(() => new StringIds(['']))
  const values = ids.map((d) => d.list)
  // Per column, per id (0: absent), whether a finding with that value passes its tests.
  const passing = columnTests.map((test) => [test === undefined || test(undefined)])
  const grouped = groupKeys.indexOf(query.groupBy)
  // The grouped column's counts by id, a row of `countFields` each, in one typed array: with
  // hundreds of thousands of groups, an object a group was a third of the chaining thread's heap.
  const table = new CountTable()
  const handOver = (): void => {
    if (!handedOut) return
    groups = new Map([...groups].map(([key, c]) => [key, { ...c }]))
    handedOut = false
  }
  const severityPasses = severities.map((s) => severityTest === undefined || severityTest(s))
  const fixPasses = fixCodes.map((f) => fixTest === undefined || fixTest(f))
  const fixYes = fixCodes.map((f) => f === 'YES')
  const intern = (key: GroupKey, value: string): number => {
    const column = groupKeys.indexOf(key)
    const list = values[column] as string[]
    const before = list.length
    const id = (ids[column] as StringIds).intern(value)
    if (list.length === before) return id
    // Only a tested column's are looked at (200,000 image builds would be 1.6 MB of `true`).
    const test = columnTests[column]
    if (test !== undefined) (passing[column] as boolean[]).push(test(value))
    if (column === grouped) table.hold(id)
    return id
  }
  const addIds: FindingIds = (account, build, pipeline, vulnerability, severity, fix, exploit) => {
    counted++
    const g = grouped === 0 ? account : grouped === 1 ? build : grouped === 2 ? pipeline : vulnerability
    if (g === 0 || severityPasses[severity] !== true || fixPasses[fix] !== true) return
    for (const column of tested) {
      const id = column === 0 ? account : column === 1 ? build : column === 2 ? pipeline : vulnerability
      if ((passing[column] as boolean[])[id] !== true) return
    }
    table.add(g, severity, fixYes[fix] === true, exploit)
  }

  return Either.right({
    add: (f) => {
      if (dedupe && f.findingArn !== undefined) {
        if (seen.has(f.findingArn)) return false
        seen.add(f.findingArn)
      }
      handOver()
      // A finding made from a combination row stands for its row's count.
      const n = countOf(f)
      counted += n
      const key = groupOf(f)
      if (key === undefined) return true
      if (severityTest !== undefined && !severityTest(f.severity)) return true
      if (fixTest !== undefined && !fixTest(f.fixAvailable)) return true
      for (const test of findingTests) if (!test(f)) return true
      let c = groups.get(key)
      if (c === undefined) {
        c = zeroCounts()
        groups.set(key, c)
      }
      addFinding(c, f.severity, f.fixAvailable === 'YES', f.exploitAvailable === 'YES', n)
      return true
    },
    intern,
    addIds,
    counted: () => counted,
    result: () => {
      handedOut = true
      if (table.isEmpty()) return sortedGroups(query, groups)
      const keys = values[grouped] as string[]
      // Counted only as ids (a split read): the groups come from the table as they are sorted,
      // without a map of them all beside it.
      if (groups.size === 0) return sortedGroupsAt(query, table.ids(), keys, (g) => table.counts(g))
      const all = new Map(groups)
      table.forEach((g, c) => {
        const key = keys[g] as string
        const other = all.get(key)
        if (other === undefined) all.set(key, c)
        else {
          // A group counted both ways: a fresh sum, the handed-out counts left as they are.
          const sum = { ...other }
          addCounts(sum, c)
          all.set(key, sum)
        }
      })
      return sortedGroups(query, all)
    },
  })
}

/**
 * Aggregates a whole source in one pass for a query and a caller, then joins the source's
 * result: the groups and the report, or the error (the caller's scope, checked before reading,
 * or the source's failure) and no groups at all.
 *
 * @example
 * ```ts
 * import { accumulateSource, decodeQuery, Finding, fromAsyncIterable } from '@scantally/core'
 *
 * async function* findings(): AsyncGenerator<Finding> {
 *   for (const raw of [{ awsAccountId: '111122223333', severity: 'HIGH' }]) if (Finding.is(raw)) yield raw
 * }
 * const query = decodeQuery({ groupBy: 'accountId' })
 * if (query._tag === 'Right') {
 *   const answer = await accumulateSource(query.right)(fromAsyncIterable(findings()))()
 *   // Right({ groups: [{ key: '111122223333', counts: { all: 1, high: 1, ... } }], counted: 1, report })
 * }
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const accumulateSource =
  (query: Query, caller?: Caller, options: AccumulateOptions = {}) =>
  <E>(
    source: FindingSource<E, Finding | ReadonlyArray<Finding>>,
  ): TE.TaskEither<E | ScantallyError, Accumulated> =>
  async () => {
    const started = accumulate(query, caller, options)
    if (Either.isLeft(started)) return started
    return foldInto(started.right)(source)()
  }

/**
 * Adds a whole source's findings to an accumulator already started, then joins the source's
 * result: the groups and the report, or the source's failure. For a reader that also hands the
 * accumulator findings as ids (see {@link GroupAccumulator.addIds}) while the source is read.
 *
 * @example
 * ```ts
 * import { accumulate, decodeQuery, foldInto, fromAsyncIterable, type Finding } from '@scantally/core'
 *
 * async function* findings(): AsyncGenerator<Finding> {}
 * const query = decodeQuery({ groupBy: 'vulnerabilityId' })
 * if (query._tag === 'Right') {
 *   const acc = accumulate(query.right)
 *   if (acc._tag === 'Right') {
 *     const account = acc.right.intern('accountId', '111122223333')
 *     const cve = acc.right.intern('vulnerabilityId', 'CVE-2024-6387')
 *     acc.right.addIds(account, 0, 0, cve, 1, 0, false) // one HIGH finding
 *     const answer = await foldInto(acc.right)(fromAsyncIterable(findings()))()
 *   }
 * }
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const foldInto =
  (acc: GroupAccumulator) =>
  <E>(source: FindingSource<E, Finding | ReadonlyArray<Finding>>): TE.TaskEither<E, Accumulated> =>
  async () => {
    const folded = await foldSource(source, acc, (a, f) => {
      a.add(f)
      return a
    })()
    return Either.map(({ report }: { readonly report: IngestReport }) => ({
      groups: acc.result(),
      counted: acc.counted(),
      report,
    }))(folded)
  }
