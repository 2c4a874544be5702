/**
 * A whole Image Builder `ImageScanFinding` as `ListImageScanFindings` sends it (restJson1):
 * the key members {@link ImageScanFinding} validates, and the descriptive members of the model
 * (`type`, `title`, `description`, `remediation`, timestamps, `inspectorScore`,
 * `inspectorScoreDetails`, the rest of `packageVulnerabilityDetails`).
 *
 * The descriptive members are codecs too, but lenient ones: {@link ImageScanFinding} tolerates
 * them whatever their shape, so here a member of the wrong type is dropped rather than failing
 * the record, unknown members are left out, and timestamps become epoch seconds.
 *
 * @module
 */
import * as t from 'io-ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a lenient structure of member codecs decodes to: each member optional, never present
 * as `undefined`.
 *
 * @category model
 * @since 0.1.0
 */
export type Kept<P extends t.Props> = { readonly [K in keyof P]?: NonNullable<t.TypeOf<P[K]>> }

/**
 * The descriptive members of one finding, as kept (see {@link detailCodec});
 * `packageVulnerabilityDetails` here lacks `vulnerabilityId`, a key member.
 *
 * @category model
 * @since 0.1.0
 */
export type ImageScanFindingDetail = NonNullable<t.TypeOf<ReturnType<typeof detailCodec>>>

/**
 * An Image Builder `ImageScanFinding` as it travels on the wire: every member optional,
 * timestamps in epoch seconds.
 *
 * @example
 * ```ts
 * import type { ImageScanFindingWire } from '@scantally/core'
 *
 * const summary = (f: ImageScanFindingWire): string =>
 *   `${f.severity ?? '?'} ${f.packageVulnerabilityDetails?.vulnerabilityId ?? ''} ${f.title ?? ''}`.trim()
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export type ImageScanFindingWire = Omit<ImageScanFindingDetail, 'packageVulnerabilityDetails'> & {
  readonly awsAccountId?: string
  readonly imageBuildVersionArn?: string
  readonly imagePipelineArn?: string
  readonly severity?: string
  readonly packageVulnerabilityDetails?: { readonly vulnerabilityId: string } & NonNullable<
    ImageScanFindingDetail['packageVulnerabilityDetails']
  >
  readonly fixAvailable?: string
}

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/**
 * Codec for a timestamp as the sources give it (epoch seconds, numeric text, ISO 8601,
 * EventBridge's `Wed Sep 04 16:59:44.356 UTC 2024`, a `Date`), decoded to epoch seconds.
 *
 * @category codecs
 */
export const EpochSeconds = new t.Type<number, number, unknown>(
  'EpochSeconds',
  (u): u is number => typeof u === 'number' && Number.isFinite(u),
  (u, c) => {
    const s = toEpochSeconds(u)
    return s === undefined ? t.failure(u, c, 'must be a timestamp') : t.success(s)
  },
  t.identity,
)

/**
 * The lenient codec of the descriptive members, in the model's member order. `intern` is
 * applied to every string kept, so a store of many findings holds each text once.
 *
 * @example
 * ```ts
 * import { detailCodec } from '@scantally/core'
 *
 * const detail = detailCodec().decode({
 *   title: 'CVE-2024-6387 - openssh',
 *   firstObservedAt: '2024-09-04T16:59:44.356Z',
 *   inspectorScore: 'not a number',
 * })
 * // Right({ title: 'CVE-2024-6387 - openssh', firstObservedAt: 1725469184.356 }): the bad score is dropped
 * ```
 *
 * @category codecs
 * @since 0.1.0
 */
export const detailCodec = (intern: (s: string) => string = (s) => s) => {
  const text = new t.Type<string, string, unknown>(
    'String',
    (u): u is string => typeof u === 'string',
    (u, c) => (typeof u === 'string' ? t.success(intern(u)) : t.failure(u, c)),
    t.identity,
  )
  const cvssScoreDetails = kept('CvssScoreDetails', {
    scoreSource: text,
    cvssSource: text,
    version: text,
    score: finite,
    scoringVector: text,
    adjustments: keptList(kept('CvssScoreAdjustment', { metric: text, reason: text })),
  })
  return kept('ImageScanFindingDetail', {
    type: text,
    description: text,
    title: text,
    remediation: kept('Remediation', {
      recommendation: kept('Recommendation', { text: text, url: text }),
    }),
    firstObservedAt: EpochSeconds,
    updatedAt: EpochSeconds,
    inspectorScore: finite,
    inspectorScoreDetails: kept('InspectorScoreDetails', { adjustedCvss: cvssScoreDetails }),
    packageVulnerabilityDetails: kept('PackageVulnerabilityDetails', {
      vulnerablePackages: keptList(
        kept('VulnerablePackage', {
          name: text,
          version: text,
          sourceLayerHash: text,
          epoch: finite,
          release: text,
          arch: text,
          packageManager: text,
          filePath: text,
          fixedInVersion: text,
          remediation: text,
        }),
      ),
      source: text,
      cvss: keptList(
        kept('CvssScore', { baseScore: finite, scoringVector: text, version: text, source: text }),
      ),
      relatedVulnerabilities: keptList(text),
      sourceUrl: text,
      vendorSeverity: text,
      vendorCreatedAt: EpochSeconds,
      vendorUpdatedAt: EpochSeconds,
      referenceUrls: keptList(text),
    }),
  })
}

