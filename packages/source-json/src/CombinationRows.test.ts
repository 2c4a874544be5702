import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { type Finding, groupKeys } from '@scantally/core'
import { accumulate, countOf, isFromRow } from '@scantally/core/internal'
import test from 'ava'
import * as E from 'fp-ts/lib/Either.js'
import { collectFindings } from './ReadFindings.js'

const build = 'arn:aws:imagebuilder:us-east-1:111122223333:image/web/1.0.0/1'
const pipeline = 'arn:aws:imagebuilder:us-east-1:111122223333:image-pipeline/web'

const ndjson = [
  `{"awsAccountId":"111122223333","imageBuildVersionArn":"${build}","vulnerabilityId":"CVE-2024-1","severity":"CRITICAL","fixAvailable":"YES","exploitAvailable":"YES","count":5}`,
  `{"awsAccountId":"111122223333","imageBuildVersionArn":"${build}","imagePipelineArn":null,"vulnerabilityId":null,"severity":"LOW","fixAvailable":null,"exploitAvailable":null,"count":2}`,
  '',
  '{"awsAccountId":"444455556666","severity":"HIGH","count":7}',
].join('\n')

// As Athena writes a query's result: every cell quoted, names in lower case, NULL as nothing.
const athenaCsv = [
  '"awsaccountid","imagebuildversionarn","imagepipelinearn","vulnerabilityid","severity","fixavailable","exploitavailable","count"',
  `"111122223333","${build}","${pipeline}","CVE-2024-2","HIGH","NO",,"3"`,
  `"111122223333","${build}",,"CVE-2024-1","CRITICAL","YES","YES","1"`,
].join('\r\n')

const withFiles = async (files: Record<string, string | Buffer>, run: (dir: string) => Promise<void>) => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-rows-'))
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text)
    await run(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

// Every grouping's counts, from findings that may stand for several.
const answers = (findings: ReadonlyArray<Finding>) =>
  groupKeys.map((groupBy) => {
    const acc = accumulate({ groupBy })
    if (E.isLeft(acc)) throw new Error(acc.left.message)
    for (const f of findings) acc.right.add(f)
    return acc.right.result().map((g) => [g.key, g.counts.all, g.counts.critical, g.counts.high])
  })

test('NDJSON and CSV rows (gzip or not, Athena lower-case names) count as the findings they stand for', async (t) => {
  await withFiles({ 'rows.ndjson.gz': gzipSync(ndjson), 'athena.csv': athenaCsv }, async (dir) => {
    const read = await collectFindings([dir], {
      resolvePipeline: (b) => (b === build ? pipeline : undefined),
    })()
    if (E.isLeft(read)) return t.fail(read.left.message)
    const { value, report } = read.right
    t.true(value.every(isFromRow))
    t.is(
      value.reduce((n, f) => n + countOf(f), 0),
      5 + 2 + 3 + 1,
    )
    t.deepEqual(
      { read: report.read, counted: report.counted, noImageLinkage: report.excluded.noImageLinkage },
      { read: 18, counted: 11, noImageLinkage: 7 },
    )
    t.deepEqual(answers(value), [
      [['111122223333', 11, 6, 3]],
      [[build, 11, 6, 3]],
      [[pipeline, 11, 6, 3]],
      [
        ['CVE-2024-1', 6, 6, 0],
        ['CVE-2024-2', 3, 0, 3],
      ],
    ])
  })
})

test('a bad row is an error naming the file, its line and the member', async (t) => {
  const bad = `${ndjson.split('\n')[0]}\n{"awsAccountId":"111122223333","severity":"HIGH","count":0}\n`
  const csv = `awsAccountId,severity,count,vulnId\n111122223333,HIGH,2,CVE-1\n`
  await withFiles({ 'bad.ndjson': bad, 'bad.csv': csv }, async (dir) => {
    const ndjsonRead = await collectFindings([join(dir, 'bad.ndjson')])()
    t.deepEqual(
      E.isLeft(ndjsonRead) ? ndjsonRead.left.message : 'read',
      `${join(dir, 'bad.ndjson')}:2: combination row 2 is invalid: count must be a positive integer, got 0`,
    )
    const csvRead = await collectFindings([join(dir, 'bad.csv')])()
    t.deepEqual(
      E.isLeft(csvRead) ? csvRead.left.message : 'read',
      `${join(dir, 'bad.csv')}:2: combination row 1 is invalid: vulnId is not a member of CombinationRow`,
    )
    const skipped = await collectFindings([join(dir, 'bad.ndjson')], { policy: 'skip' })()
    if (E.isLeft(skipped)) return t.fail(skipped.left.message)
    t.deepEqual(skipped.right.report.skipped, [
      { file: join(dir, 'bad.ndjson'), position: 2, reason: 'count must be a positive integer, got 0' },
    ])
    t.is(skipped.right.report.counted, 5)
  })
})

test('a line that is not JSON is malformed input at its line', async (t) => {
  await withFiles({ 'rows.ndjson': `${ndjson.split('\n')[0]}\n{"awsAccountId":\n` }, async (dir) => {
    const read = await collectFindings([join(dir, 'rows.ndjson')])()
    t.regex(E.isLeft(read) ? read.left.message : 'read', /rows\.ndjson:2:1: malformed JSON at byte \d+: /)
  })
})

test('rows and whole findings mix in one read; only whole findings are de-duplicated', async (t) => {
  const finding = JSON.stringify({
    awsAccountId: '111122223333',
    severity: 'CRITICAL',
    status: 'ACTIVE',
    findingArn: 'arn:aws:inspector2:us-east-1:111122223333:finding/1',
    resources: [{ tags: { Ec2ImageBuilderArn: build } }],
    packageVulnerabilityDetails: { vulnerabilityId: 'CVE-2024-1' },
  })
  await withFiles({ 'a.ndjson': `${finding}\n${finding}\n`, 'b.ndjson': ndjson }, async (dir) => {
    const read = await collectFindings([dir])()
    if (E.isLeft(read)) return t.fail(read.left.message)
    t.deepEqual(answers(read.right.value)[3], [['CVE-2024-1', 6, 6, 0]])
    t.is(read.right.report.excluded.duplicate, 1)
  })
})
