// An answer of many thousands of groups (an image build per few findings), in every output
// format, against counts and text made here by a plain loop: the answer is written in pieces,
// and must be exactly the text of the whole.
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'ava'
import { scantally } from './test/command.js'

const severities = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const
const builds = 12_000

interface Row {
  readonly build: string
  readonly severity: (typeof severities)[number]
}

// Builds named so that code-unit order differs from numeric and locale order: mixed case, a
// non-ASCII letter and a character outside the BMP in some.
const buildName = (b: number): string =>
  `arn:aws:imagebuilder:us-east-1:111122223333:image/${b % 7 === 0 ? 'Web' : 'web'}${b % 11 === 0 ? 'é' : ''}${b % 13 === 0 ? '😀' : ''}-${b % 97}/1.${b % 50}.${b}/1`

const rows: ReadonlyArray<Row> = Array.from({ length: 30_000 }, (_, i) => ({
  build: buildName((i * 7919) % builds),
  severity: severities[(i * 31) % 4] as Row['severity'],
}))

const ndjson = rows
  .map((r, i) =>
    JSON.stringify({
      findingArn: `arn:aws:inspector2:us-east-1:111122223333:finding/f${i}`,
      awsAccountId: '111122223333',
      severity: r.severity,
      status: 'ACTIVE',
      type: 'PACKAGE_VULNERABILITY',
      packageVulnerabilityDetails: { vulnerabilityId: `CVE-2024-${i % 50}` },
      resources: [{ id: `i-${i}`, type: 'AWS_EC2_INSTANCE', tags: { Ec2ImageBuilderArn: r.build } }],
    }),
  )
  .join('\n')

// The reference: counts by a plain loop, keys in UTF-16 code-unit order by a comparator.
const expected = (() => {
  const counts = new Map<string, { all: number; critical: number; high: number; medium: number }>()
  for (const r of rows) {
    const c = counts.get(r.build) ?? { all: 0, critical: 0, high: 0, medium: 0 }
    c.all++
    if (r.severity === 'CRITICAL') c.critical++
    if (r.severity === 'HIGH') c.high++
    if (r.severity === 'MEDIUM') c.medium++
    counts.set(r.build, c)
  }
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1))
})()

const file = (async () => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-high-'))
  const path = join(dir, 'findings.ndjson')
  await writeFile(path, ndjson)
  return path
})()

const byBuild = ['--filter', `name=accountId,values=111122223333`, '--group-by', 'imageBuildVersionArn']

test('a JSON answer of thousands of groups is the whole answer, as JSON.stringify writes it', async (t) => {
  const r = await scantally(['aggregate', '--group-by', 'imageBuildVersionArn', '-o', 'json', await file])
  t.is(r.code, 0, r.stderr)
  const answer = JSON.parse(r.stdout) as {
    groups: ReadonlyArray<{ key: string; counts: Record<string, number> }>
  }
  t.is(r.stdout, `${JSON.stringify(answer, null, 4)}\n`)
  t.deepEqual(
    answer.groups.map((g) => [g.key, g.counts.all, g.counts.critical, g.counts.high, g.counts.medium]),
    expected.map(([k, c]) => [k, c.all, c.critical, c.high, c.medium]),
  )
})

test('an answer of thousands of groups in key order descending', async (t) => {
  const r = await scantally([
    'aggregate',
    '--group-by',
    'imageBuildVersionArn',
    '--sort-order',
    'DESC',
    '-o',
    'json',
    await file,
  ])
  t.is(r.code, 0, r.stderr)
  const answer = JSON.parse(r.stdout) as { groups: ReadonlyArray<{ key: string }> }
  t.deepEqual(
    answer.groups.map((g) => g.key),
    expected.map(([k]) => k).reverse(),
  )
})

test('a CSV and a table of thousands of groups hold every group once, in order', async (t) => {
  const csv = await scantally(['aggregate', ...byBuild, '-o', 'csv', await file])
  t.is(csv.code, 0, csv.stderr)
  t.is(
    csv.stdout,
    [
      'imageBuildVersionArn,all,critical,high,medium,low,informational,untriaged,fixAvailable,exploitAvailable',
      ...expected.map(
        ([k, c]) =>
          `${k},${c.all},${c.critical},${c.high},${c.medium},${c.all - c.critical - c.high - c.medium},0,0,0,0`,
      ),
      '',
    ].join('\r\n'),
  )

  const table = await scantally(['aggregate', ...byBuild, '-o', 'table', await file])
  t.is(table.code, 0, table.stderr)
  const lines = table.stdout.split('\n')
  const width = Math.max(...expected.map(([k]) => [...k].length))
  t.deepEqual(
    lines.slice(2, 2 + expected.length).map((l) => [l.slice(0, l.indexOf('  ')), l.split(/ +/)[1]]),
    expected.map(([k, c]) => [k, String(c.all)]),
  )
  // The key column is as wide as its widest key in code points.
  t.is(lines[1]?.split('  ')[0]?.length, width)
  t.is(lines[2 + expected.length + 1]?.split('  ')[0], `TOTAL (${expected.length} groups)`)
})

// A pipeline map of every build but one in ten, written flat as `scantally pipeline-map` does.
const pipelineOf = (build: string): string | undefined =>
  build.endsWith('3/1')
    ? undefined
    : `arn:aws:imagebuilder:us-east-1:111122223333:image-pipeline/p-${build.length % 17}`

const mapFile = (async () => {
  const path = join(await file, '..', 'pipelines.json')
  const lines = expected.flatMap(([build]) => {
    const p = pipelineOf(build)
    return p === undefined ? [] : [`  ${JSON.stringify(build)}: ${JSON.stringify(p)}`]
  })
  await writeFile(path, `{\n${lines.join(',\n')}\n}\n`)
  return path
})()

const withoutRequestId = (text: string): string => text.replace(/"requestId": "[^"]*"/, '')

test('pipelines from a map of thousands of builds are counted as a plain loop counts them', async (t) => {
  const r = await scantally([
    'aggregate',
    '--group-by',
    'imagePipelineArn',
    '--pipeline-map',
    await mapFile,
    '-o',
    'json',
    await file,
  ])
  t.is(r.code, 0, r.stderr)
  const byPipeline = new Map<string, number>()
  for (const row of rows) {
    const p = pipelineOf(row.build)
    if (p !== undefined) byPipeline.set(p, (byPipeline.get(p) ?? 0) + 1)
  }
  const answer = JSON.parse(r.stdout) as { groups: ReadonlyArray<{ key: string; counts: { all: number } }> }
  t.deepEqual(
    answer.groups.map((g) => [g.key, g.counts.all]),
    [...byPipeline].sort(([a], [b]) => (a < b ? -1 : 1)),
  )
})

test('a grouping by image build with a pipeline map answers as without it', async (t) => {
  const args = ['aggregate', '--group-by', 'imageBuildVersionArn', '-o', 'json']
  const plain = await scantally([...args, await file])
  const mapped = await scantally([...args, '--pipeline-map', await mapFile, await file])
  t.is(mapped.code, 0, mapped.stderr)
  t.is(withoutRequestId(mapped.stdout), withoutRequestId(plain.stdout))
})
