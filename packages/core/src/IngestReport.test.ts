import { testProp } from '@fast-check/ava'
import fc from 'fast-check'
import {
  concatIngestReports,
  emptyIngestReport,
  excludedTotal,
  type IngestReport,
  IngestReportMonoid,
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
