import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { DuckDBInstance } from '@duckdb/node-api'
import { groupKeys } from '@scantally/core'
import test from 'ava'
import { makeUniverse, pipelineMapOf, writeExport } from './Generator.js'

const run = promisify(execFile)
const cli = fileURLToPath(new URL('../node_modules/scantally/bin/scantally.js', import.meta.url))
const doc = fileURLToPath(new URL('../../../docs/scale-out.md', import.meta.url))

// The DuckDB query exactly as docs/scale-out.md gives it: the sql block after its marker.
const duckdbQuery = async (): Promise<string> => {
  const text = await readFile(doc, 'utf8')
  const m = /<!-- scale-out:duckdb -->\n```sql\n([\s\S]*?)\n```/.exec(text)
  if (m?.[1] === undefined)
    throw new Error('docs/scale-out.md has no sql block after <!-- scale-out:duckdb -->')
  return m[1]
}

const answer = async (args: ReadonlyArray<string>): Promise<string> =>
  (await run(process.execPath, [cli, 'aggregate', '--quiet', '--output', 'csv', ...args])).stdout

test('scantally fed the DuckDB rows of docs/scale-out.md answers exactly as scantally reading the reports', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-scale-out-'))
  try {
    // Reports as Inspector writes them: one {"findings":[…]} document per file. The same seed
    // repeats findings across files (the first 400 of report-a are report-b), the generator
    // repeats some within a file, and mixes every status and findings with no image linkage.
    const reports = join(dir, 'reports')
    await mkdir(reports)
    await writeExport(join(reports, 'report-a.json'), 11, 700, 'json')
    await writeExport(join(reports, 'report-b.json'), 11, 400, 'json')
    await writeExport(join(reports, 'report-c.json'), 12, 500, 'json')
    const pipelineMap = join(dir, 'pipelines.json')
    await writeFile(
      pipelineMap,
      JSON.stringify({ ...pipelineMapOf(makeUniverse(11)), ...pipelineMapOf(makeUniverse(12)) }),
    )

    const connection = await (await DuckDBInstance.create(':memory:')).connect()
    await connection.run(`SET VARIABLE reports = '${join(reports, '*.json')}'`)
    const query = await duckdbQuery()
    const ndjson = join(dir, 'rows.ndjson')
    const csv = join(dir, 'rows.csv')
    await connection.run(`COPY (${query}) TO '${ndjson}' (FORMAT json)`)
    await connection.run(`COPY (${query}) TO '${csv}' (FORMAT csv, HEADER)`)
    connection.closeSync()

    // The reports hold what the query must deal with.
    const raw = (
      await Promise.all(['a', 'b', 'c'].map((n) => readFile(join(reports, `report-${n}.json`), 'utf8')))
    )
      .join('\n')
      .split('\n')
      .filter((l) => l.startsWith('{"awsAccountId"'))
    const arns = raw.map((l) => /"findingArn":"([^"]+)"/.exec(l)?.[1])
    t.true(new Set(arns).size < arns.length - 400, 'duplicates within and across files')
    t.true(
      raw.some((l) => l.includes('"status":"SUPPRESSED"')) &&
        raw.some((l) => l.includes('"status":"CLOSED"')),
    )
    t.true(
      raw.some((l) => !l.includes('Ec2ImageBuilderArn')),
      'unlinked findings',
    )

    const cases: ReadonlyArray<ReadonlyArray<string>> = [
      ...groupKeys.flatMap((g) => [
        ['--group-by', g],
        ['--group-by', g, '--include-unlinked'],
        ['--group-by', g, '--pipeline-map', pipelineMap],
      ]),
      [
        '--group-by',
        'vulnerabilityId',
        '--where',
        'fixAvailable=EQUALS:YES',
        '--sort-by',
        'CRITICAL',
        '--sort-order',
        'DESC',
      ],
      [
        '--group-by',
        'imageBuildVersionArn',
        '--where',
        'severity=NOT_EQUALS:LOW',
        '--where',
        'accountId=PREFIX:1',
      ],
      ['--group-by', 'accountId', '--include-unlinked', '--where', 'fixAvailable=NOT_EQUALS:NO'],
      [
        '--filter',
        `name=imagePipelineArn,values=${[...new Set(Object.values(pipelineMapOf(makeUniverse(11))))].slice(0, 3).join(',')}`,
        '--pipeline-map',
        pipelineMap,
      ],
    ]
    for (const args of cases) {
      const [expected = '', fromNdjson, fromCsv] = await Promise.all(
        [reports, ndjson, csv].map((input) => answer([...args, input])),
      )
      // Inspector findings have pipelines only through a map: without one that grouping is empty.
      const empty = args.includes('imagePipelineArn') && !args.includes('--pipeline-map')
      t.is(expected.split('\n').length > 2, !empty, `${args.join(' ')}: the reports give groups`)
      t.is(fromNdjson, expected, `NDJSON rows, ${args.join(' ')}`)
      t.is(fromCsv, expected, `CSV rows, ${args.join(' ')}`)
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
