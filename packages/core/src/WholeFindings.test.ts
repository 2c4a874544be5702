import { fc, testProp } from '@fast-check/ava'
import * as Either from 'fp-ts/lib/Either.js'
import { inspectorRecordArb } from './arbitraries.js'
import { serviceException } from './Errors.js'
import { inspectorFindingDetail } from './ImageScanFindingWire.js'
import { fromInspectorFinding } from './InspectorFinding.js'
import { listImageScanFindings } from './ListImageScanFindings.js'
import { makeScanFindingStoreBuilder, type RecordedDetails } from './ScanFindingStore.js'
import { expectedImageScanFinding, testEngine } from './testing.js'

const inspectorRecordsArb = fc
  .integer({ min: 0, max: 30 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => inspectorRecordArb(i))))

// A store of the Inspector records' normalized findings whose details are read back from the
// raw records, as serve reads them back from its exports.
const storeOf = (records: ReadonlyArray<Readonly<Record<string, unknown>>>, details: RecordedDetails) => {
  const builder = makeScanFindingStoreBuilder()
  for (const raw of records) {
    const mapped = fromInspectorFinding(raw)
    if (Either.isLeft(mapped) || mapped.right._tag !== 'Counted') throw new Error('not counted')
    builder.add(mapped.right.finding)
  }
  return builder.freeze(details)
}

testProp(
  'every finding served is the Inspector finding as Image Builder maps it, member by member',
  [inspectorRecordsArb],
  (t, records) => {
    const store = storeOf(records, {
      read: (rows) => Either.right(rows.map((i) => inspectorFindingDetail(records[i]))),
    })
    const served: Array<unknown> = []
    let nextToken: string | undefined
    const list = listImageScanFindings(testEngine([]), store)
    do {
      const page = list({ maxResults: 7, ...(nextToken === undefined ? {} : { nextToken }) })
      if (Either.isLeft(page)) return t.fail(page.left.message)
      served.push(...page.right.findings)
      nextToken = page.right.nextToken
    } while (nextToken !== undefined)
    t.deepEqual(
      served,
      records.map((raw) => expectedImageScanFinding(raw)),
    )
  },
)

testProp(
  'details that cannot be read back fail the page with their error, never a finding without them',
  [inspectorRecordsArb.filter((r) => r.length > 0)],
  (t, records) => {
    const store = storeOf(records, { read: () => Either.left(serviceException('the export changed')) })
    t.deepEqual(
      listImageScanFindings(testEngine([]), store)({}),
      Either.left(serviceException('the export changed')),
    )
  },
)
