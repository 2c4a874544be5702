import { testProp } from '@fast-check/ava'
import test from 'ava'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { fromAsffFinding } from './AsffFinding.js'
import { ExploitAvailable, FixAvailable } from './Finding.js'
import { FindingStatus, findingStatuses, fromInspectorFinding } from './InspectorFinding.js'
import { severities } from './Severity.js'

const literals = <T extends string>(codec: { readonly keys: Record<T, unknown> }) =>
  fc.constantFrom(...(Object.keys(codec.keys) as T[]))

const arn = fc.stringMatching(/^arn:aws:[a-z0-9:/._-]{1,60}$/)

// How Security Hub may show each Inspector status (the reference this test holds the mapping to).
const asffStates = {
  ACTIVE: [
    { RecordState: 'ACTIVE', Workflow: { Status: 'NEW' } },
    { RecordState: 'ACTIVE', Workflow: { Status: 'NOTIFIED' } },
    {},
  ],
  SUPPRESSED: [
    { RecordState: 'ACTIVE', Workflow: { Status: 'SUPPRESSED' } },
    { Workflow: { Status: 'SUPPRESSED' } },
  ],
  CLOSED: [
    { RecordState: 'ARCHIVED', Workflow: { Status: 'NEW' } },
    { RecordState: 'ARCHIVED', Workflow: { Status: 'SUPPRESSED' } },
    { RecordState: 'ACTIVE', Workflow: { Status: 'RESOLVED' } },
  ],
} as const

const pair = fc
  .record(
    {
      awsAccountId: fc.stringMatching(/^[0-9]{12}$/),
      severity: fc.constantFrom(...severities),
      status: literals(FindingStatus),
      findingArn: arn,
      build: fc.option(arn, { nil: undefined }),
      vulnerabilityId: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
      fixAvailable: fc.option(literals(FixAvailable), { nil: undefined }),
      exploitAvailable: fc.option(literals(ExploitAvailable), { nil: undefined }),
      state: fc.nat(),
    },
    { requiredKeys: ['awsAccountId', 'severity', 'status', 'findingArn', 'state'] },
  )
  .map((r) => {
    const tags = r.build === undefined ? { Name: 'web' } : { Name: 'web', Ec2ImageBuilderArn: r.build }
    const inspector = {
      awsAccountId: r.awsAccountId,
      severity: r.severity,
      status: r.status,
      findingArn: r.findingArn,
      resources: [{ type: 'AWS_EC2_INSTANCE', tags }],
      ...(r.vulnerabilityId === undefined
        ? {}
        : { packageVulnerabilityDetails: { vulnerabilityId: r.vulnerabilityId } }),
      ...(r.fixAvailable === undefined ? {} : { fixAvailable: r.fixAvailable }),
      ...(r.exploitAvailable === undefined ? {} : { exploitAvailable: r.exploitAvailable }),
    }
    const states = asffStates[r.status]
    const asff = {
      Id: r.findingArn,
      AwsAccountId: r.awsAccountId,
      ProductName: 'Inspector',
      ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/inspector',
      Severity: { Label: r.severity === 'UNTRIAGED' ? 'INFORMATIONAL' : r.severity, Original: r.severity },
      Resources: [{ Type: 'AwsEc2Instance', Id: 'i-1', Tags: tags }],
      Vulnerabilities: [
        {
          ...(r.vulnerabilityId === undefined ? {} : { Id: r.vulnerabilityId }),
          ...(r.fixAvailable === undefined ? {} : { FixAvailable: r.fixAvailable }),
          ...(r.exploitAvailable === undefined ? {} : { ExploitAvailable: r.exploitAvailable }),
        },
      ],
      Title: 'noise',
      ...states[r.state % states.length],
    }
    return { inspector, asff }
  })

const optionsArb = fc.record(
  {
    statuses: fc.subarray([...findingStatuses]),
    includeUnlinked: fc.boolean(),
  },
  { requiredKeys: [] },
)

testProp(
  'an ASFF finding from Inspector maps exactly as the Inspector finding it was made from',
  [pair, optionsArb],
  (t, { inspector, asff }, options) => {
    t.deepEqual(fromAsffFinding(asff, options), fromInspectorFinding(inspector, options))
  },
  { numRuns: 300 },
)

test('a finding from another product, or without a product, is invalid', (t) => {
  const base = { AwsAccountId: '111122223333', Severity: { Label: 'HIGH' } }
  const other = fromAsffFinding({ ...base, ProductName: 'GuardDuty' }, { includeUnlinked: true })
  t.deepEqual(other, E.left('ProductName: expected "Inspector" but got "GuardDuty"'))
  t.true(E.isLeft(fromAsffFinding(base, { includeUnlinked: true })))
})

test('a label Security Hub does not have is invalid; Original only keeps UNTRIAGED', (t) => {
  const base = { AwsAccountId: '111122223333', ProductName: 'Inspector' }
  t.true(E.isLeft(fromAsffFinding({ ...base, Severity: { Label: 'UNTRIAGED' } }, { includeUnlinked: true })))
  t.deepEqual(
    fromAsffFinding({ ...base, Severity: { Label: 'LOW', Original: 'MEDIUM' } }, { includeUnlinked: true }),
    {
      _tag: 'Right',
      right: { _tag: 'Counted', finding: { awsAccountId: '111122223333', severity: 'LOW' } },
    } as unknown as ReturnType<typeof fromAsffFinding>,
  )
})
