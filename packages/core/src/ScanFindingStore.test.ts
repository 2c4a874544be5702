import { fc, testProp } from '@fast-check/ava'
import test from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import { findingArb } from './arbitraries.js'
import type { Finding } from './Finding.js'
import { makeBuilder } from './FindingIndex.js'
import { toEpochSeconds } from './ImageScanFindingWire.js'
import { imageScanFindingAt, makeScanFindingStoreBuilder, scanFindingStoreOf } from './ScanFindingStore.js'

testProp(
  'a normalized finding comes back as an ImageScanFinding with the same key fields',
  [fc.array(findingArb({ arns: false }), { maxLength: 40 })],
  (t, findings) => {
    const store = scanFindingStoreOf(findings)
    t.true(Either.isRight(store))
    if (Either.isLeft(store)) return
    t.is(store.right.size, findings.length)
    findings.forEach((f, i) => {
      const w = imageScanFindingAt(store.right, i)
      t.deepEqual(
        [
          w.awsAccountId,
          w.severity,
          w.imageBuildVersionArn,
          w.imagePipelineArn,
          w.packageVulnerabilityDetails?.vulnerabilityId,
          w.fixAvailable,
        ],
        [
          f.awsAccountId,
          f.severity,
          f.imageBuildVersionArn,
          f.imagePipelineArn,
          f.vulnerabilityId,
          f.fixAvailable,
        ],
      )
    })
  },
)

testProp(
  'duplicate findingArns are stored once, as the index counts them',
  [fc.array(findingArb(), { maxLength: 60 })],
  (t, findings) => {
    const store = scanFindingStoreOf(findings)
    const arns = new Set(findings.map((f) => f.findingArn).filter((a) => a !== undefined))
    const unnamed = findings.filter((f) => f.findingArn === undefined).length
    t.is(Either.isRight(store) ? store.right.size : -1, arns.size + unnamed)
  },
)

test('an Image Builder finding keeps exactly its wire members, timestamps as epoch seconds', (t) => {
  const store = scanFindingStoreOf([
    {
      awsAccountId: '111111111111',
      severity: 'HIGH',
      imageBuildVersionArn: 'arn:aws:imagebuilder:us-east-1:111111111111:image/a/1.0.0/1',
      title: 'CVE-1 - x',
      firstObservedAt: '2024-09-04T16:59:44.356Z',
      updatedAt: 'Wed Sep 04 16:59:44.356 UTC 2024',
      inspectorScore: 9.8,
      inspectorScoreDetails: {
        adjustedCvss: { score: 9.8, version: '3.1', adjustments: [{ metric: 'm', reason: 'r', extra: 1 }] },
      },
      remediation: { recommendation: { text: 'upgrade', url: 42 } },
      packageVulnerabilityDetails: {
        vulnerabilityId: 'CVE-1',
        vendorCreatedAt: 1_700_000_000,
        referenceUrls: ['https://a', 7],
        vulnerablePackages: [{ name: 'openssl', epoch: 'one' }],
      },
      fixAvailable: 'NO',
      status: 'ACTIVE',
      notInTheModel: { deep: true },
    },
  ])
  t.true(Either.isRight(store))
  if (Either.isLeft(store)) return
  t.deepEqual(imageScanFindingAt(store.right, 0), {
    awsAccountId: '111111111111',
    imageBuildVersionArn: 'arn:aws:imagebuilder:us-east-1:111111111111:image/a/1.0.0/1',
    title: 'CVE-1 - x',
    remediation: { recommendation: { text: 'upgrade' } },
    severity: 'HIGH',
    firstObservedAt: 1725469184.356,
    updatedAt: 1725469184.356,
    inspectorScore: 9.8,
    inspectorScoreDetails: {
      adjustedCvss: { version: '3.1', score: 9.8, adjustments: [{ metric: 'm', reason: 'r' }] },
    },
    packageVulnerabilityDetails: {
      vulnerabilityId: 'CVE-1',
      vulnerablePackages: [{ name: 'openssl' }],
      vendorCreatedAt: 1_700_000_000,
      referenceUrls: ['https://a'],
    },
    fixAvailable: 'NO',
  })
})

