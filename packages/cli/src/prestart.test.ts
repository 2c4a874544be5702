// The launcher's guess at the reading threads a command line will start (`likelyReadingThreads`),
// on real files and folders, and a run whose threads it started: the answer of `--workers 1`.
import { mkdir, mkdtemp, open, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'ava'
import { defaultWorkers, likelyReadingThreads } from './Prestart.js'
import { scantally } from './test/command.js'

const paths = (async () => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-prestart-'))
  const small = join(dir, 'small.ndjson')
  await writeFile(small, '{}\n')
  // A sparse file: the guess looks at sizes only.
  const large = join(dir, 'large.ndjson')
  const handle = await open(large, 'w')
  await handle.truncate(40 << 20)
  await handle.close()
  const folder = join(dir, 'parts')
  await mkdir(folder)
  // As large, starting with gzip's magic bytes.
  const gzipped = join(dir, 'large.ndjson.gz')
  await writeFile(gzipped, Buffer.from([0x1f, 0x8b, 8, 0]))
  const gz = await open(gzipped, 'r+')
  await gz.truncate(40 << 20)
  await gz.close()
  return { small, large, folder, gzipped }
})()

test('a command line reading 32 MiB or a folder is guessed to start a thread per worker beyond the first', async (t) => {
  const { small, large, folder } = await paths
  const beyond = defaultWorkers() - 1
  t.is(likelyReadingThreads(['aggregate', large]), beyond)
  t.is(likelyReadingThreads(['serve', '--port', '0', large]), beyond)
  t.is(likelyReadingThreads(['aggregate', '--group-by', 'accountId', folder]), beyond)
  t.is(likelyReadingThreads(['aggregate', '--workers', '3', large]), 2)
  t.is(likelyReadingThreads(['aggregate', `--workers=4`, large]), 3)
  // Small files add up.
  t.is(likelyReadingThreads(['aggregate', '--workers', '2', small, large]), 1)
})

test('one gzipped file: no thread for aggregate on two workers, which reads it on the calling thread', async (t) => {
  const { large, gzipped } = await paths
  t.is(likelyReadingThreads(['aggregate', '--workers', '2', gzipped]), 0)
  // With more workers it is cut into blocks for reading threads; serve reads it on one; and with
  // another file, the files are read a file per thread.
  t.is(likelyReadingThreads(['aggregate', '--workers', '3', gzipped]), 2)
  t.is(likelyReadingThreads(['serve', '--workers', '2', gzipped]), 1)
  t.is(likelyReadingThreads(['aggregate', '--workers', '2', gzipped, large]), 1)
})

test('no thread is guessed for small inputs, one worker, a bad --workers, stdin or another command', async (t) => {
  const { small, large } = await paths
  t.is(likelyReadingThreads(['aggregate', small]), 0)
  t.is(likelyReadingThreads(['aggregate', '--workers', '1', large]), 0)
  t.is(likelyReadingThreads(['aggregate', '--workers', 'many', large]), 0)
  t.is(likelyReadingThreads(['aggregate', '--workers=0', large]), 0)
  t.is(likelyReadingThreads(['aggregate', '-']), 0)
  t.is(likelyReadingThreads(['aggregate', join(large, 'not-there')]), 0)
  t.is(likelyReadingThreads(['pipeline-map', large]), 0)
  t.is(likelyReadingThreads([]), 0)
})

test('a run on a file the launcher starts threads for gives the counts of a plain loop', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-prestart-run-'))
  const path = join(dir, 'findings.ndjson')
  // About 34 MiB: past the size a file is split from, so the launcher starts the threads. Every
  // finding after the 100,000th repeats an earlier one, as it was.
  const severities = ['LOW', 'HIGH', 'CRITICAL', 'MEDIUM'] as const
  const expected = new Map<string, { all: number; critical: number; high: number; medium: number }>()
  const lines: Array<string> = []
  for (let i = 0; i < 110_000; i++) {
    const f = i % 100_000
    const account = String(100000000000 + (f % 7))
    const severity = severities[f % 4] as (typeof severities)[number]
    const status = f % 9 === 0 ? 'CLOSED' : 'ACTIVE'
    const build = `arn:aws:imagebuilder:us-east-1:${account}:image/app/1.0.${f % 13}/1`
    lines.push(
      JSON.stringify({
        awsAccountId: account,
        severity,
        status,
        findingArn: `arn:aws:inspector2:us-east-1:${account}:finding/${f}`,
        description: 'x'.repeat(150),
        packageVulnerabilityDetails: { vulnerabilityId: `CVE-2024-${f % 50}` },
        resources: [{ tags: { Ec2ImageBuilderArn: build } }],
      }),
    )
    if (i !== f || status !== 'ACTIVE') continue
    const c = expected.get(build) ?? { all: 0, critical: 0, high: 0, medium: 0 }
    c.all++
    if (severity === 'CRITICAL') c.critical++
    if (severity === 'HIGH') c.high++
    if (severity === 'MEDIUM') c.medium++
    expected.set(build, c)
  }
  await writeFile(path, `${lines.join('\n')}\n`)
  t.is(likelyReadingThreads(['aggregate', '--workers', '2', path]), 1)
  const run = await scantally([
    'aggregate',
    '--group-by',
    'imageBuildVersionArn',
    '--output',
    'json',
    '--workers',
    '2',
    path,
  ])
  t.is(run.code, 0, run.stderr)
  const groups = (
    JSON.parse(run.stdout) as { groups: ReadonlyArray<{ key: string; counts: Record<string, number> }> }
  ).groups
  t.deepEqual(
    Object.fromEntries(
      groups.map((g) => [
        g.key,
        { all: g.counts.all, critical: g.counts.critical, high: g.counts.high, medium: g.counts.medium },
      ]),
    ),
    Object.fromEntries(expected),
  )
})
