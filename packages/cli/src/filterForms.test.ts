// The AWS CLI's forms of --filter, from the command as a child process: each gives the answer of the
// plain shorthand, counted here from the example itself.
import { readFileSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'ava'
import { exampleFile, type Run, scantally } from './test/command.js'

const example = exampleFile('imagebuilder-findings.json')
const findings = JSON.parse(readFileSync(example, 'utf8')).findings as ReadonlyArray<{
  readonly imagePipelineArn: string
}>
const pipelines = [...new Set(findings.map((f) => f.imagePipelineArn))].sort().slice(0, 2)

// The `all` count of each group of a JSON answer, by pipeline.
interface Answer {
  readonly responses: ReadonlyArray<{
    readonly imagePipelineAggregation: {
      readonly imagePipelineArn: string
      readonly severityCounts: { readonly all: number }
    }
  }>
}
const allByKey = (r: Run): Record<string, number> =>
  Object.fromEntries(
    (JSON.parse(r.stdout) as Answer).responses.map(({ imagePipelineAggregation: g }) => [
      g.imagePipelineArn,
      g.severityCounts.all,
    ]),
  )

const expected = Object.fromEntries(
  pipelines.map((p) => [p, findings.filter((f) => f.imagePipelineArn === p).length]),
)

const aggregate = (filter: string): Promise<Run> =>
  scantally(['aggregate', '-o', 'json', '--quiet', '--filter', filter, example])

test('the example has two pipelines to filter on', (t) => {
  t.is(pipelines.length, 2)
})

test('--filter name=N,values=[a,b] takes the bracketed list, either member first', async (t) => {
  const named = await aggregate(`name=imagePipelineArn,values=[${pipelines.join(',')}]`)
  t.is(named.code, 0, named.stderr)
  t.deepEqual(allByKey(named), expected)
  const valuesFirst = await aggregate(`values=[${pipelines.join(',')}],name=imagePipelineArn`)
  t.is(valuesFirst.code, 0, valuesFirst.stderr)
  t.deepEqual(allByKey(valuesFirst), expected)
})

test('--filter file://FILE reads the filter as JSON or shorthand from the file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-filter-'))
  const json = join(dir, 'filter.json')
  await writeFile(json, JSON.stringify({ name: 'imagePipelineArn', values: pipelines }, null, 2))
  const fromJson = await aggregate(`file://${json}`)
  t.is(fromJson.code, 0, fromJson.stderr)
  t.deepEqual(allByKey(fromJson), expected)
  const shorthand = join(dir, 'filter.txt')
  await writeFile(shorthand, `name=imagePipelineArn,values=[${pipelines.join(',')}]\n`)
  const fromShorthand = await aggregate(`file://${shorthand}`)
  t.is(fromShorthand.code, 0, fromShorthand.stderr)
  t.deepEqual(allByKey(fromShorthand), expected)
})

test('a --filter file that is missing or not a filter is a usage error naming it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-filter-'))
  const missing = join(dir, 'nowhere.json')
  const r = await aggregate(`file://${missing}`)
  t.is(r.code, 2)
  t.is(r.stdout, '')
  t.true(r.stderr.includes(`--filter file ${JSON.stringify(missing)} cannot be read (ENOENT)`), r.stderr)
  const broken = join(dir, 'broken.json')
  await writeFile(broken, '{"name":')
  const b = await aggregate(`file://${broken}`)
  t.is(b.code, 2)
  t.true(b.stderr.includes(`--filter file ${JSON.stringify(broken)} is not valid JSON`), b.stderr)
})
