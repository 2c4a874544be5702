/**
 * The findings `ListImageScanFindings` lists: a compact, immutable store in the order the
 * findings were added. Records are validated by core's codecs: the key members by
 * {@link ImageScanFinding} (a normalized {@link Finding}'s top-level `vulnerabilityId` and
 * `findingArn` by the same {@link KeyString}), the descriptive ones by the lenient
 * {@link detailCodec}. Key members live in typed columns over one string dictionary; the
 * descriptive part is kept as far as the wire shape has it, with its strings interned.
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { type InvalidRequestException, invalidRequest, type ScantallyError } from './Errors.js'
import { Finding, KeyString } from './Finding.js'
import { fixCodes } from './FindingIndex.js'
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
 * An immutable store of findings. Row `i` has its account, image build version, pipeline and
 * vulnerability as ids into `strings` (0 = absent), its severity as an index into
 * `severities`, its `fixAvailable` as a code into `fixCodes`, and its descriptive members, if
 * any, in `details[i]` (those of records given whole) or behind `recorded` (those of a source's
 * records, read back a page at a time, see {@link RecordedDetails}).
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
  readonly strings: ReadonlyArray<string>
  readonly ids: ReadonlyMap<string, number>
  readonly account: Int32Array
  readonly build: Int32Array
  readonly pipeline: Int32Array
  readonly vulnerability: Int32Array
  readonly severity: Uint8Array
  readonly fix: Uint8Array
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
  readonly freeze: (recorded?: RecordedDetails) => ScanFindingStore
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A new, empty builder. A record is an Image Builder `ImageScanFinding` or a normalized
 * finding (see `ScanFindingRecord`). Descriptive members of the wrong type are dropped,
 * not fatal; timestamps may be epoch seconds, ISO 8601, a `Date`, or EventBridge's text form.
 *
 * @category constructors
 */
export const makeScanFindingStoreBuilder = (): ScanFindingStoreBuilder => {
  const strings: string[] = ['']
  const ids = new Map<string, number>()
  const interned = new Map<string, string>()
  const account: number[] = []
  const build: number[] = []
  const pipeline: number[] = []
  const vulnerability: number[] = []
  const severity: number[] = []
  const fix: number[] = []
  const details: Array<ImageScanFindingDetail | undefined> = []
  const seen = new Set<string>()
  const idOf = (s: string | undefined): number => {
    if (s === undefined) return 0
    let id = ids.get(s)
    if (id === undefined) {
      id = strings.length
      strings.push(s)
      ids.set(s, id)
    }
    return id
  }
  const detail = detailCodec((s) => {
    const hit = interned.get(s)
    if (hit !== undefined) return hit
    interned.set(s, s)
    return s
  })
  return {
    add: (record) => {
      // `is` first: most records are valid, and it allocates nothing.
      if (!ScanFindingRecord.is(record)) {
        const decoded = ScanFindingRecord.decode(record)
        return Either.left(Either.isLeft(decoded) ? describeValidationErrors(decoded.left) : 'invalid')
      }
      if (record.findingArn !== undefined) {
        if (seen.has(record.findingArn)) return Either.right(false)
        seen.add(record.findingArn)
      }
      account.push(idOf(record.awsAccountId))
      build.push(idOf(record.imageBuildVersionArn))
      pipeline.push(idOf(record.imagePipelineArn))
      vulnerability.push(idOf(record.vulnerabilityId ?? record.packageVulnerabilityDetails?.vulnerabilityId))
      severity.push(severities.indexOf(record.severity))
      fix.push(record.fixAvailable === undefined ? 0 : fixCodes.indexOf(record.fixAvailable))
      // A normalized finding has no descriptive members: nothing to decode or keep.
      const described = isNormalized(record) ? undefined : detail.decode(record)
      details.push(described !== undefined && Either.isRight(described) ? described.right : undefined)
      return Either.right(true)
    },
    freeze: (recorded) => {
      seen.clear()
      interned.clear()
      return {
        _tag: 'FindingStore',
        size: account.length,
        strings,
        ids,
        account: Int32Array.from(account),
        build: Int32Array.from(build),
        pipeline: Int32Array.from(pipeline),
        vulnerability: Int32Array.from(vulnerability),
        severity: Uint8Array.from(severity),
        fix: Uint8Array.from(fix),
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
  const str = (id: number | undefined) => (id === undefined || id === 0 ? undefined : store.strings[id])
  const vulnerabilityId = str(store.vulnerability[i])
  const out: Record<string, unknown> = {
    awsAccountId: str(store.account[i]),
    imageBuildVersionArn: str(store.build[i]),
    imagePipelineArn: str(store.pipeline[i]),
    type: detail.type,
    description: detail.description,
    title: detail.title,
    remediation: detail.remediation,
    severity: severities[store.severity[i] as number],
    firstObservedAt: detail.firstObservedAt,
    updatedAt: detail.updatedAt,
    inspectorScore: detail.inspectorScore,
    inspectorScoreDetails: detail.inspectorScoreDetails,
    packageVulnerabilityDetails:
      vulnerabilityId === undefined ? undefined : { vulnerabilityId, ...detail.packageVulnerabilityDetails },
    fixAvailable: fixCodes[store.fix[i] as number],
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
