import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import {
  ImagebuilderClient,
  type ImageScanFinding,
  paginateListImageScanFindingAggregations,
  paginateListImageScanFindings,
} from '@aws-sdk/client-imagebuilder'
import test from 'ava'
import { generateFindings, worldOf } from './test/Load.js'
import { serve } from './test/served.js'

// An export large enough to be split between reading threads (32 MiB by default), of many
// accounts and image builds: serve's index and store are filled from the split read's ids, and
// must answer as `scantally aggregate` does, and list each finding as its record in the file.

const bin = fileURLToPath(new URL('../bin/scantally.js', import.meta.url))

const client = (url: string) =>
  new ImagebuilderClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  })

const aggregateJson = (args: ReadonlyArray<string>): Promise<{ responses: unknown[] }> =>
  new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [bin, 'aggregate', '--output', 'json', '--workers', '1', ...args],
      { maxBuffer: 1 << 28 },
      (e, stdout) => (e ? reject(e) : resolve(JSON.parse(stdout))),
    ),
  )

// A finding by the members the file and the wire both have.
const summary = (f: Record<string, unknown>): string =>
  JSON.stringify([
    f.awsAccountId,
    f.imageBuildVersionArn,
    f.imagePipelineArn,
    f.severity,
    f.title,
    (f.packageVulnerabilityDetails as { vulnerabilityId?: unknown } | undefined)?.vulnerabilityId,
    f.fixAvailable,
  ])

// The export as it is, split between three threads; gzipped, cut into blocks as it inflates,
// each record copied out of its block as it is counted (a copy made late, from a block used
// again, would list another record); and gzipped in two parts, on two threads a part each, each
// record copied into the batch it is counted in (a batch's memory is used again once taken).
const shapes = {
  plain: { workers: '3', title: '' },
  gzipped: { workers: '3', title: ', gzipped' },
  parts: { workers: '2', title: ', gzipped in two parts read a part per thread' },
} as const

for (const [shape, { workers, title }] of Object.entries(shapes))
  test(`a high-cardinality export split between threads${title}: serve answers as aggregate does and lists each record`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'scantally-serve-high-'))
    try {
      const seed = 11
      const file = await generateFindings(dir, seed, 80_000, 'high')
      t.true((await stat(file)).size > 32 << 20, 'large enough to be split')
      const input = shape === 'plain' ? file : shape === 'gzipped' ? `${file}.gz` : join(dir, 'parts')
      if (shape === 'gzipped') await writeFile(input, gzipSync(await readFile(file), { level: 1 }))
      if (shape === 'parts') {
        const lines = (await readFile(file, 'utf8')).split('\n')
        const half = Math.floor(lines.length / 2)
        await mkdir(input)
        await writeFile(
          join(input, 'part-0.ndjson.gz'),
          gzipSync(lines.slice(0, half).join('\n'), { level: 1 }),
        )
        await writeFile(join(input, 'part-1.ndjson.gz'), gzipSync(lines.slice(half).join('\n'), { level: 1 }))
      }
      const served = await serve(['--workers', workers, '--page-size', '1000', input])
      try {
        // A client per walk: one left idle while the reference is made may find its kept-alive
        // socket closed by the server.
        const { accounts, pipelines } = worldOf(seed, 'high')
        for (const filter of [
          undefined,
          { name: 'accountId', values: [accounts[3] as string] },
          { name: 'vulnerabilityId', values: ['CVE-2015-01000'] },
        ]) {
          const responses: unknown[] = []
          for await (const page of paginateListImageScanFindingAggregations(
            { client: client(served.url) },
            filter === undefined ? {} : { filter },
          ))
            responses.push(...(page.responses ?? []))
          const expected = await aggregateJson([
            ...(filter === undefined ? [] : ['--filter', `name=${filter.name},values=${filter.values[0]}`]),
            file,
          ])
          t.true(responses.length > 0)
          t.deepEqual(responses, expected.responses, JSON.stringify(filter))
        }

        // The reference: the export's own lines.
        const records = (await readFile(file, 'utf8'))
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>)
        for (const pipeline of pipelines.slice(0, 4)) {
          const listed: Array<ImageScanFinding> = []
          for await (const page of paginateListImageScanFindings(
            { client: client(served.url), pageSize: 25 },
            { filters: [{ name: 'imagePipelineArn', values: [pipeline] }] },
          ))
            listed.push(...(page.findings ?? []))
          const expected = records.filter((r) => r.imagePipelineArn === pipeline)
          t.true(expected.length > 10)
          t.deepEqual(
            listed.map((f) => summary(f as Record<string, unknown>)).sort(),
            expected.map(summary).sort(),
          )
        }
      } finally {
        served.child.kill('SIGTERM')
        t.is(await served.exit, 0)
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