/**
 * The descriptive members of an Image Builder `ImageScanFinding` record, as
 * {@link detailCodec} keeps them (what an Image Builder export holds is served as it is).
 *
 * @category codecs
 */
export const imageScanFindingDetail = (u: unknown): ImageScanFindingDetail | undefined => {
  const decoded = plainDetail.decode(u)
  return decoded._tag === 'Right' ? decoded.right : undefined
}

/**
 * The descriptive members of the `ImageScanFinding` Image Builder makes of an Inspector v2
 * finding. Image Builder's members are Inspector's, by the same names and types (`type`,
 * `title`, `description`, `firstObservedAt`, `updatedAt`, `inspectorScore`,
 * `inspectorScoreDetails.adjustedCvss`, and `packageVulnerabilityDetails` with its `cvss`,
 * `vulnerablePackages`, `referenceUrls`, vendor dates…), but for one spelling: Inspector's
 * `remediation.recommendation.Url` is Image Builder's `url`. Inspector's members Image Builder
 * has no place for (`lastObservedAt`, `status`, `resources`, `epss`, a package's
 * `sourceLambdaLayerArn`, …) are left out. See docs/server.md.
 *
 * @category codecs
 */
export const inspectorFindingDetail = (u: unknown): ImageScanFindingDetail | undefined => {
  if (!isRecord(u)) return undefined
  const remediation = u.remediation
  if (!isRecord(remediation)) return imageScanFindingDetail(u)
  const recommendation = remediation.recommendation
  if (!isRecord(recommendation) || !('Url' in recommendation)) return imageScanFindingDetail(u)
  const { Url, ...rest } = recommendation
  return imageScanFindingDetail({
    ...u,
    remediation: { ...remediation, recommendation: { ...rest, url: Url } },
  })
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Epoch seconds of a timestamp given as epoch seconds, a `Date`, or text `Date.parse` reads
 * (ISO 8601, EventBridge's `Wed Sep 04 16:59:44.356 UTC 2024`); `undefined` otherwise.
 *
 * @category utils
 */
export const toEpochSeconds = (u: unknown): number | undefined => {
  if (typeof u === 'number') return Number.isFinite(u) ? u : undefined
  if (u instanceof Date) return Number.isNaN(u.getTime()) ? undefined : u.getTime() / 1000
  if (typeof u !== 'string') return undefined
  if (/^-?\d+(\.\d+)?$/.test(u.trim())) return Number(u)
  const ms = Date.parse(u)
  return Number.isNaN(ms) ? undefined : ms / 1000
}

const finite = new t.Type<number, number, unknown>(
  'FiniteNumber',
  (u): u is number => typeof u === 'number' && Number.isFinite(u),
  (u, c) => (typeof u === 'number' && Number.isFinite(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
)

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

// A structure that never fails: the members that decode are kept, the others dropped; nothing
// kept (or not a structure at all) decodes to `undefined`.
const kept = <P extends t.Props>(name: string, props: P): t.Type<Kept<P> | undefined, unknown, unknown> =>
  new t.Type<Kept<P> | undefined, unknown, unknown>(
    name,
    (u): u is Kept<P> | undefined => u === undefined || isRecord(u),
    (u, c) => {
      if (!isRecord(u)) return t.success(undefined)
      const out: Record<string, unknown> = {}
      let any = false
      for (const [k, codec] of Object.entries(props)) {
        const r = codec.validate(u[k], t.appendContext(c, k, codec, u[k]))
        if (r._tag === 'Right' && r.right !== undefined) {
          out[k] = r.right
          any = true
        }
      }
      return t.success(any ? (out as Kept<P>) : undefined)
    },
    t.identity,
  )

// A list that never fails: the items that decode are kept; none kept decodes to `undefined`.
const keptList = <C extends t.Mixed>(
  item: C,
): t.Type<ReadonlyArray<NonNullable<t.TypeOf<C>>> | undefined, unknown, unknown> =>
  new t.Type<ReadonlyArray<NonNullable<t.TypeOf<C>>> | undefined, unknown, unknown>(
    `ReadonlyArray<${item.name}>`,
    (u): u is ReadonlyArray<NonNullable<t.TypeOf<C>>> | undefined => u === undefined || Array.isArray(u),
    (u, c) => {
      if (!Array.isArray(u)) return t.success(undefined)
      const out: Array<NonNullable<t.TypeOf<C>>> = []
      u.forEach((x, i) => {
        const r = item.validate(x, t.appendContext(c, String(i), item, x))
        if (r._tag === 'Right' && r.right !== undefined) out.push(r.right)
      })
      return t.success(out.length === 0 ? undefined : out)
    },
    t.identity,
  )

const plainDetail = detailCodec()
