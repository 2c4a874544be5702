import { fc, testProp } from '@fast-check/ava'
import test from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import { findingArb, uniqueFindingsArb } from './arbitraries.js'
import type { Finding } from './Finding.js'
import {
  buildIndex,
  buildIndexAsync,
  type Index,
  MonoidIndex,
  makeBuilder,
  mergeIndexes,
  toRows,
} from './FindingIndex.js'
import { type FindingSource, fromAsyncIterable, makeFindingSource } from './FindingSource.js'
import { emptyIngestReport } from './IngestReport.js'
import { rightOf } from './testing.js'

const rowsOf = (findings: ReadonlyArray<Finding>) => toRows(rightOf(buildIndex(findings)))

testProp(
  'permuting the findings changes nothing',
  [
    fc
      .array(findingArb(), { maxLength: 60 })
      .chain((fs) =>
        fc.tuple(fc.constant(fs), fc.shuffledSubarray(fs, { minLength: fs.length, maxLength: fs.length })),
      ),
  ],
  (t, [findings, permuted]) => {
    // With duplicate findingArns the first occurrence wins, which may differ in severity; compare
    // without findingArns for the permutation law, and see the dedupe test for ARNs.
    const strip = (fs: ReadonlyArray<Finding>) => fs.map(({ findingArn: _, ...f }) => f as Finding)
    t.deepEqual(rowsOf(strip(permuted)), rowsOf(strip(findings)))
  },
)

testProp(
  'aggregating a ++ b equals merging the aggregates of a and b',
  [uniqueFindingsArb(), uniqueFindingsArb()],
  (t, a, b) => {
    t.deepEqual(toRows(mergeIndexes(rightOf(buildIndex(a)), rightOf(buildIndex(b)))), rowsOf([...a, ...b]))
  },
)

testProp(
  'merging is commutative and associative',
  [uniqueFindingsArb(30), uniqueFindingsArb(30), uniqueFindingsArb(30)],
  (t, a, b, c) => {
    const [x, y, z] = [a, b, c].map((fs) => rightOf(buildIndex(fs))) as [Index, Index, Index]
    t.deepEqual(toRows(MonoidIndex.concat(x, y)), toRows(MonoidIndex.concat(y, x)))
    t.deepEqual(
      toRows(MonoidIndex.concat(MonoidIndex.concat(x, y), z)),
      toRows(MonoidIndex.concat(x, MonoidIndex.concat(y, z))),
    )
  },
)

testProp('the empty aggregate is the identity', [uniqueFindingsArb()], (t, a) => {
  const x = rightOf(buildIndex(a))
  t.deepEqual(toRows(MonoidIndex.concat(x, MonoidIndex.empty)), toRows(x))
  t.deepEqual(toRows(MonoidIndex.concat(MonoidIndex.empty, x)), toRows(x))
})

testProp(
  'the index holds one row per distinct combination, however many findings repeat it',
  [uniqueFindingsArb(20), fc.integer({ min: 1, max: 20 })],
  (t, findings, times) => {
    const once = rightOf(buildIndex(findings))
    const many = rightOf(buildIndex(Array.from({ length: times }, () => findings).flat()))
    t.is(many.rows, once.rows)
    t.is(many.findings, once.findings * times)
  },
)

testProp(
  'findings given one by one, in batches, or asynchronously build the same index',
  [uniqueFindingsArb(), fc.integer({ min: 1, max: 7 })],
  async (t, findings, batch) => {
    const batches: Finding[][] = []
    for (let i = 0; i < findings.length; i += batch) batches.push(findings.slice(i, i + batch))
    async function* gen() {
      yield* batches
    }
    const fromAsync = await buildIndexAsync(fromAsyncIterable(gen()))()
    t.deepEqual(toRows(rightOf(fromAsync)), rowsOf(findings))
  },
)

