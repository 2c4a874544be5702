// The formats besides Inspector's and Image Builder's JSON: the findings report in CSV and
// Security Hub ASFF give the answers the same findings give as JSON; a directory skips and names
// what is not an export; a named file in no known format is an error naming the formats tried.
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { testProp } from '@fast-check/ava'
import test from 'ava'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { parseResourceTags } from './CsvReport.js'
import {
  asffRecord,
  csvReportHeader,
  csvReportOf,
  gensArb,
  inspectorRecord,
  multiset,
  pipelineOf,
  securityHubEventOf,
  tempDir,
} from './exports.test.util.js'
import { globPattern } from './Input.js'
import { collectFindings } from './ReadFindings.js'

const resolvePipeline = (build: string) => pipelineOf(build)

testProp(
  'the same Inspector findings as the JSON report, as the CSV report, as ASFF pages and as Security Hub events: the same findings and report; all together, each counted once',
  [gensArb(25), fc.boolean()],
  async (t, gens, workers) => {
    const root = await tempDir()
    try {
      const files = {
        json: ['report.json', JSON.stringify({ findings: gens.map(inspectorRecord) })],
        csv: ['report.csv', csvReportOf(gens)],
        asff: ['asff.json', JSON.stringify({ Findings: gens.map(asffRecord) })],
        events: [
          'events.json',
          JSON.stringify([securityHubEventOf(gens.slice(0, 3)), securityHubEventOf(gens.slice(3))]),
        ],
      } as const
      const paths: Record<string, string> = {}
      for (const [k, [name, text]] of Object.entries(files)) {
        paths[k] = join(root, name)
        await writeFile(paths[k] as string, text)
      }
      const options = { resolvePipeline, ...(workers ? { workers: 3, splitBytes: 0 } : {}) }
      const json = await collectFindings([paths.json as string], options)()
      if (E.isLeft(json)) return t.fail(json.left.message)
      for (const k of ['csv', 'asff', 'events'] as const) {
        const other = await collectFindings([paths[k] as string], options)()
        if (E.isLeft(other)) return t.fail(other.left.message)
        t.deepEqual(multiset(other.right.value), multiset(json.right.value), k)
        t.deepEqual({ ...other.right.report, bytes: 0 }, { ...json.right.report, bytes: 0 }, k)
      }
      const all = await collectFindings([root], options)()
      if (E.isLeft(all)) return t.fail(all.left.message)
      t.deepEqual(multiset(all.right.value), multiset(json.right.value))
      t.is(all.right.report.excluded.duplicate, 3 * json.right.report.counted)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  },
  { numRuns: 20 },
)

// A report as a spreadsheet might hold it, written by hand with the report's 55 columns.
const row = (cells: Readonly<Record<string, string>>): string =>
  csvReportHeader
    .map((h) => {
      const v = cells[h] ?? ''
      return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v
    })
    .join(',')

const build = 'arn:aws:imagebuilder:us-east-1:111122223333:image/web/1.0.0/1'
const handMade = `${[
  csvReportHeader.join(','),
  row({
    'AWS Account Id': '111122223333',
    Severity: 'CRITICAL',
    'Fix Available': 'YES',
    'Finding Type': 'Package Vulnerability',
    Title: 'CVE-2024-6387 - openssh-server',
    Description: 'A race condition, in "sshd"\nallows remote code execution.',
    'Finding ARN': 'arn:aws:inspector2:us-east-1:111122223333:finding/a1',
    'Resource ID': 'i-0a1b2c3d4e5f60718',
    'Resource Tags': `{"Name":"web","Ec2ImageBuilderArn":"${build}"}`,
    Status: 'ACTIVE',
    'Vulnerability Id': 'CVE-2024-6387',
    'Resource Type': 'AWS_EC2_INSTANCE',
    'Exploit Available': 'YES',
  }),
  row({
    'AWS Account Id': '111122223333',
    Severity: 'High',
    'Fix Available': 'partial',
    'Finding ARN': 'arn:aws:inspector2:us-east-1:111122223333:finding/a2',
    'Resource Tags': `Name=web; Ec2ImageBuilderArn=${build}`,
    Status: 'active',
    'Vulnerability Id': 'CVE-2023-38408',
    'Exploit Available': 'NO',
  }),
  row({
    'AWS Account Id': '111122223333',
    Severity: 'LOW',
    'Finding ARN': 'arn:aws:inspector2:us-east-1:111122223333:finding/a3',
    'Resource Tags': `[{"key":"Ec2ImageBuilderArn","value":"${build}"}]`,
    Status: 'SUPPRESSED',
    'Vulnerability Id': 'CVE-2022-0001',
  }),
  row({
    'AWS Account Id': '444455556666',
    Severity: 'MEDIUM',
    'Finding Type': 'Network Reachability',
    'Finding ARN': 'arn:aws:inspector2:us-east-1:444455556666:finding/b1',
    'Resource Tags': 'Name=db',
    Status: 'ACTIVE',
  }),
].join('\r\n')}\r\n`

test('a hand-made CSV report with the 55 columns: every row mapped as its Inspector finding would be', async (t) => {
  t.is(csvReportHeader.length, 55)
  const root = await tempDir()
  try {
    const path = join(root, 'findings-report.csv')
    await writeFile(path, `\ufeff${handMade}`)
    const read = await collectFindings([path], {})()
    if (E.isLeft(read)) return t.fail(read.left.message)
    t.deepEqual(read.right.value as ReadonlyArray<unknown>, [
      {
        awsAccountId: '111122223333',
        severity: 'CRITICAL',
        imageBuildVersionArn: build,
        vulnerabilityId: 'CVE-2024-6387',
        findingArn: 'arn:aws:inspector2:us-east-1:111122223333:finding/a1',
        fixAvailable: 'YES',
        exploitAvailable: 'YES',
      },
      {
        awsAccountId: '111122223333',
        severity: 'HIGH',
        imageBuildVersionArn: build,
        vulnerabilityId: 'CVE-2023-38408',
        findingArn: 'arn:aws:inspector2:us-east-1:111122223333:finding/a2',
        fixAvailable: 'PARTIAL',
        exploitAvailable: 'NO',
      },
    ])
    t.like(read.right.report, {
      files: 1,
      read: 4,
      counted: 2,
      excluded: { notActive: 1, duplicate: 0, noImageLinkage: 1, invalid: 0 },
    })
    const all = await collectFindings([path], { statuses: ['ACTIVE', 'SUPPRESSED'], includeUnlinked: true })()
    if (E.isLeft(all)) return t.fail(all.left.message)
    t.is(all.right.report.counted, 4)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('Resource Tags in each encoding', (t) => {
  const want = { Name: 'web', Ec2ImageBuilderArn: build }
  t.deepEqual(parseResourceTags(JSON.stringify(want)), want)
  t.deepEqual(
    parseResourceTags(`[{"Key":"Name","Value":"web"},{"Key":"Ec2ImageBuilderArn","Value":"${build}"}]`),
    want,
  )
  t.deepEqual(parseResourceTags(`Name=web,Ec2ImageBuilderArn=${build}`), want)
  t.deepEqual(parseResourceTags(`Name: web | Ec2ImageBuilderArn: ${build}`), want)
  t.deepEqual(parseResourceTags(`Name=web\nEc2ImageBuilderArn=${build}`), want)
  t.is(parseResourceTags('  '), undefined)
})

test('a CSV report with a broken row: a named error under strict; under skip the row is reported and the others count', async (t) => {
  const root = await tempDir()
  try {
    const path = join(root, 'report.csv')
    const lines = handMade.split('\r\n')
    await writeFile(path, [lines[0], lines[1], '111122223333,HIGH,"YES', ...lines.slice(2)].join('\r\n'))
    const strict = await collectFindings([path], {})()
    t.like(strict, { _tag: 'Left', left: { _tag: 'MalformedCsv', file: path } })
    if (E.isLeft(strict)) t.regex(strict.left.message, /report\.csv:\d+: malformed CSV: /)
    await writeFile(path, [lines[0], lines[1], '111122223333,HIGH', ...lines.slice(2)].join('\r\n'))
    const skip = await collectFindings([path], { policy: 'skip' })()
    if (E.isLeft(skip)) return t.fail(skip.left.message)
    t.is(skip.right.report.counted, 2)
    t.is(skip.right.report.skipped.length, 1)
    t.regex(skip.right.report.skipped[0]?.reason ?? '', /malformed CSV: Invalid Record Length/)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('a Security Hub finding from another product is invalid, and says why', async (t) => {
  const root = await tempDir()
  try {
    const path = join(root, 'asff.json')
    const guardDuty = { AwsAccountId: '111122223333', ProductName: 'GuardDuty', Severity: { Label: 'HIGH' } }
    await writeFile(path, JSON.stringify({ Findings: [guardDuty] }))
    const read = await collectFindings([path], {})()
    t.like(read, { _tag: 'Left', left: { _tag: 'InvalidRecord', position: 1 } })
    if (E.isLeft(read)) t.regex(read.left.message, /ProductName: expected "Inspector" but got "GuardDuty"/)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('a directory yields its exports and names every other file it skipped; --include narrows it', async (t) => {
  const root = await tempDir()
  try {
    const dir = join(root, 'exports')
    await mkdir(dir)
    await writeFile(join(dir, 'report.csv'), handMade)
    await writeFile(join(dir, 'aggregate-example.mjs'), "import { main } from 'scantally'\n")
    await writeFile(join(dir, 'README.md'), '# Exports\n\nFindings, weekly.\n')
    await writeFile(
      join(dir, 'logo.png'),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]),
    )
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'x', version: '1.0.0' }))
    await writeFile(join(dir, 'pipelines.json'), JSON.stringify({ [build]: 'arn:p' }))
    await writeFile(join(dir, 'empty.json'), '')
    await writeFile(join(dir, 'other.csv'), 'name,size\na,1\n')
    // In one pass, and with every file large enough to be read as parts (one, or cut for two threads).
    for (const parts of [{}, { workers: 1, splitBytes: 0 }, { workers: 2, splitBytes: 0 }]) {
      const skipped: Array<string> = []
      const read = await collectFindings([dir], {
        ...parts,
        onSkippedInput: (name, why) => skipped.push(`${name}: ${why}`),
      })()
      if (E.isLeft(read)) return t.fail(read.left.message)
      t.is(read.right.report.counted, 2)
      t.is(read.right.report.files, 1)
      t.deepEqual(
        skipped,
        [
          `${join(dir, 'README.md')}: not an export: in no known format`,
          `${join(dir, 'aggregate-example.mjs')}: not an export: in no known format`,
          `${join(dir, 'empty.json')}: not an export: empty`,
          `${join(dir, 'logo.png')}: not an export: in no known format`,
          `${join(dir, 'other.csv')}: not an export: in no known format`,
          `${join(dir, 'package.json')}: not an export: JSON whose first record is not a finding`,
          `${join(dir, 'pipelines.json')}: not an export: JSON whose first record is not a finding`,
        ],
        JSON.stringify(parts),
      )
    }
    const narrowed: Array<string> = []
    const some = await collectFindings([dir], {
      include: ['*.csv', '*.{md,txt}'],
      onSkippedInput: (name) => narrowed.push(name),
    })()
    if (E.isLeft(some)) return t.fail(some.left.message)
    t.is(some.right.report.counted, 2)
    t.deepEqual(narrowed, [join(dir, 'README.md'), join(dir, 'other.csv')])
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('a file named as an input in no known format is an error naming the formats tried', async (t) => {
  const root = await tempDir()
  try {
    const path = join(root, 'aggregate-example.mjs')
    await writeFile(path, "import { main } from 'scantally'\n")
    const read = await collectFindings([path], {})()
    t.like(read, { _tag: 'Left', left: { _tag: 'UnknownFormat', file: path } })
    if (E.isLeft(read))
      t.is(
        read.left.message,
        `${path}: not an export in any known format (tried JSON (Image Builder ListImageScanFindings, Inspector v2 ListFindings or findings report, NDJSON, EventBridge events, Security Hub ASFF findings), the Inspector findings report in CSV, and combination rows (NDJSON or CSV with awsAccountId and count))`,
      )
    // Named with --include that excludes it, it is still read: --include is for directories.
    const named = await collectFindings([path], { include: ['*.json'] })()
    t.like(named, { _tag: 'Left', left: { _tag: 'UnknownFormat' } })
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('file-name globs', (t) => {
  const matches = (glob: string, name: string) => globPattern(glob).test(name)
  t.true(matches('*.json', 'a.json'))
  t.false(matches('*.json', 'a.json.gz'))
  t.true(matches('*.json*', 'a.json.gz'))
  t.true(matches('page-??.json', 'page-01.json'))
  t.false(matches('page-??.json', 'page-1.json'))
  t.true(matches('*.{csv,ndjson}', 'x.ndjson'))
  t.true(matches('[a-c]*', 'b.json'))
  t.false(matches('[!a-c]*', 'b.json'))
  t.true(matches('a+b(1).json', 'a+b(1).json'))
})
