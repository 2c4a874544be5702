/**
 * What a source read and what it did with each record: how many findings were read, counted,
 * and excluded (by reason), and every record it skipped. Reports of several files, shards or
 * accounts combine with a monoid, so parallel ingestion reports exactly like serial ingestion.
 *
 * Sources account for their records with one `IngestTally` per input (a file, a page):
 * each record is classified by the source, then de-duplicated and tallied here, the one place
 * that decides how a record counts.
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import type { Finding } from './Finding.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Why a record read from a source is not counted: its status is not one of the counted
 * statuses, its `findingArn` was already counted, it has no image build linkage, or it failed
 * validation (or could not be read at all).
 *
 * @example
 * ```ts
 * import { exclusionReasons, type IngestReport } from '@scantally/core'
 *
 * const explain = (r: IngestReport): string =>
 *   exclusionReasons.map((reason) => `${reason}: ${r.excluded[reason]}`).join(', ')
 * // 'notActive: 0, duplicate: 2, noImageLinkage: 0, invalid: 1'
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export const exclusionReasons = ['notActive', 'duplicate', 'noImageLinkage', 'invalid'] as const

/**
 * One of {@link exclusionReasons}.
 *
 * @category model
 * @since 0.1.0
 */
export type ExclusionReason = (typeof exclusionReasons)[number]

/**
 * How many records were excluded, for each {@link ExclusionReason}.
 *
 * @category model
 * @since 0.1.0
 */
export type ExclusionCounts = { readonly [R in ExclusionReason]: number }

/**
 * A record a source skipped under the `skip` policy: the file (or source name) it came from,
 * its 1-based position among that file's records, and the reason in words. A problem that
 * stops reading a file (malformed JSON, an empty file) is one skipped record at the position
 * where reading stopped.
 *
 * @category model
 * @since 0.1.0
 */
export interface SkippedRecord {
  readonly file: string
  readonly position: number
  readonly reason: string
}

/**
 * The account of one read. Every record read is either counted or excluded for exactly one
 * reason, so `read === counted + notActive + duplicate + noImageLinkage + invalid`; nothing is
 * dropped silently. `bytes` counts input bytes as read (compressed bytes for gzip input).
 *
 * @example
 * ```ts
 * import type { IngestReport } from '@scantally/core'
 *
 * const summarize = (r: IngestReport): string =>
 *   `${r.counted} of ${r.read} records counted from ${r.files} files` +
 *   r.skipped.map((s) => `\n  skipped ${s.file} #${s.position}: ${s.reason}`).join('')
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export interface IngestReport {
  readonly _tag: 'IngestReport'
  readonly files: number
  readonly bytes: number
  readonly read: number
  readonly counted: number
  readonly excluded: ExclusionCounts
  readonly skipped: ReadonlyArray<SkippedRecord>
}

/**
 * What a mapping from a source record to a normalized finding decided, when the record is
 * valid: the finding counts, or it is excluded for a reason the mapping can see on its own
 * (duplicates need the whole read, so sources decide those).
 *
 * @example
 * ```ts
 * import { type Classified, fromInspectorFinding } from '@scantally/core'
 *
 * const describe = (c: Classified): string =>
 *   c._tag === 'Counted' ? `counts: ${c.finding.severity}` : `excluded: ${c.reason}`
 * const mapped = fromInspectorFinding({ awsAccountId: '111122223333', severity: 'HIGH', status: 'CLOSED' })
 * if (mapped._tag === 'Right') console.log(describe(mapped.right)) // 'excluded: notActive'
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export type Classified =
  | { readonly _tag: 'Counted'; readonly finding: Finding }
  | { readonly _tag: 'Excluded'; readonly reason: 'notActive' | 'noImageLinkage' }

/**
 * Looks up the image pipeline an image build version was built by, or `undefined` when it is
 * not known. Synchronous so mappings stay pure; sources that must ask a service resolve ahead
 * and hand over a lookup into what they learned.
 *
 * @example
 * ```ts
 * import { fromInspectorFinding, type PipelineResolver } from '@scantally/core'
 *
 * const pipelines = new Map([['arn:aws:imagebuilder:us-east-1:111122223333:image/web/1.0.0/1', 'arn:aws:imagebuilder:us-east-1:111122223333:image-pipeline/web']])
 * const resolvePipeline: PipelineResolver = (build) => pipelines.get(build)
 * const raw = { awsAccountId: '111122223333', severity: 'HIGH', status: 'ACTIVE' }
 * const mapped = fromInspectorFinding(raw, { resolvePipeline, includeUnlinked: true })
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export type PipelineResolver = (imageBuildVersionArn: string) => string | undefined

/**
 * The running account of one input of a read (a file, a page of a listing), named `source` in
 * the records it skips. Its counters are mutable and bumped in place, since sources tally every
 * record of a read on their hot path; `position` is the 1-based place of the last record taken.
 * Under `strict`, the first invalid record sets `stopped` to its reason and the source ends the
 * read with its own error for it.
 *
 * @category model
 */
