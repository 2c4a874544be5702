import { fc, testProp } from '@fast-check/ava'
import test from 'ava'
import * as E from 'fp-ts/lib/Either.js'
import { uniqueFindingsArb } from './arbitraries.js'
import { countOf, findingCount, fromCombinationRow, ingestRow, isFromRow } from './CombinationRow.js'
import { type Finding, groupKeys } from './Finding.js'
import { buildIndex, toRows } from './FindingIndex.js'
import { makeIngestTally, tallyReport } from './IngestReport.js'
import { accumulate } from './Streaming.js'
import { rightOf } from './testing.js'

// What an external engine writes: one row per distinct combination of a finding's members
// (its identity left out), with how many findings have it.
const rowsOf = (findings: ReadonlyArray<Finding>): ReadonlyArray<Record<string, unknown>> => {
  const rows = new Map<string, Record<string, unknown>>()
  for (const { findingArn: _, ...f } of findings) {
    const key = JSON.stringify(Object.entries(f).sort())
    const row = rows.get(key) ?? { ...f, count: 0 }
    row.count = (row.count as number) + 1
    rows.set(key, row)
  }
  return [...rows.values()]
}

const decide = (raw: unknown, options: Parameters<typeof fromCombinationRow>[1] = {}) =>
  rightOf(E.mapLeft((message: string) => ({ message }))(fromCombinationRow(raw, options)))

const countedOf = (row: unknown): Finding => {
  const decided = decide(row, { includeUnlinked: true })
  if (decided.classified._tag !== 'Counted') throw new Error('expected a counted row')
  return decided.classified.finding
}

testProp(
  'an index built from rows equals the index built from the findings they count',
  [uniqueFindingsArb()],
  (t, findings) => {
    const fromRows = rowsOf(findings).map(countedOf)
    t.deepEqual(toRows(rightOf(buildIndex(fromRows))), toRows(rightOf(buildIndex(findings))))
    t.is(rightOf(buildIndex(fromRows)).findings, findings.length)
  },
)

testProp(
  'a one-pass aggregation of rows equals that of the findings, for every grouping',
  [uniqueFindingsArb(), fc.constantFrom(...groupKeys)],
  (t, findings, groupBy) => {
    const run = (fs: ReadonlyArray<Finding>) => {
      const acc = rightOf(accumulate({ groupBy }))
      for (const f of fs) acc.add(f)
      return { groups: acc.result(), counted: acc.counted() }
    }
    t.deepEqual(run(rowsOf(findings).map(countedOf)), run(findings))
  },
)

const row = {
  awsAccountId: '111122223333',
  imageBuildVersionArn: 'arn:aws:imagebuilder:us-east-1:111122223333:image/web/1.0.0/1',
  severity: 'HIGH',
  count: 4,
}

test('a counted row is one finding standing for its count, never listable', (t) => {
  const f = countedOf({ ...row, vulnerabilityId: 'CVE-2024-1', exploitAvailable: 'YES' })
  t.is(countOf(f), 4)
  t.true(isFromRow(f))
  t.deepEqual(
    { ...f },
    {
      awsAccountId: row.awsAccountId,
      imageBuildVersionArn: row.imageBuildVersionArn,
      severity: 'HIGH',
      vulnerabilityId: 'CVE-2024-1',
      exploitAvailable: 'YES',
      [findingCount]: 4,
    },
  )
  t.is(countOf({ awsAccountId: '111122223333', severity: 'LOW' } as Finding), 1)
})

test('null members are absent; a missing pipeline is resolved from the build', (t) => {
  const decided = decide(
    { ...row, vulnerabilityId: null, imagePipelineArn: null, fixAvailable: null },
    { resolvePipeline: (b) => (b === row.imageBuildVersionArn ? 'arn:pipeline/web' : undefined) },
  )
  t.deepEqual(decided.classified._tag === 'Counted' ? { ...decided.classified.finding } : undefined, {
    awsAccountId: row.awsAccountId,
    imageBuildVersionArn: row.imageBuildVersionArn,
    imagePipelineArn: 'arn:pipeline/web',
    severity: 'HIGH',
    [findingCount]: 4,
  })
})

test('a row without an image build is excluded for linkage unless unlinked findings count', (t) => {
  const { imageBuildVersionArn: _, ...unlinked } = row
  t.deepEqual(decide(unlinked).classified, { _tag: 'Excluded', reason: 'noImageLinkage' })
  t.is(decide(unlinked, { includeUnlinked: true }).classified._tag, 'Counted')
})

test('an invalid row names the member and the rule', (t) => {
  const reason = (raw: unknown) => {
    const r = fromCombinationRow(raw)
    return E.isLeft(r) ? r.left : 'valid'
  }
  t.is(reason({ ...row, count: 0 }), 'count must be a positive integer, got 0')
  t.is(reason({ ...row, count: 1.5 }), 'count must be a positive integer, got 1.5')
  t.is(reason({ ...row, count: '3' }), 'count must be a positive integer, got "3"')
  t.is(reason({ ...row, vulnId: 'CVE-2024-1' }), 'vulnId is not a member of CombinationRow')
  t.is(reason({ awsAccountId: '111122223333', count: 1 }), 'severity is required in CombinationRow')
  t.regex(reason({ ...row, awsAccountId: '42' }), /^awsAccountId /)
  t.is(reason([row]), 'row must be a structure (a JSON object), got a list')
})

test('a row is tallied as its count of findings read and counted or excluded', (t) => {
  const tally = makeIngestTally('rows.ndjson', 1, false)
  const { imageBuildVersionArn: _, ...unlinked } = row
  ingestRow(tally, fromCombinationRow(row))
  ingestRow(tally, fromCombinationRow({ ...unlinked, count: 3 }))
  ingestRow(tally, fromCombinationRow({ ...row, count: -1 }))
  const report = tallyReport(tally)
  t.deepEqual(
    { read: report.read, counted: report.counted, excluded: report.excluded, skipped: report.skipped },
    {
      read: 4 + 3 + 1,
      counted: 4,
      excluded: { notActive: 0, duplicate: 0, noImageLinkage: 3, invalid: 1 },
      skipped: [{ file: 'rows.ndjson', position: 3, reason: 'count must be a positive integer, got -1' }],
    },
  )
})
