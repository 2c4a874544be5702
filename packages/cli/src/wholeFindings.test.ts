import { appendFile, mkdtemp, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { ImagebuilderClient, paginateListImageScanFindings } from '@aws-sdk/client-imagebuilder'
import { inspectorRecordArb } from '@scantally/core/arbitraries'
import { expectedImageScanFinding } from '@scantally/core/testing'
import test from 'ava'
import fc from 'fast-check'
import { scantally } from './test/command.js'
import { serve } from './test/served.js'

const client = (url: string) =>
  new ImagebuilderClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  })

// Generated Inspector findings, each with a unique ARN, every one counted.
const records = fc.sample(fc.tuple(...Array.from({ length: 60 }, (_, i) => inspectorRecordArb(i))), {
  numRuns: 1,
  seed: 16,
})[0] as ReadonlyArray<Readonly<Record<string, unknown>>>

const listAll = async (url: string, pageSize = 25): Promise<ReadonlyArray<unknown>> => {
  const out: Array<unknown> = []
  for await (const page of paginateListImageScanFindings({ client: client(url), pageSize }, {}))
    out.push(...(page.findings ?? []))
  return out
}

// What the AWS SDK gives for each source finding: its members as Image Builder maps them, with
// timestamps as Dates.
const expected = records.map((r) => expectedImageScanFinding(r, (s) => new Date(s * 1000)))

const exportsDir = async (): Promise<string> => mkdtemp(join(tmpdir(), 'scantally-whole-'))

test('the AWS SDK lists from scantally serve every finding of an export file whole, member by member', async (t) => {
  const dir = await exportsDir()
  const file = join(dir, 'findings.json')
  await writeFile(file, JSON.stringify({ findings: records }, null, 2))
  const served = await serve([file])
  try {
    const findings = await listAll(served.url, 7)
    t.deepEqual(findings, expected)
  } finally {
    served.child.kill('SIGTERM')
    t.is(await served.exit, 0)
  }
})

test('a gzip export is served whole too, from copies of its records in a temporary file nobody sees', async (t) => {
  const dir = await exportsDir()
  const file = join(dir, 'findings.ndjson.gz')
  await writeFile(file, gzipSync(records.map((r) => JSON.stringify(r)).join('\n')))
  // A temporary directory of its own: the copies' file must not show in it, while serving or after.
  const tmp = await mkdtemp(join(tmpdir(), 'scantally-spool-'))
  const served = await serve([file], { ...process.env, TMPDIR: tmp })
  try {
    t.regex(
      served.stderr(),
      /of records from inputs that cannot be read again .* kept, for ListImageScanFindings, in a deleted temporary file under /,
    )
    const findings = await listAll(served.url)
    t.deepEqual(findings, expected)
    t.deepEqual(await readdir(tmp), [])
  } finally {
    served.child.kill('SIGTERM')
    t.is(await served.exit, 0)
  }
  t.deepEqual(await readdir(tmp), [])
})

test('serve refuses to start when the copies of a gzip export cannot be kept, and says where and what to do', async (t) => {
  const dir = await exportsDir()
  const file = join(dir, 'findings.ndjson.gz')
  await writeFile(file, gzipSync(records.map((r) => JSON.stringify(r)).join('\n')))
  const missing = join(dir, 'no-such-dir')
  const run = await scantally(['serve', '--port', '0', file], '', { TMPDIR: missing })
  t.is(run.code, 1)
  t.is(run.stdout, '')
  t.regex(
    run.stderr,
    new RegExp(`records cannot be kept in a temporary file in ${missing}: .*ENOENT.*set TMPDIR`),
  )
})

test('an export changed after loading gives ServiceException naming it, never another finding', async (t) => {
  const dir = await exportsDir()
  const file = join(dir, 'findings.ndjson')
  await writeFile(file, records.map((r) => JSON.stringify(r)).join('\n'))
  const served = await serve([file])
  try {
    t.is((await listAll(served.url)).length, records.length)
    await appendFile(file, '\n')
    const error = await t.throwsAsync(listAll(served.url))
    t.is(error?.name, 'ServiceException')
    t.regex(error?.message ?? '', /findings\.ndjson changed since scantally serve loaded it/)
  } finally {
    served.child.kill('SIGTERM')
    t.is(await served.exit, 0)
  }
})
