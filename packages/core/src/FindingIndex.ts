/**
 * The finding index: one row per distinct combination of the fields queries can use
 * (account, image build, pipeline, vulnerability, severity, fix availability), holding how
 * many findings have it and how many of those have a known exploit. It grows with the number
 * of distinct combinations, never with the number of findings, and partial indexes merge as a
 * commutative monoid, so shards can be built apart and combined.
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import type { Monoid } from 'fp-ts/lib/Monoid.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { grown, trimmed } from './Columns.js'
import { countOf } from './CombinationRow.js'
import {
  type InvalidRequestException,
  invalidRequest,
  isScantallyError,
  type ScantallyError,
  serviceUnavailable,
} from './Errors.js'
import { Finding, type FixAvailable, fixAvailableValues, type GroupKey, groupKeys } from './Finding.js'
import { type FindingSource, isBatch } from './FindingSource.js'
import { reportFirst } from './Reporter.js'
import { severities } from './Severity.js'
import { StringIds } from './StringIds.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * `fixAvailable` as a column code: 0 absent, then `fixAvailableValues` in order.
 *
 * @category model
 */
export const fixCodes = [undefined, ...fixAvailableValues] as const

/**
 * Takes one de-duplicated finding given as ids of a dictionary's `intern` (0: absent), an index
 * into `severities`, a code of `fixAvailable` (0 absent, then `YES`, `NO`, `PARTIAL`) and whether
 * it has a known exploit: the per-finding call of a reader that interned its strings once, which
 * makes no finding object.
 *
 * @example
 * ```ts
 * import type { FindingIds } from '@scantally/core'
 *
 * // Counts findings by severity, whatever else they are.
 * const bySeverity = new Array<number>(6).fill(0)
 * const count: FindingIds = (_account, _build, _pipeline, _vulnerability, severity) => {
 *   bySeverity[severity] = (bySeverity[severity] ?? 0) + 1
 * }
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export type FindingIds = (
  account: number,
  build: number,
  pipeline: number,
  vulnerability: number,
  severity: number,
  fix: number,
  exploit: boolean,
) => void

/**
 * A frozen index. Strings are interned per key column (id 0 means "absent"); each row refers
 * to them by id. Treat as immutable: queries and merges never change it.
 *
 * @example
 * ```ts
 * import { buildIndex, Finding, type Index } from '@scantally/core'
 *
 * const accounts = (index: Index): ReadonlyArray<string> => index.dictionaries.accountId.slice(1)
 * const index = buildIndex([{ awsAccountId: '111122223333', severity: 'LOW' }].filter(Finding.is))
 * if (index._tag === 'Right') console.log(accounts(index.right), index.right.findings) // ['111122223333'] 1
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export interface Index {
  readonly _tag: 'Index'
  /** Interned values per key column; entry 0 is unused (absent). */
  readonly dictionaries: { readonly [K in GroupKey]: ReadonlyArray<string> }
  /** Per-row ids into {@link Index.dictionaries}. */
  readonly columns: { readonly [K in GroupKey]: Int32Array }
  /** Per-row index into `severities`. */
  readonly severity: Uint8Array
  /** Per-row code into `fixCodes`. */
  readonly fix: Uint8Array
  /** Per-row number of findings. */
  readonly count: Float64Array
  /** Per-row number of findings with `exploitAvailable: YES`. */
  readonly exploit: Float64Array
  /** Number of rows. */
  readonly rows: number
  /** Number of findings counted (after de-duplication). */
  readonly findings: number
}

/**
 * One row of an index in plain values: the canonical form used to compare indexes whose ids
 * were assigned in another order.
 *
 * @example
 * ```ts
 * import { emptyIndex, type Row, toRows } from '@scantally/core'
 *
 * const critical = (rows: ReadonlyArray<Row>): number =>
 *   rows.filter((r) => r.severity === 'CRITICAL').reduce((n, r) => n + r.count, 0)
 * console.log(critical(toRows(emptyIndex))) // 0
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export interface Row {
  readonly accountId: string
  readonly imageBuildVersionArn?: string
  readonly imagePipelineArn?: string
  readonly vulnerabilityId?: string
  readonly severity: (typeof severities)[number]
  readonly fixAvailable?: FixAvailable
  readonly count: number
  readonly exploitAvailable: number
}

/**
 * Mutable builder of an index. `add` de-duplicates by `findingArn` unless built with
 * `dedupe: false`; the set of seen ARNs lives only as long as the builder (it is the one
 * structure that grows with the number of findings).
 *
 * @category model
 */
