/**
 * The findings `ListImageScanFindings` lists: a compact, immutable store in the order the
 * findings were added. Records are validated by core's codecs: the key members by
 * {@link ImageScanFinding} (a normalized {@link Finding}'s top-level `vulnerabilityId` and
 * `findingArn` by the same {@link KeyString}), the descriptive ones by the lenient
 * {@link detailCodec}. Key members are a row of a finding index (the one `serve` answers
 * aggregations from, so both share its dictionaries): a finding costs its row number; the
 * descriptive part is kept as far as the wire shape has it, with its strings interned.
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { grown, trimmed } from './Columns.js'
import { type InvalidRequestException, invalidRequest, type ScantallyError } from './Errors.js'
import { Finding, type GroupKey, KeyString } from './Finding.js'
import { type FindingIds, fixCodes, type Index, type IndexBuilder, makeBuilder } from './FindingIndex.js'
import { ImageScanFinding } from './ImageScanFinding.js'
import {
  detailCodec,
  type ImageScanFindingDetail,
  type ImageScanFindingWire,
} from './ImageScanFindingWire.js'
import { describeValidationErrors } from './Reporter.js'
import { severities } from './Severity.js'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/**
 * Codec for a record a store takes: an Image Builder `ImageScanFinding`, or a normalized
 * finding (whose `vulnerabilityId` is at the top and which may carry a `findingArn`).
 *
 * @category codecs
 */
export const ScanFindingRecord = t.intersection(
  [ImageScanFinding, t.partial({ vulnerabilityId: KeyString, findingArn: KeyString })],
  'ScanFindingRecord',
)

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * An immutable store of findings. Finding `i` has its key members (account, image build
 * version, pipeline, vulnerability, severity, `fixAvailable`) in row `rows[i]` of `index`, and
 * its descriptive members, if any, in `details[i]` (those of records given whole) or behind
 * `recorded` (those of a source's records, read back a page at a time, see
 * {@link RecordedDetails}).
 *
 * @example
 * ```ts
 * import { type ScanFindingStore, scanFindingStoreOf } from '@scantally/core'
 *
 * const sizeOf = (store: ScanFindingStore): number => store.size
 * const store = scanFindingStoreOf([])
 * if (store._tag === 'Right') console.log(sizeOf(store.right)) // 0
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export interface ScanFindingStore {
  readonly _tag: 'FindingStore'
  readonly size: number
  /** The index whose rows hold the findings' key members (it counts them, and may count more). */
  readonly index: Index
  /** Per finding, its row of `index`. */
  readonly rows: Int32Array
  /** Per finding, the descriptive members it was given with (empty when none was). */
  readonly details: ReadonlyArray<ImageScanFindingDetail | undefined>
  readonly recorded?: RecordedDetails
}

/**
 * Where the descriptive members of a store's findings are when the store does not hold them:
 * the edge that read the findings (files read back by byte range, a compact encoding of what
 * could not be read again) answers for a page's rows. `expected[i]` is row `rows[i]` as the
 * store has it (its key members): the answer must be that finding's, and a record that is not
 * (a file changed since it was read) is an error, never another finding's details.
 *
 * @example
 * ```ts
 * import * as E from 'fp-ts/lib/Either.js'
 * import type { RecordedDetails } from '@scantally/core'
 *
 * // Details kept by the edge in a map of row to detail.
 * const kept = new Map([[0, { title: 'CVE-2024-6387 - openssh' }]])
 * const details: RecordedDetails = { read: (rows) => E.right(rows.map((r) => kept.get(r))) }
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export interface RecordedDetails {
  readonly read: (
    rows: ReadonlyArray<number>,
    expected: ReadonlyArray<ImageScanFindingWire>,
  ) => E.Either<ScantallyError, ReadonlyArray<ImageScanFindingDetail | undefined>>
}

/**
 * Mutable builder of a store, for sources that stream. `add` validates one record: `Left`
 * holds why it is invalid, `Right(false)` a duplicate `findingArn` (kept out, as the index
 * does), `Right(true)` a stored finding.
 *
 * @category model
 */
