import { readFileSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'ava'
import { exampleFile, scantally } from './test/command.js'

const example = exampleFile('imagebuilder-findings.json')
const findings = JSON.parse(readFileSync(example, 'utf8')).findings as ReadonlyArray<{
  readonly severity: string
}>
const count = (severity: string) => findings.filter((f) => f.severity === severity).length

test('the AWS table names, under it, the severities ALL counts but no column shows', async (t) => {
  const r = await scantally(['aggregate', '-o', 'table', '--quiet', example])
  t.is(r.code, 0, r.stderr)
  const last = r.stdout.trimEnd().split('\n').at(-1)
  t.is(
    last,
    `ALL also counts ${count('LOW')} LOW, ${count('INFORMATIONAL')} INFORMATIONAL, ${count('UNTRIAGED')} UNTRIAGED: --columns all shows them`,
  )
})

test('--columns all shows every severity, so the columns add up to ALL', async (t) => {
  const r = await scantally(['aggregate', '--output', 'table', '--columns', 'all', '--quiet', example])
  t.is(r.code, 0, r.stderr)
  t.notRegex(r.stdout, /ALL also counts/)
  const total = (r.stdout.match(/^TOTAL \(2 groups\)(.*)$/m)?.[1] ?? '').trim().split(/ +/).map(Number)
  const [all, ...bySeverity] = total
  t.is(all, findings.length)
  t.is(
    bySeverity.slice(0, 6).reduce((a, b) => a + b, 0),
    findings.length,
  )
  const csv = await scantally(['aggregate', '--output', 'csv', '--columns', 'all', example])
  t.is(
    csv.stdout.split('\r\n')[0],
    'accountId,all,critical,high,medium,low,informational,untriaged,fixAvailable,exploitAvailable',
  )
  const bad = await scantally(['aggregate', '--columns', 'some', example])
  t.is(bad.code, 2)
  t.regex(bad.stderr, /--columns must be aws or all/)
})

test('CSV cells that a spreadsheet would run as a formula are kept as text', async (t) => {
  const ids = ['=HYPERLINK("http://example.com","x")', '+1+1', '-2+3', '@SUM(A1)', 'CVE-2024-0001']
  const record = (vulnerabilityId: string) => ({
    awsAccountId: '111122223333',
    severity: 'HIGH',
    imageBuildVersionArn: 'arn:aws:imagebuilder:us-east-1:111122223333:image/web/1.0.0/1',
    imagePipelineArn: 'arn:aws:imagebuilder:us-east-1:111122223333:image-pipeline/web',
    packageVulnerabilityDetails: { vulnerabilityId },
  })
  const path = join(await mkdtemp(join(tmpdir(), 'scantally-csv-')), 'hostile.json')
  await writeFile(path, JSON.stringify({ findings: ids.map(record) }))
  const r = await scantally(['aggregate', '--output', 'csv', '--group-by', 'vulnerabilityId', path])
  t.is(r.code, 0, r.stderr)
  const keys = r.stdout
    .trimEnd()
    .split('\r\n')
    .slice(1)
    .map((l) => l.slice(0, l.lastIndexOf(',1,0,1,0,0,0,0,0,0')))
  t.deepEqual(
    keys.sort(),
    [`"'=HYPERLINK(""http://example.com"",""x"")"`, "'+1+1", "'-2+3", "'@SUM(A1)", 'CVE-2024-0001'].sort(),
  )
})
