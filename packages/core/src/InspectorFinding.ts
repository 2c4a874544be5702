/**
 * Amazon Inspector v2 findings (`ListFindings` items, findings-report records, the `detail` of
 * EventBridge "Inspector2 Finding" events) and how one maps onto a normalized {@link Finding}.
 *
 * The codec validates only what the engine uses: account, severity, status, finding ARN, the
 * vulnerability id, the `Ec2ImageBuilderArn` resource tag, `fixAvailable` and
 * `exploitAvailable`. Every other field (title, description, timestamps, scores, remediation,
 * other tags, …) is tolerated whatever its shape and ignored, so an export whose descriptive
 * fields stray from the model still aggregates.
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { AccountId, ExploitAvailable, FixAvailable, KeyString } from './Finding.js'
import { type Classified, excluded, type PipelineResolver } from './IngestReport.js'
import { linkedFinding, mapping } from './Linkage.js'
import { Severity } from './Severity.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Every status Inspector v2 gives a finding.
 *
 * @example
 * ```ts
 * import { findingStatuses, fromInspectorFinding } from '@scantally/core'
 *
 * // Count every finding whatever its status, not only ACTIVE ones.
 * const mapped = fromInspectorFinding(
 *   { awsAccountId: '111122223333', severity: 'LOW', status: 'SUPPRESSED' },
 *   { statuses: findingStatuses, includeUnlinked: true },
 * )
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export const findingStatuses = ['ACTIVE', 'SUPPRESSED', 'CLOSED'] as const

/**
 * Codec for an Inspector finding status (exact, case-sensitive).
 *
 * @category codecs
 * @since 0.1.0
 */
export const FindingStatus = t.keyof({ ACTIVE: null, SUPPRESSED: null, CLOSED: null })

/**
 * One of {@link findingStatuses}.
 *
 * @category model
 * @since 0.1.0
 */
export type FindingStatus = t.TypeOf<typeof FindingStatus>

/**
 * The resource tag Image Builder puts on the instances it builds and scans; its value is the
 * image build version ARN, which is how an Inspector finding links to an image.
 *
 * @category model
 */
export const imageBuilderTag = 'Ec2ImageBuilderArn'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/**
 * Codec for the part of an Inspector resource the engine reads: the `Ec2ImageBuilderArn` tag.
 * Other tags and resource fields are ignored; `tags: null` reads as no tags.
 *
 * @category codecs
 */
export const InspectorResource = t.partial(
  { tags: t.union([t.partial({ [imageBuilderTag]: KeyString }), t.null]) },
  'InspectorResource',
)

/**
 * Codec for the subset of an Inspector v2 `Finding` the engine uses. Extra fields pass
 * untouched (io-ts `type`/`partial` are not exact), whatever their type.
 *
 * @example
 * ```ts
 * import { InspectorFinding } from '@scantally/core'
 *
 * const decoded = InspectorFinding.decode({ awsAccountId: '111122223333', severity: 'LOW', status: 'SUPPRESSED', title: 'ignored' })
 * if (decoded._tag === 'Right') console.log(decoded.right.status) // 'SUPPRESSED'
 * ```
 *
 * @category codecs
 * @since 0.1.0
 */
export const InspectorFinding = t.intersection(
  [
    t.type({ awsAccountId: AccountId, severity: Severity, status: FindingStatus }),
    t.partial({
      findingArn: KeyString,
      resources: t.union([t.array(InspectorResource), t.null]),
      packageVulnerabilityDetails: t.union([t.partial({ vulnerabilityId: KeyString }), t.null]),
      fixAvailable: FixAvailable,
      exploitAvailable: ExploitAvailable,
    }),
  ],
  'InspectorFinding',
)

/**
 * An Inspector v2 finding, as far as the engine reads it.
 *
 * @category model
 * @since 0.1.0
 */
export type InspectorFinding = t.TypeOf<typeof InspectorFinding>

/**
 * How Inspector findings map onto normalized findings.
 * - `statuses`: the statuses that count (default `['ACTIVE']`, as Image Builder counts);
 * - `resolvePipeline`: finds the pipeline of an image build version (default: none known);
 * - `includeUnlinked`: count findings with no `Ec2ImageBuilderArn` tag too (default `false`);
 *   they then fall only into the accountId and vulnerabilityId groupings.
 *
 * @example
 * ```ts
 * import { fromInspectorFinding, type InspectorMappingOptions } from '@scantally/core'
 *
 * const options: InspectorMappingOptions = { statuses: ['ACTIVE', 'SUPPRESSED'], includeUnlinked: true }
 * const mapped = fromInspectorFinding({ awsAccountId: '111122223333', severity: 'HIGH', status: 'SUPPRESSED' }, options)
 * // Right({ _tag: 'Counted', finding: { awsAccountId: '111122223333', severity: 'HIGH' } })
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export interface InspectorMappingOptions {
  readonly statuses?: ReadonlyArray<FindingStatus>
  readonly resolvePipeline?: PipelineResolver
  readonly includeUnlinked?: boolean
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The image build version ARN an Inspector finding is linked to: the `Ec2ImageBuilderArn` tag
 * of its first resource that has one.
 *
 * @category utils
 */
export const imageBuildVersionArnOf = (f: InspectorFinding): KeyString | undefined => {
  for (const r of f.resources ?? []) {
    const arn = r.tags?.[imageBuilderTag]
    if (arn !== undefined) return arn
  }
  return undefined
}

/**
 * Maps a raw Inspector v2 finding (anything: it is validated here) onto a normalized finding.
 * `Left` holds why the record is invalid; `Right` says whether it counts: a status outside
 * `statuses` is excluded as `notActive`, a finding without image build linkage as
 * `noImageLinkage` unless `includeUnlinked`. Duplicates are for the caller to decide, since
 * that needs every record read so far.
 *
 * @example
 * ```ts
 * import { fromInspectorFinding } from '@scantally/core'
 *
 * const mapped = fromInspectorFinding({
 *   awsAccountId: '111122223333',
 *   severity: 'CRITICAL',
 *   status: 'ACTIVE',
 *   findingArn: 'arn:aws:inspector2:us-east-1:111122223333:finding/0a1b2c3d',
 *   resources: [{ tags: { Ec2ImageBuilderArn: 'arn:aws:imagebuilder:us-east-1:111122223333:image/web/1.0.0/1' } }],
 *   packageVulnerabilityDetails: { vulnerabilityId: 'CVE-2024-6387' },
 * })
 * // Right({ _tag: 'Counted', finding: { awsAccountId, severity: 'CRITICAL', imageBuildVersionArn, vulnerabilityId, findingArn } })
 * ```
 *
 * @category utils
 * @since 0.1.0
 */
export const fromInspectorFinding: (
  raw: unknown,
  options?: InspectorMappingOptions,
) => E.Either<string, Classified> = mapping(InspectorFinding, (f, options: InspectorMappingOptions) =>
  countsStatus(f.status, options)
    ? linkedFinding(f, f, imageBuildVersionArnOf(f), undefined, options)
    : excluded('notActive'),
)

const defaultStatuses: ReadonlyArray<FindingStatus> = ['ACTIVE']

/**
 * Whether findings of a status count under the options (by default only `ACTIVE` ones do).
 *
 * @category utils
 */
export const countsStatus = (status: FindingStatus, options: InspectorMappingOptions): boolean =>
  (options.statuses ?? defaultStatuses).includes(status)
