/**
 * fast-check arbitraries derived from the codecs' own literal lists, so generators never drift
 * from the model. Used by the tests of this package and of the packages that build on it.
 *
 * @module
 */
import fc from 'fast-check'
import {
  type AccountId,
  exploitAvailableValues,
  type Finding,
  fixAvailableValues,
  groupKeys,
  type KeyString,
} from './Finding.js'
import { type Criterion, comparisons, criterionFields, type Query, sortFields, sortOrders } from './Query.js'
import { filterValuePattern } from './Request.js'
import { severities } from './Severity.js'

/**
 * A severity, from the vocabulary the Severity codec is built from.
 *
 * @category arbitraries
 */
export const severityArb = fc.constantFrom(...severities)

/**
 * An account id from a small pool, so groups collide.
 *
 * @category arbitraries
 */
export const accountIdArb: fc.Arbitrary<AccountId> = fc
  .constantFrom('111111111111', '222222222222', '333333333333', '012345678901')
  .map((s) => s as AccountId)

const arn = (kind: string) =>
  fc
    .tuple(
      fc.constantFrom('111111111111', '222222222222'),
      fc.constantFrom('web', 'db', 'app-2', 'Zeta', 'a.b'),
      fc.nat(3),
    )
    .map(
      ([acct, name, n]) =>
        `arn:aws:imagebuilder:us-east-1:${acct}:${kind}/${name}${kind === 'image' ? `/1.0.${n}/1` : ''}` as KeyString,
    )

/**
 * A vulnerability id from a pool that also holds strings that sort differently by locale and by
 * code unit, and characters outside the AWS filter pattern.
 *
 * @category arbitraries
 */
export const vulnerabilityIdArb: fc.Arbitrary<KeyString> = fc
  .oneof(
    fc.constantFrom(
      'CVE-2024-0001',
      'CVE-2024-0002',
      'CVE-2023-9999',
      'GHSA-abcd',
      'a-lower',
      'Z-upper',
      'émoji-é',
      '😀-astral',
    ),
    fc.string({ minLength: 1, maxLength: 6 }),
  )
  .map((s) => s as KeyString)

/**
 * A normalized finding; optional members are sometimes absent.
 *
 * @category arbitraries
 */
export const findingArb = (options: { readonly arns?: boolean } = {}): fc.Arbitrary<Finding> =>
  fc
    .record(
      {
        awsAccountId: accountIdArb,
        severity: severityArb,
        imageBuildVersionArn: arn('image'),
        imagePipelineArn: arn('image-pipeline'),
        vulnerabilityId: vulnerabilityIdArb,
        findingArn: fc
          .nat(400)
          .map((n) => `arn:aws:inspector2:us-east-1:111111111111:finding/${n}` as KeyString),
        fixAvailable: fc.constantFrom(...fixAvailableValues),
        exploitAvailable: fc.constantFrom(...exploitAvailableValues),
      },
      {
        requiredKeys: ['awsAccountId', 'severity'],
      },
    )
    .map((f) => {
      if (options.arns === false) {
        const { findingArn: _drop, ...rest } = f
        return rest as Finding
      }
      return f as Finding
    })

/**
 * A raw Amazon Inspector v2 finding (`ListFindings` shape) linked to an image build, with every
 * member Image Builder's `ImageScanFinding` carries over sometimes present, members it has no
 * place for (`lastObservedAt`, `status`, `resources`, a package's `sourceLambdaLayerArn`), and
 * timestamps as epoch seconds or ISO 8601. `n` makes its `findingArn` unique.
 *
 * @category arbitraries
 */