export interface ScanFindingStoreBuilder {
  readonly add: (record: unknown) => E.Either<string, boolean>
  /**
   * Adds a finding a source validated already (every `Finding` is a valid record, with no
   * descriptive members): as `add` gives it, without checking it again; `false` for a duplicate.
   */
  readonly addFinding: (finding: Finding) => boolean
  /**
   * Adds a finding a source validated and de-duplicated already, given as ids of its index
   * builder (see `IndexBuilder.placeIds`): a severity index, a code of `fixCodes`, and whether
   * it has a known exploit. A reader that hands findings over as ids makes no object per finding.
   */
  readonly addIds: FindingIds
  readonly freeze: (recorded?: RecordedDetails) => ScanFindingStore
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Options of {@link makeScanFindingStoreBuilder}: the index builder the store's findings are
 * counted in (default: one of its own, which de-duplicates). Give the builder of the index
 * served with the store, and both hold each string once and each finding is counted once; its
 * `dedupe` option is then the store's.
 *
 * @category model
 */
export interface ScanFindingStoreOptions {
  readonly index?: IndexBuilder
}

/**
 * A new, empty builder. A record is an Image Builder `ImageScanFinding` or a normalized
 * finding (see `ScanFindingRecord`). Descriptive members of the wrong type are dropped,
 * not fatal; timestamps may be epoch seconds, ISO 8601, a `Date`, or EventBridge's text form.
 * Each stored record is counted in the index builder (see {@link ScanFindingStoreOptions}).
 *
 * @category constructors
 */
export const makeScanFindingStoreBuilder = (
  options: ScanFindingStoreOptions = {},
): ScanFindingStoreBuilder => {
  const index = options.index ?? makeBuilder()
  const interned = new Map<string, string>()
  let rows = new Int32Array(1024)
  let size = 0
  const details: Array<ImageScanFindingDetail | undefined> = []
  const detail = detailCodec((s) => {
    const hit = interned.get(s)
    if (hit !== undefined) return hit
    interned.set(s, s)
    return s
  })
  // Keeps a finding as its index row; false for a duplicate (no row).
  const stored = (row: number): boolean => {
    if (row < 0) return false
    if (size === rows.length) rows = grown(rows, new Int32Array(size * 2))
    rows[size++] = row
    return true
  }
  return {
    addFinding: (finding) => stored(index.place(finding)),
    addIds: (account, build, pipeline, vulnerability, severity, fix, exploit) => {
      stored(index.placeIds(account, build, pipeline, vulnerability, severity, fix, 1, exploit ? 1 : 0))
    },
    add: (record) => {
      // `is` first: most records are valid, and it allocates nothing.
      if (!ScanFindingRecord.is(record)) {
        const decoded = ScanFindingRecord.decode(record)
        return Either.left(Either.isLeft(decoded) ? describeValidationErrors(decoded.left) : 'invalid')
      }
      // A normalized finding is counted as it is; an Image Builder one by its members.
      const normalized = isNormalized(record)
      if (!stored(index.place(normalized ? (record as Finding) : asFinding(record))))
        return Either.right(false)
      // A normalized finding has no descriptive members: nothing to decode or keep.
      const described = normalized ? undefined : detail.decode(record)
      const kept = described !== undefined && Either.isRight(described) ? described.right : undefined
      // Details are kept sparse: a store of normalized findings holds no entry per finding.
      if (kept !== undefined) details[size - 1] = kept
      return Either.right(true)
    },
    freeze: (recorded) => {
      interned.clear()
      const kept = trimmed(rows, size)
      return {
        _tag: 'FindingStore',
        size,
        index: index.freeze(),
        rows: kept,
        details,
        ...(recorded === undefined ? {} : { recorded }),
      }
    },
  }
}

/**
 * A store of findings (see `makeScanFindingStoreBuilder`). Give it the same findings the
 * index counts, so both operations agree. The first invalid record fails the build, named by
 * its position.
 *
 * @example
 * ```ts
 * import { scanFindingStoreOf } from '@scantally/core'
 *
 * const store = scanFindingStoreOf([
 *   { awsAccountId: '111122223333', severity: 'HIGH', packageVulnerabilityDetails: { vulnerabilityId: 'CVE-2024-6387' } },
 *   { awsAccountId: '111122223333', severity: 'LOW', vulnerabilityId: 'CVE-2023-4911' },
 * ])
 * if (store._tag === 'Right') console.log(store.right.size) // 2
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const scanFindingStoreOf = (
  records: Iterable<unknown>,
): E.Either<InvalidRequestException, ScanFindingStore> => {
  const builder = makeScanFindingStoreBuilder()
  let position = 0
  for (const record of records) {
    const added = builder.add(record)
    if (Either.isLeft(added))
      return Either.left(invalidRequest(`finding #${position} is invalid: ${added.left}`))
    position++
  }
  return Either.right(builder.freeze())
}

/**
 * The empty store.
 *
 * @category constructors
 */
export const emptyScanFindingStore: ScanFindingStore = makeScanFindingStoreBuilder().freeze()

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The rows of a store as `ImageScanFinding`s on the wire, with their descriptive members, also
 * those read back from where the store's source keeps them (see {@link RecordedDetails}); `Left`
 * when they cannot be read back as they were.
 *
 * @category utils
 */
export const imageScanFindingsAt = (
  store: ScanFindingStore,
  rows: ReadonlyArray<number>,
): E.Either<ScantallyError, ReadonlyArray<ImageScanFindingWire>> => {
  const keys = rows.map((i) => imageScanFindingAt(store, i))
  const recorded = store.recorded
  if (recorded === undefined || rows.length === 0) return Either.right(keys)
  return Either.map((details: ReadonlyArray<ImageScanFindingDetail | undefined>) =>
    rows.map((i, k) =>
      details[k] === undefined ? (keys[k] as ImageScanFindingWire) : imageScanFindingAt(store, i, details[k]),
    ),
  )(recorded.read(rows, keys))
}

/**
 * Row `i` of a store as an `ImageScanFinding` on the wire, members in the model's order: its
 * key members and the descriptive ones the store holds (or `detail`, read back from elsewhere).
 *
 * @category utils
 */
export const imageScanFindingAt = (
  store: ScanFindingStore,
  i: number,
  detail: ImageScanFindingDetail = store.details[i] ?? {},
): ImageScanFindingWire => {
  const ix = store.index
  const row = store.rows[i] as number
  const str = (k: GroupKey) => {
    const id = ix.columns[k][row]
    return id === undefined || id === 0 ? undefined : ix.dictionaries[k][id]
  }
  const vulnerabilityId = str('vulnerabilityId')
  const out: Record<string, unknown> = {
    awsAccountId: str('accountId'),
    imageBuildVersionArn: str('imageBuildVersionArn'),
    imagePipelineArn: str('imagePipelineArn'),
    type: detail.type,
    description: detail.description,
    title: detail.title,
    remediation: detail.remediation,
    severity: severities[ix.severity[row] as number],
    firstObservedAt: detail.firstObservedAt,
    updatedAt: detail.updatedAt,
    inspectorScore: detail.inspectorScore,
    inspectorScoreDetails: detail.inspectorScoreDetails,
    packageVulnerabilityDetails:
      vulnerabilityId === undefined ? undefined : { vulnerabilityId, ...detail.packageVulnerabilityDetails },
    fixAvailable: fixCodes[ix.fix[row] as number],
  }
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k]
  return out as ImageScanFindingWire
}

// A record with no member but a normalized finding's (what sources hand out) describes nothing.
const normalizedMembers: ReadonlySet<string> = new Set(Finding.types.flatMap((c) => Object.keys(c.props)))
const isNormalized = (record: object): boolean => {
  for (const k in record) if (!normalizedMembers.has(k)) return false
  return true
}

// An Image Builder finding's key members as the finding the index counts.
const asFinding = (record: t.TypeOf<typeof ScanFindingRecord>): Finding => {
  const vulnerabilityId = record.vulnerabilityId ?? record.packageVulnerabilityDetails?.vulnerabilityId
  return {
    awsAccountId: record.awsAccountId,
    severity: record.severity,
    ...(record.findingArn === undefined ? {} : { findingArn: record.findingArn }),
    ...(record.imageBuildVersionArn === undefined
      ? {}
      : { imageBuildVersionArn: record.imageBuildVersionArn }),
    ...(record.imagePipelineArn === undefined ? {} : { imagePipelineArn: record.imagePipelineArn }),
    ...(vulnerabilityId === undefined ? {} : { vulnerabilityId }),
    ...(record.fixAvailable === undefined ? {} : { fixAvailable: record.fixAvailable }),
  }
}
