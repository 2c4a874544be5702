import { readFileSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'ava'
import { exampleFile, scantally } from './test/command.js'

const inspector = exampleFile('inspector-findings.json')

// The Inspector example as a real export without Image Builder tags: none is linked to a build.
const unlinkedExport = async (): Promise<{ readonly path: string; readonly active: number }> => {
  const findings = JSON.parse(readFileSync(inspector, 'utf8')).findings as Array<Record<string, unknown>>
  const untagged = findings.map((f) =>
    JSON.parse(JSON.stringify(f).replaceAll('"Ec2ImageBuilderArn"', '"Name"')),
  )
  const path = join(await mkdtemp(join(tmpdir(), 'scantally-hints-')), 'ec2-findings.json')
  await writeFile(path, JSON.stringify({ findings: untagged }))
  return { path, active: findings.filter((f) => f.status === 'ACTIVE').length }
}

test('findings left out for no image linkage are named on stderr with --include-unlinked', async (t) => {
  const { path, active } = await unlinkedExport()
  const r = await scantally(['aggregate', '--output', 'table', path])
  t.is(r.code, 0, r.stderr)
  t.regex(r.stdout, /^TOTAL \(0 groups\)/m)
  t.regex(r.stderr, new RegExp(`note: ${active} findings were not counted: they have no image build linkage`))
  t.regex(r.stderr, /--include-unlinked counts them/)

  const included = await scantally(['aggregate', '--output', 'table', '--include-unlinked', path])
  t.is(included.code, 0, included.stderr)
  t.regex(included.stdout, new RegExp(`^TOTAL \\(\\d+ groups\\) +${active} `, 'm'))
  t.notRegex(included.stderr, /note:/)
})

test('grouping by a field no finding carries says why the answer is empty', async (t) => {
  const r = await scantally(['aggregate', '--output', 'table', '--group-by', 'imagePipelineArn', inspector])
  t.is(r.code, 0, r.stderr)
  t.regex(r.stdout, /^TOTAL \(0 groups\)/m)
  t.regex(
    r.stderr,
    /note: no groups: 148 findings counted, but none carries the grouping field imagePipelineArn/,
  )
  t.regex(r.stderr, /--pipeline-map FILE/)

  const mapped = await scantally([
    'aggregate',
    '--output',
    'table',
    '--group-by',
    'imagePipelineArn',
    '--pipeline-map',
    exampleFile('pipelines.json'),
    inspector,
  ])
  t.is(mapped.code, 0, mapped.stderr)
  t.notRegex(mapped.stderr, /note:/)
  t.notRegex(mapped.stdout, /TOTAL \(0 groups\)/)
})
