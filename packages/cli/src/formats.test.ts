// The command over the formats besides JSON exports, and over directories holding other files.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'

const bin = fileURLToPath(new URL('../bin/scantally.js', import.meta.url))
const examples = fileURLToPath(new URL('../../../examples/', import.meta.url))
const inspectorExample = join(examples, 'inspector-findings.json')
const imageBuilderExample = join(examples, 'imagebuilder-findings.json')
const pipelineMap = join(examples, 'pipelines.json')

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const run = (args: ReadonlyArray<string>): Promise<Run> =>
  new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { maxBuffer: 64 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    )
    child.stdin?.end('')
  })

const dir = mkdtemp(join(tmpdir(), 'scantally-formats-'))

// The responses of a JSON answer (the request id differs run to run).
const responses = (r: Run): unknown => (JSON.parse(r.stdout) as { responses: unknown }).responses

interface InspectorRecord {
  readonly findingArn: string
  readonly awsAccountId: string
  readonly severity: string
  readonly status: string
  readonly fixAvailable?: string
  readonly exploitAvailable?: string
  readonly packageVulnerabilityDetails?: { readonly vulnerabilityId?: string }
  readonly resources?: ReadonlyArray<{ readonly id?: string; readonly tags?: Record<string, string> }>
}

const inspectorRecords = (): ReadonlyArray<InspectorRecord> =>
  (JSON.parse(readFileSync(inspectorExample, 'utf8')) as { findings: InspectorRecord[] }).findings

// The example's findings as Security Hub holds them (GetFindings output).
const asffOf = (f: InspectorRecord) => ({
  SchemaVersion: '2018-10-08',
  Id: f.findingArn,
  ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/inspector',
  ProductName: 'Inspector',
  AwsAccountId: f.awsAccountId,
  Severity: { Label: f.severity === 'UNTRIAGED' ? 'INFORMATIONAL' : f.severity, Original: f.severity },
  RecordState: f.status === 'CLOSED' ? 'ARCHIVED' : 'ACTIVE',
  Workflow: { Status: f.status === 'SUPPRESSED' ? 'SUPPRESSED' : 'NEW' },
  Vulnerabilities: [
    {
      Id: f.packageVulnerabilityDetails?.vulnerabilityId,
      FixAvailable: f.fixAvailable,
      ExploitAvailable: f.exploitAvailable,
    },
  ],
  Resources: (f.resources ?? []).map((r) => ({ Type: 'AwsEc2Instance', Id: r.id, Tags: r.tags })),
})

// The example's findings as Inspector's findings report in CSV (the columns read, in any order).
const csvOf = (fs: ReadonlyArray<InspectorRecord>): string => {
  const header = [
    'AWS Account Id',
    'Severity',
    'Fix Available',
    'Finding ARN',
    'Resource Tags',
    'Status',
    'Vulnerability Id',
    'Exploit Available',
  ]
  const q = (v: string | undefined) => `"${(v ?? '').replace(/"/g, '""')}"`
  const rows = fs.map((f) =>
    [
      f.awsAccountId,
      f.severity,
      f.fixAvailable,
      f.findingArn,
      JSON.stringify(f.resources?.[0]?.tags ?? {}),
      f.status,
      f.packageVulnerabilityDetails?.vulnerabilityId,
      f.exploitAvailable,
    ]
      .map(q)
      .join(','),
  )
  return `${[header.join(','), ...rows].join('\r\n')}\r\n`
}

test('the example Inspector findings as a CSV report and as ASFF answer as the JSON export does', async (t) => {
  const root = await dir
  const csv = join(root, 'report.csv')
  const asff = join(root, 'securityhub.json')
  await writeFile(csv, csvOf(inspectorRecords()))
  await writeFile(asff, JSON.stringify({ Findings: inspectorRecords().map(asffOf), NextToken: 'x' }, null, 2))
  const args = [
    'aggregate',
    '--output',
    'json',
    '--status',
    'ALL',
    '--pipeline-map',
    pipelineMap,
    '--filter',
    'name=vulnerabilityId,values=CVE-2024-1274,CVE-2024-1685',
  ]
  const json = await run([...args, inspectorExample])
  t.is(json.code, 0, json.stderr)
  for (const path of [csv, asff]) {
    const other = await run([...args, path])
    t.is(other.code, 0, other.stderr)
    t.deepEqual(responses(other), responses(json))
    t.regex(other.stderr, /findings: 160 read/)
  }
})

test('a directory with other files in it: its exports are read and each other file is named on stderr', async (t) => {
  const r = await run(['aggregate', '--output', 'json', examples])
  t.is(r.code, 0, r.stderr)
  t.regex(r.stderr, /skipped .*aggregate-example\.mjs: not an export: in no known format\n/)
  t.regex(r.stderr, /skipped .*pipelines\.json: not an export: JSON whose first record is not a finding\n/)
  t.regex(r.stderr, /read 2 files/)
  const named = await run(['aggregate', '--output', 'json', imageBuilderExample, inspectorExample])
  t.deepEqual(responses(r), responses(named))

  const included = await run(['aggregate', '--output', 'json', '--include', '*-findings.json', examples])
  t.is(included.code, 0, included.stderr)
  t.notRegex(included.stderr, /skipped/)
  t.deepEqual(responses(included), responses(named))

  const quiet = await run(['aggregate', '--output', 'json', '--quiet', examples])
  t.is(quiet.stderr, '')
})

test('a file named as an input in no known format: exit 1, nothing on stdout, the formats tried on stderr', async (t) => {
  const r = await run(['aggregate', '--output', 'json', join(examples, 'aggregate-example.mjs')])
  t.is(r.code, 1)
  t.is(r.stdout, '')
  t.regex(
    r.stderr,
    /UnknownFormat: .*aggregate-example\.mjs: not an export in any known format \(tried JSON .*Security Hub ASFF.*, the Inspector findings report in CSV, and combination rows .*\)/,
  )
})
