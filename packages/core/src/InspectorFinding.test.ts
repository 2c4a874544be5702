import { testProp } from '@fast-check/ava'
import test from 'ava'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { ExploitAvailable, FixAvailable } from './Finding.js'
import { FindingStatus, fromInspectorFinding } from './InspectorFinding.js'
import { severities } from './Severity.js'

const literals = <T extends string>(codec: { readonly keys: Record<T, unknown> }) =>
  fc.constantFrom(...(Object.keys(codec.keys) as T[]))

const arn = fc.stringMatching(/^arn:aws:[a-z0-9:/._-]{1,60}$/)

/** Whatever a descriptive field may hold in a stray export. */
const noise = fc.dictionary(
  fc.constantFrom(
    'title',
    'description',
    'type',
    'firstObservedAt',
    'updatedAt',
    'inspectorScore',
    'remediation',
  ),
  fc.jsonValue({ maxDepth: 2 }),
)

const raw = fc.record(
  {
    awsAccountId: fc.stringMatching(/^[0-9]{12}$/),
    severity: fc.constantFrom(...severities),
    status: literals(FindingStatus),
    findingArn: arn,
    build: fc.option(arn, { nil: undefined }),
    vulnerabilityId: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
    fixAvailable: fc.option(literals(FixAvailable), { nil: undefined }),
    exploitAvailable: fc.option(literals(ExploitAvailable), { nil: undefined }),
    noise,
  },
  { requiredKeys: ['awsAccountId', 'severity', 'status', 'findingArn', 'noise'] },
)

type Raw = typeof raw extends fc.Arbitrary<infer A> ? A : never

const toInspector = (r: Raw): Record<string, unknown> => ({
  ...r.noise,
  awsAccountId: r.awsAccountId,
  severity: r.severity,
  status: r.status,
  findingArn: r.findingArn,
  resources: [
    { type: 'AWS_EC2_INSTANCE', id: 'i-1', tags: { Name: 42 } },
    ...(r.build === undefined
      ? []
      : [{ type: 'AWS_EC2_INSTANCE', id: 'i-2', tags: { Ec2ImageBuilderArn: r.build } }]),
  ],
  ...(r.vulnerabilityId === undefined
    ? {}
    : { packageVulnerabilityDetails: { vulnerabilityId: r.vulnerabilityId, source: 7 } }),
  ...(r.fixAvailable === undefined ? {} : { fixAvailable: r.fixAvailable }),
  ...(r.exploitAvailable === undefined ? {} : { exploitAvailable: r.exploitAvailable }),
})

const pipelineOf = (build: string) => `${build}/pipeline`

testProp(
  'an ACTIVE linked finding maps field by field, whatever its descriptive fields hold',
  [raw],
  (t, r) => {
    const got = fromInspectorFinding(toInspector(r), { resolvePipeline: pipelineOf })
    if (r.status !== 'ACTIVE') {
      t.deepEqual(got, E.right({ _tag: 'Excluded', reason: 'notActive' }))
      return
    }
    if (r.build === undefined) {
      t.deepEqual(got, E.right({ _tag: 'Excluded', reason: 'noImageLinkage' }))
      return
    }
    t.deepEqual(
      got,
      E.right({
        _tag: 'Counted',
        finding: {
          awsAccountId: r.awsAccountId,
          severity: r.severity,
          imageBuildVersionArn: r.build,
          imagePipelineArn: pipelineOf(r.build),
          findingArn: r.findingArn,
          ...(r.vulnerabilityId === undefined ? {} : { vulnerabilityId: r.vulnerabilityId }),
          ...(r.fixAvailable === undefined ? {} : { fixAvailable: r.fixAvailable }),
          ...(r.exploitAvailable === undefined ? {} : { exploitAvailable: r.exploitAvailable }),
        },
      }),
    )
  },
)

testProp(
  'the counted statuses are configurable',
  [raw, fc.subarray([...Object.keys(FindingStatus.keys)] as FindingStatus[])],
  (t, r, statuses) => {
    const got = fromInspectorFinding(toInspector({ ...r, build: 'arn:aws:b' }), { statuses })
    t.is(E.isRight(got) && got.right._tag, statuses.includes(r.status) ? 'Counted' : 'Excluded')
  },
)

testProp('an unlinked finding counts when asked to, without build or pipeline', [raw], (t, r) => {
  const got = fromInspectorFinding(toInspector({ ...r, status: 'ACTIVE', build: undefined }), {
    includeUnlinked: true,
    resolvePipeline: pipelineOf,
  })
  if (E.isLeft(got) || got.right._tag !== 'Counted') return t.fail('expected a counted finding')
  t.is(got.right.finding.imageBuildVersionArn, undefined)
  t.is(got.right.finding.imagePipelineArn, undefined)
  t.is(got.right.finding.awsAccountId as string, r.awsAccountId)
})

test('an unknown pipeline leaves the finding without imagePipelineArn', (t) => {
  const got = fromInspectorFinding(
    toInspector({
      awsAccountId: '123456789012',
      severity: 'HIGH',
      status: 'ACTIVE',
      findingArn: 'f',
      build: 'b',
      noise: {},
    }),
    { resolvePipeline: () => undefined },
  )
  t.deepEqual(
    got,
    E.right({
      _tag: 'Counted',
      finding: { awsAccountId: '123456789012', severity: 'HIGH', imageBuildVersionArn: 'b', findingArn: 'f' },
    }),
  )
})

const invalidCases: ReadonlyArray<readonly [string, Record<string, unknown>, RegExp]> = [
  ['unknown severity', { severity: 'SEVERE' }, /severity: expected .* but got "SEVERE"/],
  ['lower-case severity', { severity: 'high' }, /severity/],
  ['short account id', { awsAccountId: '12345' }, /awsAccountId: expected AccountId but got "12345"/],
  ['numeric account id', { awsAccountId: 123456789012 }, /awsAccountId/],
  ['missing status', { status: undefined }, /status: expected .* but got nothing/],
  ['unknown status', { status: 'OPEN' }, /status/],
  [
    'tag of the wrong type',
    { resources: [{ tags: { Ec2ImageBuilderArn: 5 } }] },
    /resources\[0\]\.tags\.Ec2ImageBuilderArn/,
  ],
  ['resources not an array', { resources: 'i-1' }, /resources/],
  ['empty vulnerability id', { packageVulnerabilityDetails: { vulnerabilityId: '' } }, /vulnerabilityId/],
  ['unknown fixAvailable', { fixAvailable: 'MAYBE' }, /fixAvailable/],
]

for (const [name, patch, reason] of invalidCases) {
  test(`an invalid record is rejected with its reason: ${name}`, (t) => {
    const record = {
      awsAccountId: '123456789012',
      severity: 'LOW',
      status: 'ACTIVE',
      findingArn: 'f',
      resources: [{ tags: { Ec2ImageBuilderArn: 'b' } }],
      ...patch,
    }
    const got = fromInspectorFinding(record)
    if (E.isRight(got)) return t.fail('expected Left')
    t.regex(got.left, reason)
  })
}

test('a record that is not an object is invalid', (t) => {
  t.true(E.isLeft(fromInspectorFinding(null)))
  t.true(E.isLeft(fromInspectorFinding([1])))
})
