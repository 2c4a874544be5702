import { testProp } from '@fast-check/ava'
import test from 'ava'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { FixAvailable } from './Finding.js'
import { fromImageScanFinding } from './ImageScanFinding.js'
import { severities } from './Severity.js'

const literals = <T extends string>(codec: { readonly keys: Record<T, unknown> }) =>
  fc.constantFrom(...(Object.keys(codec.keys) as T[]))

const arn = fc.stringMatching(/^arn:aws:imagebuilder:[a-z0-9:/._-]{1,40}$/)

const raw = fc.record(
  {
    awsAccountId: fc.stringMatching(/^[0-9]{12}$/),
    severity: fc.constantFrom(...severities),
    imageBuildVersionArn: arn,
    imagePipelineArn: arn,
    vulnerabilityId: fc.string({ minLength: 1, maxLength: 20 }),
    fixAvailable: literals(FixAvailable),
    // Descriptive fields in any shape: a stray export must still aggregate.
    title: fc.jsonValue({ maxDepth: 1 }),
    updatedAt: fc.oneof(fc.integer(), fc.string(), fc.constant('Wed Sep 04 16:59:44.356 UTC 2024')),
    inspectorScoreDetails: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ['awsAccountId', 'severity'] },
)

testProp('a valid image scan finding maps onto the fields the engine uses', [raw], (t, r) => {
  const { vulnerabilityId, title: _t, updatedAt: _u, inspectorScoreDetails: _i, ...rest } = r
  const record = {
    ...r,
    ...(vulnerabilityId === undefined ? {} : { packageVulnerabilityDetails: { vulnerabilityId } }),
  }
  const got = fromImageScanFinding(record, { includeUnlinked: true })
  t.deepEqual(
    got,
    E.right({
      _tag: 'Counted',
      finding: { ...rest, ...(vulnerabilityId === undefined ? {} : { vulnerabilityId }) },
    }),
  )
})

testProp(
  'without an image build version it is excluded unless unlinked findings are included',
  [raw],
  (t, r) => {
    const { imageBuildVersionArn: _, ...record } = r
    t.deepEqual(fromImageScanFinding(record), E.right({ _tag: 'Excluded', reason: 'noImageLinkage' }))
  },
)

test('the resolver fills a missing pipeline and never overrides a present one', (t) => {
  const base = { awsAccountId: '123456789012', severity: 'MEDIUM', imageBuildVersionArn: 'b' }
  const resolvePipeline = () => 'resolved'
  const filled = fromImageScanFinding(base, { resolvePipeline })
  const kept = fromImageScanFinding({ ...base, imagePipelineArn: 'given' }, { resolvePipeline })
  t.deepEqual(
    filled,
    E.right({ _tag: 'Counted', finding: { ...base, imagePipelineArn: 'resolved' } } as const),
  )
  t.deepEqual(kept, E.right({ _tag: 'Counted', finding: { ...base, imagePipelineArn: 'given' } } as const))
})

for (const [name, patch, reason] of [
  ['unknown severity', { severity: 'URGENT' }, /severity/],
  ['missing account', { awsAccountId: undefined }, /awsAccountId: expected AccountId but got nothing/],
  ['numeric build version', { imageBuildVersionArn: 3 }, /imageBuildVersionArn/],
  ['over-long pipeline', { imagePipelineArn: 'x'.repeat(1025) }, /imagePipelineArn/],
] as const) {
  test(`an invalid image scan finding is rejected: ${name}`, (t) => {
    const base: Record<string, unknown> = {
      awsAccountId: '123456789012',
      severity: 'LOW',
      imageBuildVersionArn: 'b',
    }
    const got = fromImageScanFinding({ ...base, ...patch })
    if (E.isRight(got)) return t.fail('expected Left')
    t.regex(got.left, reason)
  })
}