export interface IndexBuilder {
  /** Adds a finding; returns false when it was a duplicate `findingArn` (not counted). */
  readonly add: (f: Finding) => boolean
  /** Adds a finding as {@link IndexBuilder.add} does; returns its row, or -1 for a duplicate. */
  readonly place: (f: Finding) => number
  /** Adds `n` already de-duplicated findings of one combination (used by merges and fast readers). */
  readonly addCombination: (row: Row) => void
  /**
   * The id of `value` in column `key`'s dictionary, added when new: a reader that hands findings
   * over as ids (see {@link IndexBuilder.placeIds}) asks once per string, not once per finding.
   */
  readonly intern: (key: GroupKey, value: string) => number
  /**
   * Adds `n` already de-duplicated findings of one combination given as ids of
   * {@link IndexBuilder.intern} (0: absent), an index into `severities` and a code of
   * {@link fixCodes}, `exploits` of them with a known exploit; returns its row. No string is
   * looked at: this is the per-finding work of a reader that interned its strings once.
   */
  readonly placeIds: (
    account: number,
    build: number,
    pipeline: number,
    vulnerability: number,
    severity: number,
    fix: number,
    n: number,
    exploits: number,
  ) => number
  /** Findings skipped as duplicates so far. */
  readonly duplicates: () => number
  /** Freezes the rows into an {@link Index} (the same one on every call); add nothing afterwards. */
  readonly freeze: () => Index
}

/**
 * Options of {@link makeBuilder}. `dedupe` (default `true`) counts each `findingArn` once; a
 * caller whose source de-duplicates already (every source scantally's inputs open does) sets
 * `false`, and the builder keeps no ARNs.
 *
 * @category model
 */
export interface BuilderOptions {
  readonly dedupe?: boolean
  /**
   * Room for this many combinations from the start (rounded up to a power of two), so that a
   * caller that can estimate them spares the builder its rehashing as it grows; it still grows
   * past them.
   */
  readonly expectedRows?: number
}

const keyColumns = groupKeys

// The members of a row besides its account, count and exploits, which a finding has too.
type RowFields = Pick<
  Row,
  'imageBuildVersionArn' | 'imagePipelineArn' | 'vulnerabilityId' | 'severity' | 'fixAvailable'
>

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A new, empty builder. Rows live in typed columns that double as they fill, found by an
 * open-addressing hash over their six integer codes: a finding costs no object or string of
 * its own, a combination about 40 bytes (its columns and two hash slots).
 *
 * @category constructors
 */
