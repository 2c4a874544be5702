import { testProp } from '@fast-check/ava'
import fc from 'fast-check'
import * as Either from 'fp-ts/lib/Either.js'
import type { Finding } from './Finding.js'
import {
  type Classified,
  concatIngestReports,
  counted,
  emptyIngestReport,
  excluded,
  excludedTotal,
  type IngestReport,
  IngestReportMonoid,
  ingestRecord,
  makeIngestTally,
  seenByFindingArn,
  skipRecord,
  tallyReport,
} from './IngestReport.js'

const n = fc.nat(1000)
const reportArb: fc.Arbitrary<IngestReport> = fc
  .record({
    files: n,
    bytes: n,
    counted: n,
    excluded: fc.record({ notActive: n, duplicate: n, noImageLinkage: n, invalid: n }),
    skipped: fc.array(fc.record({ file: fc.string(), position: fc.nat(), reason: fc.string() }), {
      maxLength: 3,
    }),
  })
  .map((r) => ({
    _tag: 'IngestReport' as const,
    ...r,
    read: r.counted + Object.values(r.excluded).reduce((a, b) => a + b),
  }))

testProp('reports combine associatively', [reportArb, reportArb, reportArb], (t, x, y, z) => {
  t.deepEqual(
    concatIngestReports(concatIngestReports(x, y), z),
    concatIngestReports(x, concatIngestReports(y, z)),
  )
})

testProp('the empty report is the identity', [reportArb], (t, x) => {
  t.deepEqual(IngestReportMonoid.concat(x, IngestReportMonoid.empty), x)
  t.deepEqual(concatIngestReports(emptyIngestReport, x), x)
})

testProp('combining keeps read = counted + excluded', [reportArb, reportArb], (t, x, y) => {
  const z = concatIngestReports(x, y)
  t.is(z.read, z.counted + excludedTotal(z))
  t.is(z.skipped.length, x.skipped.length + y.skipped.length)
})

// A record as a source classified it: invalid (with a reason), excluded, or a finding with an ARN.
type Taken =
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'excluded'; readonly reason: 'notActive' | 'noImageLinkage' }
  | { readonly kind: 'finding'; readonly arn: string }

const takenArb: fc.Arbitrary<Taken> = fc.oneof(
  fc.record({
    kind: fc.constant('invalid' as const),
    reason: fc.constantFrom('bad severity', 'not a finding'),
  }),
  fc.record({
    kind: fc.constant('excluded' as const),
    reason: fc.constantFrom('notActive' as const, 'noImageLinkage' as const),
  }),
  fc.record({ kind: fc.constant('finding' as const), arn: fc.constantFrom('a', 'b', 'c', 'd') }),
)

const classificationOf = (r: Taken): Either.Either<string, Classified> =>
  r.kind === 'invalid'
    ? Either.left(r.reason)
    : r.kind === 'excluded'
      ? Either.right(excluded(r.reason))
      : Either.right(counted({ awsAccountId: '111111111111', severity: 'LOW', findingArn: r.arn } as Finding))

testProp(
  'under skip, every record is read once and counted, excluded, a duplicate or skipped at its position',
  [fc.array(takenArb, { maxLength: 40 })],
  (t, records) => {
    const tally = makeIngestTally('f.json', 1, false)
    const seen = seenByFindingArn()
    const handed: string[] = []
    for (const r of records) {
      const f = ingestRecord(tally, classificationOf(r), seen)
      if (f !== undefined) handed.push(f.findingArn as string)
    }
    // The reference, counted here by hand.
    const arns = new Set<string>()
    const expected = { counted: [] as string[], duplicate: 0, notActive: 0, noImageLinkage: 0 }
    const skipped: Array<{ file: string; position: number; reason: string }> = []
    records.forEach((r, i) => {
      if (r.kind === 'invalid') skipped.push({ file: 'f.json', position: i + 1, reason: r.reason })
      else if (r.kind === 'excluded') expected[r.reason]++
      else if (arns.has(r.arn)) expected.duplicate++
      else {
        arns.add(r.arn)
        expected.counted.push(r.arn)
      }
    })
    t.deepEqual(handed, expected.counted)
    t.deepEqual(tallyReport(tally), {
      _tag: 'IngestReport',
      files: 1,
      bytes: 0,
      read: records.length,
      counted: expected.counted.length,
      excluded: {
        notActive: expected.notActive,
        duplicate: expected.duplicate,
        noImageLinkage: expected.noImageLinkage,
        invalid: skipped.length,
      },
      skipped,
    })
    t.is(tally.stopped, undefined)
  },
)

testProp(
  'under strict, the first invalid record stops the input with its reason and position',
  [fc.array(takenArb, { maxLength: 40 })],
  (t, records) => {
    const tally = makeIngestTally('f.json', 1, true)
    const seen = seenByFindingArn()
    for (const r of records) {
      ingestRecord(tally, classificationOf(r), seen)
      if (tally.stopped !== undefined) break
    }
    const first = records.findIndex((r) => r.kind === 'invalid')
    const bad = records[first]
    if (bad === undefined || bad.kind !== 'invalid') {
      t.is(tally.stopped, undefined)
      t.is(tally.position, records.length)
    } else {
      t.is(tally.stopped, bad.reason)
      t.is(tally.position, first + 1)
    }
    t.deepEqual(tally.skipped, [])
  },
)

testProp('a skipped problem takes the next position under either policy', [fc.boolean()], (t, strict) => {
  const tally = makeIngestTally('-', 1, strict)
  skipRecord(tally, 'malformed JSON')
  t.deepEqual(tallyReport(tally).skipped, [{ file: '-', position: 1, reason: 'malformed JSON' }])
  t.is(tallyReport(tally).excluded.invalid, 1)
})