test('an invalid finding is named by position and fails the whole build', (t) => {
  const r = buildIndex([
    { awsAccountId: '111111111111', severity: 'LOW' },
    { awsAccountId: '111111111111', severity: 'SEVERE' },
  ] as unknown as Finding[])
  t.true(Either.isLeft(r))
  if (Either.isLeft(r)) {
    t.is(r.left.name, 'InvalidRequestException')
    t.regex(r.left.message, /finding #1 .*severity/)
  }
})

test('a source that fails mid-read gives ServiceUnavailableException, not an index of what was read', async (t) => {
  async function* failing() {
    yield { awsAccountId: '111111111111', severity: 'LOW' } as Finding
    throw new Error('connection reset')
  }
  const r = await buildIndexAsync(fromAsyncIterable(failing()))()
  t.true(Either.isLeft(r))
  if (Either.isLeft(r)) {
    t.is(r.left.name, 'ServiceUnavailableException')
    t.regex(r.left.message, /after 1 findings: connection reset/)
  }
})

test('a source whose result is a failure gives that failure, not an index of what it handed out', async (t) => {
  const cutShort = { _tag: 'MalformedJson', message: 'b.json:1:40: malformed JSON at byte 39' } as const
  const source: FindingSource<typeof cutShort> = makeFindingSource(
    async function* () {
      yield [{ awsAccountId: '111111111111', severity: 'LOW' } as Finding]
      return Either.left(cutShort)
    },
    { failed: () => cutShort, soFar: () => emptyIngestReport },
  )
  const r = await buildIndexAsync(source)()
  t.deepEqual(r, Either.left(cutShort))
})

test('a source left early by an invalid finding fails the build with that finding', async (t) => {
  let settled = false
  const source = makeFindingSource(
    async function* () {
      try {
        yield [{ awsAccountId: 'nope', severity: 'LOW' } as Finding]
        yield [{ awsAccountId: '111111111111', severity: 'LOW' } as Finding]
        return Either.right(emptyIngestReport)
      } finally {
        settled = true
      }
    },
    { failed: String, soFar: () => emptyIngestReport },
  )
  const r = await buildIndexAsync(source)()
  t.true(Either.isLeft(r))
  if (Either.isLeft(r) && typeof r.left !== 'string') t.regex(r.left.message, /finding #0/)
  t.true(settled)
  t.deepEqual(await source.result, Either.right(emptyIngestReport))
})

// A reference count of combinations independent of the builder: plain objects keyed by JSON.
const referenceRows = (findings: ReadonlyArray<Finding>) => {
  const rows = new Map<string, { count: number; exploitAvailable: number }>()
  for (const f of findings) {
    const key = JSON.stringify([
      f.awsAccountId,
      f.imageBuildVersionArn,
      f.imagePipelineArn,
      f.vulnerabilityId,
      f.severity,
      f.fixAvailable,
    ])
    const row = rows.get(key) ?? { count: 0, exploitAvailable: 0 }
    rows.set(key, {
      count: row.count + 1,
      exploitAvailable: row.exploitAvailable + (f.exploitAvailable === 'YES' ? 1 : 0),
    })
  }
  return rows
}

test('thousands of combinations (the row table grows many times) are each counted exactly', (t) => {
  const findings: Finding[] = Array.from({ length: 20000 }, (_, i) => ({
    awsAccountId: `${100000000000 + (i % 37)}`,
    imageBuildVersionArn: `arn:aws:imagebuilder:us-east-1:1:image/b/1.0.${i % 1201}/1`,
    ...(i % 5 === 0 ? {} : { vulnerabilityId: `CVE-2024-${i % 13}` }),
    severity: (['LOW', 'HIGH', 'CRITICAL'] as const)[i % 3] as Finding['severity'],
    ...(i % 4 === 0 ? { fixAvailable: 'YES' as const } : {}),
    ...(i % 7 === 0 ? { exploitAvailable: 'YES' as const } : {}),
  })) as Finding[]
  const index = rightOf(buildIndex(findings))
  const expected = referenceRows(findings)
  t.is(index.rows, expected.size)
  t.is(index.findings, findings.length)
  for (const r of toRows(index)) {
    const key = JSON.stringify([
      r.accountId,
      r.imageBuildVersionArn,
      r.imagePipelineArn,
      r.vulnerabilityId,
      r.severity,
      r.fixAvailable,
    ])
    t.deepEqual({ count: r.count, exploitAvailable: r.exploitAvailable }, expected.get(key))
  }
})

testProp(
  'room made for any number of combinations changes no row',
  [fc.array(findingArb(), { maxLength: 40 }), fc.nat({ max: 4000 }), fc.nat({ max: 5000 })],
  (t, some, many, expectedRows) => {
    // Past the first 1,024 rows too, so that rows land beyond the room made and the builder grows.
    const findings = [
      ...some,
      ...Array.from({ length: many }, (_, i) => ({
        awsAccountId: `1111222233${String(i % 37).padStart(2, '0')}`,
        severity: (['LOW', 'HIGH', 'CRITICAL', 'MEDIUM'] as const)[i % 4],
        vulnerabilityId: `CVE-2024-${i}`,
      })),
    ] as ReadonlyArray<Finding>
    const sized = makeBuilder({ expectedRows })
    for (const f of findings) sized.add(f)
    t.deepEqual(toRows(sized.freeze()), rowsOf(findings))
  },
  { numRuns: 40 },
)

test('a builder without dedupe counts a repeated findingArn every time and keeps no ARNs', (t) => {
  const f = { awsAccountId: '111122223333', severity: 'HIGH', findingArn: 'arn:x' } as Finding
  const deduped = makeBuilder()
  const counting = makeBuilder({ dedupe: false })
  for (const b of [deduped, counting]) for (let i = 0; i < 3; i++) b.add(f)
  t.is(deduped.freeze().findings, 1)
  t.is(deduped.duplicates(), 2)
  t.is(counting.freeze().findings, 3)
  t.is(counting.duplicates(), 0)
})

test('place gives each finding its row, -1 for a duplicate; freezing again gives the same index', (t) => {
  const b = makeBuilder()
  const a = { awsAccountId: '111122223333', severity: 'HIGH', findingArn: 'arn:a' } as Finding
  const c = { awsAccountId: '444455556666', severity: 'LOW', findingArn: 'arn:c' } as Finding
  t.deepEqual(
    [b.place(a), b.place(c), b.place(a), b.place({ ...a, findingArn: 'arn:b' } as Finding)],
    [0, 1, -1, 0],
  )
  const index = b.freeze()
  t.is(b.freeze(), index)
  t.deepEqual([...index.count], [2, 1])
  t.throws(() => b.add(c), { message: /frozen/ })
})