export const makeBuilder = (options: BuilderOptions = {}): IndexBuilder => {
  // Id 0 is absent: each dictionary starts with a placeholder at 0 that is never looked up.
  const ids = keyColumns.map(() => new StringIds(['']))
  const dictionaries = ids.map((d) => d.list)
  let room = initialRows
  while (room < (options.expectedRows ?? 0)) room *= 2
  let cols = keyColumns.map(() => new Int32Array(room))
  let sev = new Uint8Array(room)
  let fix = new Uint8Array(room)
  let count = new Float64Array(room)
  let exploit = new Float64Array(room)
  // Slot holds row + 1 (0 = empty); kept at most half full.
  let slots = new Int32Array(room * 2)
  let rows = 0
  const seen = options.dedupe === false ? undefined : new Set<string>()
  let findings = 0
  let duplicates = 0
  let frozen: Index | undefined

  // The last value of each column and its id: findings of one image build or account tend to
  // come together, and the same string again skips the table.
  const lastValue: Array<string | undefined> = keyColumns.map(() => undefined)
  const lastId = new Int32Array(keyColumns.length)
  const intern = (column: number, value: string | undefined): number => {
    if (value === undefined) return 0
    if (lastValue[column] === value) return lastId[column] as number
    const id = (ids[column] as StringIds).intern(value)
    lastValue[column] = value
    lastId[column] = id
    return id
  }

  const hashOf = (ia: number, ii: number, ip: number, iv: number, code: number): number => {
    let h = Math.imul(ia ^ 0x9e3779b9, 0x85ebca6b)
    h = Math.imul(h ^ (h >>> 15) ^ ii, 0xc2b2ae35)
    h = Math.imul(h ^ (h >>> 13) ^ ip, 0x27d4eb2f)
    h = Math.imul(h ^ (h >>> 16) ^ iv, 0x165667b1)
    h = Math.imul(h ^ (h >>> 15) ^ code, 0x85ebca6b)
    return (h ^ (h >>> 16)) >>> 0
  }

  const grow = () => {
    const size = cols[0]?.length as number
    cols = cols.map((c) => grown(c, new Int32Array(size * 2)))
    sev = grown(sev, new Uint8Array(size * 2))
    fix = grown(fix, new Uint8Array(size * 2))
    count = grown(count, new Float64Array(size * 2))
    exploit = grown(exploit, new Float64Array(size * 2))
    slots = new Int32Array(size * 4)
    const [a, i, p, v] = cols as [Int32Array, Int32Array, Int32Array, Int32Array]
    const mask = slots.length - 1
    for (let r = 0; r < rows; r++) {
      let at = hashOf(a[r] as number, i[r] as number, p[r] as number, v[r] as number, codeOf(r)) & mask
      while (slots[at] !== 0) at = (at + 1) & mask
      slots[at] = r + 1
    }
  }
  const codeOf = (r: number) => ((sev[r] as number) << 8) | (fix[r] as number)

  // A finding and a row name the same members alike, but for the account: both are passed
  // as they are (no record made per finding).
  const addRow = (a: string, k: RowFields, n: number, ex: number): number =>
    addIds(
      intern(0, a),
      intern(1, k.imageBuildVersionArn),
      intern(2, k.imagePipelineArn),
      intern(3, k.vulnerabilityId),
      severities.indexOf(k.severity),
      k.fixAvailable === undefined ? 0 : fixCodes.indexOf(k.fixAvailable),
      n,
      ex,
    )

  // The row of a combination given as ids, made when new, with `n` findings (`ex` of them
  // with a known exploit) added to it.
  const addIds = (
    ia: number,
    ii: number,
    ip: number,
    iv: number,
    s: number,
    fx: number,
    n: number,
    ex: number,
  ): number => {
    if (frozen !== undefined) throw new Error('an index builder takes nothing once frozen')
    const code = (s << 8) | fx
    const [ca, ci, cp, cv] = cols as [Int32Array, Int32Array, Int32Array, Int32Array]
    const mask = slots.length - 1
    let at = hashOf(ia, ii, ip, iv, code) & mask
    let row = -1
    for (let slot = slots[at] as number; slot !== 0; slot = slots[at] as number) {
      const r = slot - 1
      if (ca[r] === ia && ci[r] === ii && cp[r] === ip && cv[r] === iv && codeOf(r) === code) {
        row = r
        break
      }
      at = (at + 1) & mask
    }
    if (row === -1) {
      if (rows === ca.length) {
        grow()
        return addIds(ia, ii, ip, iv, s, fx, n, ex)
      }
      row = rows++
      slots[at] = row + 1
      ca[row] = ia
      ci[row] = ii
      cp[row] = ip
      cv[row] = iv
      sev[row] = s
      fix[row] = fx
    }
    count[row] = (count[row] as number) + n
    exploit[row] = (exploit[row] as number) + ex
    findings += n
    return row
  }

  const place = (f: Finding): number => {
    if (seen !== undefined && f.findingArn !== undefined) {
      if (seen.has(f.findingArn)) {
        duplicates++
        return -1
      }
      seen.add(f.findingArn)
    }
    // A finding made from a combination row stands for its row's count.
    const n = countOf(f)
    return addRow(f.awsAccountId, f, n, f.exploitAvailable === 'YES' ? n : 0)
  }

  return {
    add: (f) => place(f) >= 0,
    place,
    addCombination: (r) => {
      addRow(r.accountId, r, r.count, r.exploitAvailable)
    },
    intern: (key, value) => intern(keyColumns.indexOf(key), value),
    placeIds: addIds,
    duplicates: () => duplicates,
    freeze: () => {
      if (frozen !== undefined) return frozen
      seen?.clear()
      for (const m of ids) m.clear()
      // The hash is of no use once frozen: let it go before the columns are kept (or copied).
      slots = new Int32Array(0)
      const column = (c: number) => trimmed(cols[c] as Int32Array, rows)
      frozen = {
        _tag: 'Index',
        dictionaries: {
          accountId: dictionaries[0] as string[],
          imageBuildVersionArn: dictionaries[1] as string[],
          imagePipelineArn: dictionaries[2] as string[],
          vulnerabilityId: dictionaries[3] as string[],
        },
        columns: {
          accountId: column(0),
          imageBuildVersionArn: column(1),
          imagePipelineArn: column(2),
          vulnerabilityId: column(3),
        },
        severity: trimmed(sev, rows),
        fix: trimmed(fix, rows),
        count: trimmed(count, rows),
        exploit: trimmed(exploit, rows),
        rows,
        findings,
      }
      // Only what is kept is referenced: a builder still referenced holds no growing column.
      cols = []
      sev = fix = new Uint8Array(0)
      count = exploit = new Float64Array(0)
      return frozen
    },
  }
}

