/**
 * Combination rows: pre-aggregated counts `{ awsAccountId, imageBuildVersionArn?,
 * imagePipelineArn?, vulnerabilityId?, severity, fixAvailable?, exploitAvailable?, count }`, the
 * index as data, so counts an external engine produced (Athena, DuckDB, Spark) are merged like
 * any other source. A row stands for `count` findings that share those fields and were already
 * filtered by status and de-duplicated by the engine that produced it (docs/scale-out.md).
 *
 * A row goes through the engine as one finding carrying its multiplicity ({@link countOf}), so
 * it costs one step whatever its count. A member a row lacks (or holds as `null`) is absent,
 * exactly as on a finding: the row is then outside that grouping's counts.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { closed } from './Closed.js'
import { AccountId, ExploitAvailable, type Finding, FixAvailable, KeyString } from './Finding.js'
import { type Classified, type IngestTally, ingestRecord } from './IngestReport.js'
import type { InspectorMappingOptions } from './InspectorFinding.js'
import { linkedFinding } from './Linkage.js'
import { reportFirst } from './Reporter.js'
import { Severity } from './Severity.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The members of a combination row, in the order of a CSV header of rows.
 *
 * @category model
 */
export const combinationRowMembers = [
  'awsAccountId',
  'imageBuildVersionArn',
  'imagePipelineArn',
  'vulnerabilityId',
  'severity',
  'fixAvailable',
  'exploitAvailable',
  'count',
] as const

/**
 * The key under which a finding made from a combination row carries how many findings it
 * stands for. A symbol, so that no member of plain data (JSON, a database row) can set it.
 *
 * @category model
 */
export const findingCount: unique symbol = Symbol.for('scantally.findingCount')

/**
 * A finding standing for {@link findingCount} findings alike: what a combination row becomes.
 *
 * @category model
 */
export interface CountedFinding extends Finding {
  readonly [findingCount]: number
}

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/**
 * Codec for a row's `count`: a positive safe integer (a row of no findings says nothing).
 *
 * @category codecs
 */
export const RowCount = new t.Type<number, number, unknown>(
  'RowCount',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u > 0,
  (u, c) =>
    typeof u === 'number' && Number.isSafeInteger(u) && u > 0
      ? t.success(u)
      : t.failure(u, c, `must be a positive integer, got ${JSON.stringify(u) ?? String(u)}`),
  t.identity,
)

/**
 * Codec for a combination row: a closed structure (an unknown member, a misspelt one say, is
 * an error rather than a count silently put in the wrong group), validated like a finding.
 *
 * @example
 * ```ts
 * import { CombinationRow } from '@scantally/core'
 *
 * const row = CombinationRow.decode({ awsAccountId: '111122223333', severity: 'HIGH', vulnerabilityId: 'CVE-2024-6387', count: 42 })
 * if (row._tag === 'Right') console.log(row.right.count) // 42
 * console.log(CombinationRow.is({ awsAccountId: '111122223333', severity: 'HIGH', count: 0 })) // false
 * ```
 *
 * @category codecs
 * @since 0.1.0
 */
export const CombinationRow = closed(
  'CombinationRow',
  { awsAccountId: AccountId, severity: Severity, count: RowCount },
  {
    imageBuildVersionArn: KeyString,
    imagePipelineArn: KeyString,
    vulnerabilityId: KeyString,
    fixAvailable: FixAvailable,
    exploitAvailable: ExploitAvailable,
  },
)

/**
 * A combination row.
 *
 * @category model
 * @since 0.1.0
 */
export type CombinationRow = t.TypeOf<typeof CombinationRow>

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * How many findings a finding stands for: its row's count, or 1 for a finding read whole.
 *
 * @category utils
 */
export const countOf = (f: Finding): number => (f as Partial<CountedFinding>)[findingCount] ?? 1

/**
 * Whether a finding was made from a combination row (so it is counts, not a finding that
 * `ListImageScanFindings` could list).
 *
 * @category utils
 */
export const isFromRow = (f: Finding): f is CountedFinding => findingCount in f

/**
 * Decodes a raw combination row (`null` members read as absent, as SQL engines write NULL) and
 * decides it as an Inspector finding's linkage is decided: without `imageBuildVersionArn` it is
 * excluded as `noImageLinkage` unless `includeUnlinked`, and a missing `imagePipelineArn` is
 * resolved from the build. `Left` names the member and the rule broken.
 *
 * @example
 * ```ts
 * import { fromCombinationRow } from '@scantally/core'
 *
 * const decided = fromCombinationRow({ awsAccountId: '111122223333', severity: 'LOW', count: 3 }, { includeUnlinked: true })
 * if (decided._tag === 'Right') console.log(decided.right.count, decided.right.classified._tag) // 3 'Counted'
 * ```
 *
 * @category utils
 * @since 0.1.0
 */
export const fromCombinationRow = (
  raw: unknown,
  options: Pick<InspectorMappingOptions, 'resolvePipeline' | 'includeUnlinked'> = {},
): E.Either<string, { readonly count: number; readonly classified: Classified }> => {
  const decoded = CombinationRow.decode(withoutNulls(raw))
  if (E.isLeft(decoded)) return E.left(reportFirst('row', decoded.left))
  const r = decoded.right
  const vulnerabilityId = r.vulnerabilityId
  const classified = linkedFinding(
    {
      awsAccountId: r.awsAccountId,
      severity: r.severity,
      ...(vulnerabilityId === undefined ? {} : { packageVulnerabilityDetails: { vulnerabilityId } }),
      ...(r.fixAvailable === undefined ? {} : { fixAvailable: r.fixAvailable }),
    },
    r.exploitAvailable === undefined ? {} : { exploitAvailable: r.exploitAvailable },
    r.imageBuildVersionArn,
    r.imagePipelineArn,
    options,
  )
  return E.right({
    count: r.count,
    classified:
      classified._tag === 'Counted'
        ? { _tag: 'Counted', finding: { ...classified.finding, [findingCount]: r.count } as CountedFinding }
        : classified,
  })
}

/**
 * Takes the next row of an input into its tally, as `ingestRecord` takes a record: the row's
 * `count` findings are read and counted (or excluded for its reason) at once; an invalid row
 * is one invalid record, skipped with its reason or, under `strict`, stopping the input. Rows
 * are never duplicates: they carry no finding identity (their producer de-duplicated).
 *
 * @category utils
 */
export const ingestRow = (
  tally: IngestTally,
  decided: E.Either<string, { readonly count: number; readonly classified: Classified }>,
): Finding | undefined => {
  if (E.isLeft(decided)) return ingestRecord(tally, decided, neverSeen)
  tally.position++
  const { count, classified } = decided.right
  tally.read += count
  if (classified._tag === 'Excluded') {
    tally[classified.reason] += count
    return undefined
  }
  tally.counted += count
  return classified.finding
}

// Rows carry no identity: none is a duplicate of another.
const neverSeen = (): boolean => false

const withoutNulls = (raw: unknown): unknown =>
  typeof raw === 'object' && raw !== null && !Array.isArray(raw)
    ? Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== null))
    : raw