export interface IngestTally {
  readonly source: string
  readonly files: number
  readonly strict: boolean
  readonly skipped: Array<SkippedRecord>
  position: number
  bytes: number
  read: number
  counted: number
  notActive: number
  duplicate: number
  noImageLinkage: number
  invalid: number
  stopped: string | undefined
}

/**
 * Whether a finding was already counted in this read, noting it when it was not: the
 * de-duplication a read applies across all its inputs.
 *
 * @category model
 */
export type SeenBefore = (finding: Finding) => boolean

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The report of reading nothing: the identity of {@link concatIngestReports}.
 *
 * @example
 * ```ts
 * import { emptyIngestReport, type IngestReport } from '@scantally/core'
 *
 * const oneFile: IngestReport = { ...emptyIngestReport, files: 1, read: 3, counted: 2, excluded: { ...emptyIngestReport.excluded, duplicate: 1 } }
 * console.log(emptyIngestReport.read, oneFile.counted) // 0 2
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const emptyIngestReport: IngestReport = {
  _tag: 'IngestReport',
  files: 0,
  bytes: 0,
  read: 0,
  counted: 0,
  excluded: { notActive: 0, duplicate: 0, noImageLinkage: 0, invalid: 0 },
  skipped: [],
}

/**
 * The {@link Classified} answer for a finding that counts.
 *
 * @category constructors
 */
export const counted = (finding: Finding): Classified => ({ _tag: 'Counted', finding })

/**
 * The {@link Classified} answer for a valid record that does not count.
 *
 * @category constructors
 */
export const excluded = (reason: 'notActive' | 'noImageLinkage'): Classified => ({ _tag: 'Excluded', reason })

/**
 * A new tally of one input: `source` names it in skipped records, `files` is what it adds to
 * the report's file count (1 for a file, 0 for a page of a listing), `strict` the policy.
 *
 * @category constructors
 */
export const makeIngestTally = (source: string, files: number, strict: boolean): IngestTally => ({
  source,
  files,
  strict,
  skipped: [],
  position: 0,
  bytes: 0,
  read: 0,
  counted: 0,
  notActive: 0,
  duplicate: 0,
  noImageLinkage: 0,
  invalid: 0,
  stopped: undefined,
})

/**
 * De-duplication by `findingArn` in a set of the ARNs seen; findings without one always count.
 *
 * @category constructors
 */
export const seenByFindingArn = (): SeenBefore => {
  const seen = new Set<string>()
  return (f) => {
    const arn = f.findingArn
    if (arn === undefined) return false
    if (seen.has(arn)) return true
    seen.add(arn)
    return false
  }
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Combines two reports: counts add up and skipped records are listed first-then-second.
 * Associative with {@link emptyIngestReport} as identity; the counts also commute, so shards
 * may be merged in any order.
 *
 * @example
 * ```ts
 * import { concatAll } from 'fp-ts/lib/Monoid.js'
 * import { concatIngestReports, emptyIngestReport, type IngestReport } from '@scantally/core'
 *
 * const a: IngestReport = { ...emptyIngestReport, files: 1, read: 10, counted: 10 }
 * const b: IngestReport = { ...emptyIngestReport, files: 1, read: 5, counted: 4, excluded: { ...emptyIngestReport.excluded, notActive: 1 } }
 * console.log(concatIngestReports(a, b).read) // 15
 * const total = concatAll({ concat: concatIngestReports, empty: emptyIngestReport })([a, b])
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const concatIngestReports = (x: IngestReport, y: IngestReport): IngestReport => ({
  _tag: 'IngestReport',
  files: x.files + y.files,
  bytes: x.bytes + y.bytes,
  read: x.read + y.read,
  counted: x.counted + y.counted,
  excluded: {
    notActive: x.excluded.notActive + y.excluded.notActive,
    duplicate: x.excluded.duplicate + y.excluded.duplicate,
    noImageLinkage: x.excluded.noImageLinkage + y.excluded.noImageLinkage,
    invalid: x.excluded.invalid + y.excluded.invalid,
  },
  skipped:
    y.skipped.length === 0 ? x.skipped : x.skipped.length === 0 ? y.skipped : [...x.skipped, ...y.skipped],
})