export const inspectorRecordArb = (n: number): fc.Arbitrary<Readonly<Record<string, unknown>>> => {
  const text = fc.string({ minLength: 1, maxLength: 12 })
  const score = fc.integer({ min: 0, max: 100 }).map((x) => x / 10)
  const when = fc
    .integer({ min: 1_500_000_000, max: 1_900_000_000 })
    .chain((s) => fc.constantFrom<number | string>(s, new Date(s * 1000).toISOString()))
  const optional = <T>(members: { [K in keyof T]: fc.Arbitrary<T[K]> }) =>
    fc.record(members, { requiredKeys: [] })
  return fc
    .record({
      awsAccountId: accountIdArb,
      severity: severityArb,
      build: arn('image'),
      vulnerabilityId: vulnerabilityIdArb,
      described: optional({
        type: fc.constantFrom('PACKAGE_VULNERABILITY', 'NETWORK_REACHABILITY'),
        title: text,
        description: text,
        remediation: optional({ recommendation: optional({ text: text, Url: text }) }),
        firstObservedAt: when,
        lastObservedAt: when,
        updatedAt: when,
        inspectorScore: score,
        inspectorScoreDetails: optional({
          adjustedCvss: optional({
            scoreSource: text,
            cvssSource: text,
            version: text,
            score: score,
            scoringVector: text,
            adjustments: fc.array(optional({ metric: text, reason: text }), { maxLength: 2 }),
          }),
        }),
        fixAvailable: fc.constantFrom(...fixAvailableValues),
      }),
      details: optional({
        vulnerablePackages: fc.array(
          optional({
            name: text,
            version: text,
            sourceLayerHash: text,
            epoch: fc.integer({ min: 0, max: 3 }),
            release: text,
            arch: text,
            packageManager: text,
            filePath: text,
            fixedInVersion: text,
            remediation: text,
            sourceLambdaLayerArn: text,
          }),
          { maxLength: 3 },
        ),
        source: text,
        cvss: fc.array(optional({ baseScore: score, scoringVector: text, version: text, source: text }), {
          maxLength: 2,
        }),
        relatedVulnerabilities: fc.array(text, { maxLength: 2 }),
        sourceUrl: text,
        vendorSeverity: text,
        vendorCreatedAt: when,
        vendorUpdatedAt: when,
        referenceUrls: fc.array(text, { maxLength: 2 }),
      }),
    })
    .map(({ awsAccountId, severity, build, vulnerabilityId, described, details }) => ({
      findingArn: `arn:aws:inspector2:us-east-1:${awsAccountId}:finding/${n}`,
      awsAccountId,
      severity,
      status: 'ACTIVE',
      ...described,
      resources: [{ type: 'AWS_EC2_INSTANCE', id: `i-${n}`, tags: { Ec2ImageBuilderArn: build } }],
      packageVulnerabilityDetails: { vulnerabilityId, ...details },
    }))
}

/**
 * Findings with unique `findingArn`s (or none), so counts are not affected by de-duplication.
 *
 * @category arbitraries
 */
export const uniqueFindingsArb = (maxLength = 60): fc.Arbitrary<ReadonlyArray<Finding>> =>
  fc.array(findingArb({ arns: false }), { maxLength })

/**
 * A filter criterion over the query's fields, with values drawn from what findings hold.
 *
 * @category arbitraries
 */
export const criterionArb: fc.Arbitrary<Criterion> = fc.constantFrom(...criterionFields).chain((field) =>
  fc.record({
    field: fc.constant(field),
    comparison: fc.constantFrom(...comparisons),
    value:
      field === 'severity'
        ? severityArb
        : field === 'fixAvailable'
          ? fc.constantFrom(...fixAvailableValues)
          : field === 'accountId'
            ? fc.oneof(accountIdArb, fc.constant('1111'))
            : fc.oneof(
                vulnerabilityIdArb,
                arn('image'),
                arn('image-pipeline'),
                fc.constant('arn:aws:imagebuilder'),
              ),
  }),
)

/**
 * An extended query without a token.
 *
 * @category arbitraries
 */
export const queryArb: fc.Arbitrary<Query> = fc.record(
  {
    groupBy: fc.constantFrom(...groupKeys),
    filters: fc.array(criterionArb, { maxLength: 4 }),
    sortBy: fc.constantFrom(...sortFields),
    sortOrder: fc.constantFrom(...sortOrders),
    maxResults: fc.integer({ min: 1, max: 7 }),
  },
  { requiredKeys: ['groupBy'] },
)

/**
 * A valid AWS filter value.
 *
 * @category arbitraries
 */
export const filterValueArb: fc.Arbitrary<string> = fc.stringMatching(filterValuePattern)