test("an invalid record fails the build, named by its position and core's codec reason", (t) => {
  t.deepEqual(
    Either.mapLeft((e: { message: string }) => e.message)(
      scanFindingStoreOf([
        { awsAccountId: '111111111111', severity: 'LOW' },
        { awsAccountId: '1', severity: 'LOW' },
      ]),
    ),
    Either.left('finding #1 is invalid: awsAccountId: expected AccountId but got "1"'),
  )
  const b = makeScanFindingStoreBuilder()
  t.deepEqual(
    b.add({ awsAccountId: '111111111111', severity: 'low' }),
    Either.left(
      'severity: expected "CRITICAL" | "HIGH" | "MEDIUM" | "LOW" | "INFORMATIONAL" | "UNTRIAGED" but got "low"',
    ),
  )
  t.deepEqual(
    b.add({ awsAccountId: '111111111111', severity: 'LOW', fixAvailable: 'MAYBE' }),
    Either.left('fixAvailable: expected "YES" | "NO" | "PARTIAL" but got "MAYBE"'),
  )
  t.deepEqual(
    b.add({ awsAccountId: '111111111111', severity: 'LOW', findingArn: 5 }),
    Either.left('findingArn: expected KeyString but got 5'),
  )
  t.deepEqual(
    b.add({ awsAccountId: '111111111111', severity: 'LOW', vulnerabilityId: '' }),
    Either.left('vulnerabilityId: expected KeyString but got ""'),
  )
  const notAnObject = b.add([])
  t.true(Either.isLeft(notAnObject))
  t.regex(
    Either.isLeft(notAnObject) ? notAnObject.left : '',
    /^record: expected \{ awsAccountId: AccountId, /,
  )
  t.is(b.freeze().size, 0)
})

test('timestamps are read from epoch seconds, numeric text, ISO 8601, EventBridge text and Dates', (t) => {
  t.deepEqual(
    [
      1_700_000_000,
      '1700000000.5',
      '2023-11-14T22:13:20Z',
      'Tue Nov 14 22:13:20.000 UTC 2023',
      new Date(1_700_000_000_000),
      'soon',
      Number.NaN,
    ].map(toEpochSeconds),
    [1_700_000_000, 1_700_000_000.5, 1_700_000_000, 1_700_000_000, 1_700_000_000, undefined, undefined],
  )
})

test('a store given the index builder counts each finding there once and holds it as that index row', (t) => {
  const index = makeBuilder()
  const builder = makeScanFindingStoreBuilder({ index })
  const records = [
    { awsAccountId: '111122223333', severity: 'HIGH', vulnerabilityId: 'CVE-1', findingArn: 'arn:1' },
    { awsAccountId: '111122223333', severity: 'HIGH', vulnerabilityId: 'CVE-1', findingArn: 'arn:2' },
    { awsAccountId: '111122223333', severity: 'HIGH', vulnerabilityId: 'CVE-1', findingArn: 'arn:1' },
    {
      awsAccountId: '444455556666',
      severity: 'LOW',
      packageVulnerabilityDetails: { vulnerabilityId: 'CVE-2' },
      fixAvailable: 'NO',
    },
  ]
  t.deepEqual(
    records.map((r) => builder.add(r)),
    [Either.right(true), Either.right(true), Either.right(false), Either.right(true)],
  )
  // A finding a source validated, taken without checking again: a duplicate ARN is left out too.
  t.true(
    builder.addFinding({ awsAccountId: '444455556666', severity: 'LOW', findingArn: 'arn:3' } as Finding),
  )
  t.false(
    builder.addFinding({ awsAccountId: '111122223333', severity: 'HIGH', findingArn: 'arn:2' } as Finding),
  )
  const store = builder.freeze()
  t.is(store.index, index.freeze())
  t.is(store.size, 4)
  t.deepEqual([...store.rows], [0, 0, 1, 2])
  t.deepEqual([...store.index.count], [2, 1, 1])
  t.deepEqual(
    [0, 1, 2].map((i) => imageScanFindingAt(store, i)),
    [
      {
        awsAccountId: '111122223333',
        severity: 'HIGH',
        packageVulnerabilityDetails: { vulnerabilityId: 'CVE-1' },
      },
      {
        awsAccountId: '111122223333',
        severity: 'HIGH',
        packageVulnerabilityDetails: { vulnerabilityId: 'CVE-1' },
      },
      {
        awsAccountId: '444455556666',
        severity: 'LOW',
        packageVulnerabilityDetails: { vulnerabilityId: 'CVE-2' },
        fixAvailable: 'NO',
      },
    ],
  )
})