const initialRows = 1024

/**
 * The empty index: the identity of {@link MonoidIndex}.
 *
 * @example
 * ```ts
 * import { emptyIndex, generateTokenKey, makeEngine, queryAggregations } from '@scantally/core'
 *
 * const engine = makeEngine(emptyIndex, { keys: [generateTokenKey()] })
 * console.log(queryAggregations(engine)({ groupBy: 'accountId' })) // Right({ groups: [], ... })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const emptyIndex: Index = makeBuilder().freeze()

/**
 * Builds an index from findings, validating each against the {@link Finding} codec (so it takes
 * plain data as it comes, from JSON or a database, as well as decoded findings); the first
 * invalid one fails the build, named by its position. O(N) in findings.
 *
 * @example
 * ```ts
 * import { buildIndex, Finding } from '@scantally/core'
 *
 * const records: ReadonlyArray<unknown> = [
 *   { awsAccountId: '111122223333', severity: 'HIGH', vulnerabilityId: 'CVE-2024-6387' },
 *   { awsAccountId: '444455556666', severity: 'CRITICAL', vulnerabilityId: 'CVE-2024-6387' },
 * ]
 * const findings = records.filter(Finding.is) // or map raw records with fromInspectorFinding
 * const index = buildIndex(findings) // Either<InvalidRequestException, Index>
 * if (index._tag === 'Right') console.log(index.right.rows, index.right.findings) // 2 2
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const buildIndex = (findings: Iterable<unknown>): E.Either<InvalidRequestException, Index> => {
  const b = makeBuilder()
  let position = 0
  for (const f of findings) {
    if (!Finding.is(f)) return Either.left(invalidFinding(f, position))
    b.add(f)
    position++
  }
  return Either.right(b.freeze())
}

/**
 * Builds an index from a {@link FindingSource} (of findings or of batches) and joins its
 * result: a source whose result is a failure gives that failure, never an index of what was
 * read so far; an invalid finding fails the build, named by its position. A source that throws
 * (breaking the contract) gives `ServiceUnavailableException`.
 *
 * @example
 * ```ts
 * import { buildIndexAsync, Finding, fromAsyncIterable } from '@scantally/core'
 *
 * async function* batches(): AsyncGenerator<ReadonlyArray<Finding>> {
 *   const page: ReadonlyArray<unknown> = [{ awsAccountId: '111122223333', severity: 'HIGH' }]
 *   yield page.filter(Finding.is)
 * }
 * const index = await buildIndexAsync(fromAsyncIterable(batches()))()
 * // Right(Index) with one row; Left, and no index, when the source fails
 * if (index._tag === 'Left') throw new Error(index.left.message)
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const buildIndexAsync =
  <E>(source: FindingSource<E, Finding | ReadonlyArray<Finding>>): TE.TaskEither<E | ScantallyError, Index> =>
  async () => {
    const b = makeBuilder()
    let position = 0
    try {
      for await (const item of source) {
        const batch: ReadonlyArray<Finding> = isBatch(item) ? item : [item]
        for (const f of batch) {
          if (!Finding.is(f)) return Either.left(invalidFinding(f, position))
          b.add(f)
          position++
        }
      }
    } catch (e) {
      return Either.left(
        isScantallyError(e)
          ? e
          : serviceUnavailable(
              `the finding source failed after ${position} findings: ${String((e as Error)?.message ?? e)}`,
            ),
      )
    }
    const result = await source.result
    return Either.isLeft(result) ? result : Either.right(b.freeze())
  }

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The rows of an index in plain values, sorted canonically: two indexes are equal exactly
 * when their rows are.
 *
 * @example
 * ```ts
 * import { buildIndex, Finding, toRows } from '@scantally/core'
 *
 * const record: unknown = { awsAccountId: '111122223333', severity: 'HIGH', fixAvailable: 'YES' }
 * const index = buildIndex([record].filter(Finding.is))
 * if (index._tag === 'Right') console.log(toRows(index.right))
 * // [{ accountId: '111122223333', severity: 'HIGH', fixAvailable: 'YES', count: 1, exploitAvailable: 0 }]
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const toRows = (ix: Index): ReadonlyArray<Row> => {
  const out: Row[] = []
  for (let r = 0; r < ix.rows; r++) {
    const value = (k: GroupKey) => ix.dictionaries[k][ix.columns[k][r] as number]
    const fx = fixCodes[ix.fix[r] as number]
    const image = value('imageBuildVersionArn')
    const pipeline = value('imagePipelineArn')
    const vuln = value('vulnerabilityId')
    out.push({
      accountId: value('accountId') as string,
      ...(ix.columns.imageBuildVersionArn[r] ? { imageBuildVersionArn: image as string } : {}),
      ...(ix.columns.imagePipelineArn[r] ? { imagePipelineArn: pipeline as string } : {}),
      ...(ix.columns.vulnerabilityId[r] ? { vulnerabilityId: vuln as string } : {}),
      severity: severities[ix.severity[r] as number] as Row['severity'],
      ...(fx === undefined ? {} : { fixAvailable: fx }),
      count: ix.count[r] as number,
      exploitAvailable: ix.exploit[r] as number,
    })
  }
  const sortKey = (r: Row) =>
    JSON.stringify([
      r.accountId,
      r.imageBuildVersionArn,
      r.imagePipelineArn,
      r.vulnerabilityId,
      r.severity,
      r.fixAvailable,
    ])
  return out
    .map((r) => [sortKey(r), r] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, r]) => r)
}

/**
 * Merges two indexes: the result counts every finding of both. Callers that shard their input
 * must put all findings of one `findingArn` in one shard, since de-duplication happens while
 * building.
 *
 * @example
 * ```ts
 * import { buildIndex, Finding, mergeIndexes } from '@scantally/core'
 *
 * const east = buildIndex([{ awsAccountId: '111122223333', severity: 'HIGH' }].filter(Finding.is))
 * const west = buildIndex([{ awsAccountId: '444455556666', severity: 'LOW' }].filter(Finding.is))
 * if (east._tag === 'Right' && west._tag === 'Right') {
 *   const both = mergeIndexes(east.right, west.right)
 *   console.log(both.findings) // 2
 * }
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const mergeIndexes = (a: Index, b: Index): Index => {
  const builder = makeBuilder()
  for (const ix of [a, b]) for (const row of toRows(ix)) builder.addCombination(row)
  return builder.freeze()
}

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/**
 * Indexes form a commutative monoid under {@link mergeIndexes}, equal up to id assignment
 * (compare with {@link toRows}), with {@link emptyIndex} as identity.
 *
 * @example
 * ```ts
 * import { concatAll } from 'fp-ts/lib/Monoid.js'
 * import { buildIndex, Finding, type Index, MonoidIndex } from '@scantally/core'
 *
 * const shards: ReadonlyArray<Index> = [['111122223333'], ['444455556666']].flatMap((accounts) => {
 *   const index = buildIndex(accounts.map((awsAccountId) => ({ awsAccountId, severity: 'HIGH' })).filter(Finding.is))
 *   return index._tag === 'Right' ? [index.right] : []
 * })
 * const merged = concatAll(MonoidIndex)(shards) // as if built from every shard's findings at once
 * ```
 *
 * @category instances
 * @since 0.1.0
 */
export const MonoidIndex: Monoid<Index> = { concat: mergeIndexes, empty: emptyIndex }

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const invalidFinding = (f: unknown, position: number): InvalidRequestException =>
  invalidRequest(`finding #${position} is not a valid Finding: ${describeFinding(f)}`)

const describeFinding = (f: unknown): string => {
  const r = Finding.decode(f)
  return r._tag === 'Right' ? 'ok' : reportFirst('value', r.left)
}