/**
 * Takes the next record of an input: its classification (the source's mapping of the raw
 * record) is tallied, and the finding handed back when it counts. An invalid record is skipped
 * with its reason, or under `strict` stops the input (see `IngestTally`).
 *
 * @category combinators
 */
export const ingestRecord = (
  t: IngestTally,
  classification: E.Either<string, Classified>,
  seen: SeenBefore,
): Finding | undefined => {
  t.position++
  if (classification._tag === 'Right') return tallyClassified(t, classification.right, seen)
  if (t.strict) t.stopped = classification.left
  else skipAt(t, classification.left)
  return undefined
}

/**
 * Tallies one valid record whose position is already taken (a source that classifies on the
 * bytes): read, then excluded for its reason, a duplicate, or counted, when the finding is
 * handed back.
 *
 * @category combinators
 */
export const tallyClassified = (t: IngestTally, c: Classified, seen: SeenBefore): Finding | undefined => {
  t.read++
  if (c._tag === 'Excluded') {
    t[c.reason]++
    return undefined
  }
  if (seen(c.finding)) {
    t.duplicate++
    return undefined
  }
  t.counted++
  return c.finding
}

/**
 * Skips the next record as invalid, whatever the policy: for a problem that is no record's
 * mapping (malformed bytes, an empty or unreadable input) once the source chose to go on.
 *
 * @category combinators
 */
export const skipRecord = (t: IngestTally, reason: string): void => {
  t.position++
  skipAt(t, reason)
}

/**
 * The report of one input's tally.
 *
 * @category combinators
 */
export const tallyReport = (t: IngestTally): IngestReport => ({
  _tag: 'IngestReport',
  files: t.files,
  bytes: t.bytes,
  read: t.read,
  counted: t.counted,
  excluded: {
    notActive: t.notActive,
    duplicate: t.duplicate,
    noImageLinkage: t.noImageLinkage,
    invalid: t.invalid,
  },
  skipped: t.skipped,
})

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/**
 * The monoid of ingest reports (an fp-ts `Monoid<IngestReport>`).
 *
 * @category instances
 */
export const IngestReportMonoid = {
  concat: concatIngestReports,
  empty: emptyIngestReport,
} as const

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The total of records excluded for any reason.
 *
 * @category utils
 */
export const excludedTotal = (r: IngestReport): number =>
  r.excluded.notActive + r.excluded.duplicate + r.excluded.noImageLinkage + r.excluded.invalid

const skipAt = (t: IngestTally, reason: string): void => {
  t.read++
  t.invalid++
  t.skipped.push({ file: t.source, position: t.position, reason })
}
