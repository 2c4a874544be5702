/**
 * AWS Security Hub findings in the AWS Security Finding Format (ASFF) that Amazon Inspector
 * sent (`ProductName: "Inspector"`): the items of `GetFindings` output and of the
 * `detail.findings` of EventBridge "Security Hub Findings - Imported" events, and how one maps
 * onto a normalized {@link Finding}, as the Inspector finding it was made from would.
 *
 * - `AwsAccountId` is the account; `Id` (Inspector's finding ARN) the `findingArn`, so a finding
 *   exported both ways counts once;
 * - `Severity.Label` is the severity, except that Inspector's `UNTRIAGED`, which has no label of
 *   its own (Security Hub shows it as `INFORMATIONAL`), is kept from `Severity.Original`;
 * - the first of `Vulnerabilities` gives `vulnerabilityId` (its `Id`), `fixAvailable` and
 *   `exploitAvailable`;
 * - the `Ec2ImageBuilderArn` tag of the first of `Resources` that has one links the image build;
 * - the status is Inspector's: `RecordState: ARCHIVED` is `CLOSED` (Inspector archives the
 *   findings it closes), else `Workflow.Status` `SUPPRESSED` is `SUPPRESSED` and `RESOLVED` is
 *   `CLOSED`, else (`NEW`, `NOTIFIED`, none) `ACTIVE`; the same `statuses` option then decides.
 *
 * Every other member is tolerated whatever its shape and ignored. A finding from another product
 * is invalid: it is not a vulnerability finding this engine knows how to count.
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { AccountId, ExploitAvailable, FixAvailable, KeyString } from './Finding.js'
import { type Classified, excluded } from './IngestReport.js'
import {
  countsStatus,
  type FindingStatus,
  type InspectorMappingOptions,
  imageBuilderTag,
} from './InspectorFinding.js'
import { linkedFinding, mapping } from './Linkage.js'
import type { Severity } from './Severity.js'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/**
 * Codec for an ASFF `Severity.Label` (Security Hub has no `UNTRIAGED` label).
 *
 * @category codecs
 */
export const AsffSeverityLabel = t.keyof({
  INFORMATIONAL: null,
  LOW: null,
  MEDIUM: null,
  HIGH: null,
  CRITICAL: null,
})

/**
 * Codec for the subset of an ASFF finding from Inspector the engine uses. Extra members pass
 * untouched, whatever their type.
 *
 * @example
 * ```ts
 * import { AsffFinding } from '@scantally/core'
 *
 * const raw: unknown = { AwsAccountId: '111122223333', ProductName: 'Inspector', Severity: { Label: 'HIGH' } }
 * console.log(AsffFinding.is(raw)) // true
 * console.log(AsffFinding.is({ AwsAccountId: '111122223333', ProductName: 'GuardDuty', Severity: { Label: 'HIGH' } })) // false
 * ```
 *
 * @category codecs
 * @since 0.1.0
 */
export const AsffFinding = t.intersection(
  [
    t.type({
      AwsAccountId: AccountId,
      ProductName: t.literal('Inspector'),
      Severity: t.intersection([t.type({ Label: AsffSeverityLabel }), t.partial({ Original: t.unknown })]),
    }),
    t.partial({
      Id: KeyString,
      RecordState: t.keyof({ ACTIVE: null, ARCHIVED: null }),
      Workflow: t.union([
        t.partial({ Status: t.keyof({ NEW: null, NOTIFIED: null, RESOLVED: null, SUPPRESSED: null }) }),
        t.null,
      ]),
      Vulnerabilities: t.union([
        t.array(t.partial({ Id: KeyString, FixAvailable: FixAvailable, ExploitAvailable: ExploitAvailable })),
        t.null,
      ]),
      Resources: t.union([
        t.array(t.partial({ Tags: t.union([t.partial({ [imageBuilderTag]: KeyString }), t.null]) })),
        t.null,
      ]),
    }),
  ],
  'AsffFinding',
)

/**
 * An ASFF finding from Inspector, as far as the engine reads it.
 *
 * @category model
 * @since 0.1.0
 */
export type AsffFinding = t.TypeOf<typeof AsffFinding>

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The Inspector status an ASFF finding stands for (see the module notes).
 *
 * @category utils
 */
export const asffStatus = (f: AsffFinding): FindingStatus => {
  if (f.RecordState === 'ARCHIVED') return 'CLOSED'
  const w = f.Workflow?.Status
  return w === 'SUPPRESSED' ? 'SUPPRESSED' : w === 'RESOLVED' ? 'CLOSED' : 'ACTIVE'
}

/**
 * The severity an ASFF finding stands for: its label, or `UNTRIAGED` when that was Inspector's.
 *
 * @category utils
 */
export const asffSeverity = (f: AsffFinding): Severity =>
  f.Severity.Original === 'UNTRIAGED' ? 'UNTRIAGED' : f.Severity.Label

/**
 * Maps a raw ASFF finding (anything: it is validated here) onto a normalized finding, with the
 * Inspector mapping options. `Left` holds why the record is invalid (a finding from another
 * product among them); `Right` says whether it counts, exactly as for the Inspector finding.
 *
 * @example
 * ```ts
 * import { fromAsffFinding } from '@scantally/core'
 *
 * const mapped = fromAsffFinding({
 *   Id: 'arn:aws:inspector2:us-east-1:111122223333:finding/0a1b2c3d',
 *   AwsAccountId: '111122223333',
 *   ProductName: 'Inspector',
 *   Severity: { Label: 'CRITICAL' },
 *   Vulnerabilities: [{ Id: 'CVE-2024-6387', FixAvailable: 'YES' }],
 *   Resources: [{ Tags: { Ec2ImageBuilderArn: 'arn:aws:imagebuilder:us-east-1:111122223333:image/web/1.0.0/1' } }],
 *   RecordState: 'ACTIVE',
 *   Workflow: { Status: 'NEW' },
 * })
 * // Right({ _tag: 'Counted', finding: { awsAccountId, severity: 'CRITICAL', imageBuildVersionArn, vulnerabilityId, findingArn, fixAvailable } })
 * ```
 *
 * @category utils
 * @since 0.1.0
 */
export const fromAsffFinding: (
  raw: unknown,
  options?: InspectorMappingOptions,
) => E.Either<string, Classified> = mapping(AsffFinding, (f, options: InspectorMappingOptions) => {
  if (!countsStatus(asffStatus(f), options)) return excluded('notActive')
  const v = f.Vulnerabilities?.[0]
  let build: KeyString | undefined
  for (const r of f.Resources ?? []) {
    build = r.Tags?.[imageBuilderTag]
    if (build !== undefined) break
  }
  const common = {
    awsAccountId: f.AwsAccountId,
    severity: asffSeverity(f),
    packageVulnerabilityDetails: v?.Id === undefined ? null : { vulnerabilityId: v.Id },
    ...(v?.FixAvailable === undefined ? {} : { fixAvailable: v.FixAvailable }),
  }
  const inspector = {
    ...(f.Id === undefined ? {} : { findingArn: f.Id }),
    ...(v?.ExploitAvailable === undefined ? {} : { exploitAvailable: v.ExploitAvailable }),
  }
  return linkedFinding(common, inspector, build, undefined, options)
})
