import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import test from 'ava'
import { shapes, writeExport } from './Generator.js'
import { duckdbModule, groupLinesDigest, peerDigest } from './Peers.js'

const run = promisify(execFile)
const cli = fileURLToPath(new URL('../node_modules/scantally/bin/scantally.js', import.meta.url))
const duckdb = fileURLToPath(new URL('./duckdb.js', import.meta.url))

type Counts = { all: number; critical: number; high: number; medium: number }

test('DuckDB writing every group by image build writes the groups the CLI answers, and its row of sums agrees', async (t) => {
  const module = duckdbModule()
  if (module === undefined) {
    t.fail('@duckdb/node-api, a dev dependency of this package, is not installed')
    return
  }
  const dir = await mkdtemp(join(tmpdir(), 'scantally-peers-'))
  try {
    // The high world: few findings a build, so most groups are small and many.
    const file = join(dir, 'export.ndjson')
    await writeExport(file, 5, 4000, 'ndjson', shapes.high)
    const peer = (...more: ReadonlyArray<string>) =>
      run(process.execPath, [duckdb, module, file, 'imageBuildVersionArn', ...more], { maxBuffer: 1 << 28 })
    const [every, sums, answer] = await Promise.all([
      peer('every'),
      peer(),
      run(
        process.execPath,
        [cli, 'aggregate', '--quiet', '--output', 'json', '--group-by', 'imageBuildVersionArn', file],
        {
          maxBuffer: 1 << 28,
        },
      ),
    ])
    const groups = (JSON.parse(answer.stdout) as { groups: ReadonlyArray<{ key: string; counts: Counts }> })
      .groups
    const lines = every.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { key: string } & Counts)
    t.true(groups.length > 1000, `${groups.length} groups`)
    // Every group, key for key and count for count (DuckDB sorts by UTF-8 bytes, the CLI by UTF-16
    // units: for these ASCII keys the same order).
    t.deepEqual(
      lines.map(({ key, all, critical, high, medium }) => ({ key, counts: { all, critical, high, medium } })),
      groups.map(({ key, counts }) => ({
        key,
        counts: { all: counts.all, critical: counts.critical, high: counts.high, medium: counts.medium },
      })),
    )
    t.deepEqual(groupLinesDigest(every.stdout), peerDigest(sums.stdout))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('a digest read off group lines sums their counts and passes over the lines that are not groups', (t) => {
  const groups = [
    { key: 'a', all: 3, critical: 1, high: 1, medium: 1 },
    { key: 'b', all: 5, critical: 0, high: 2, medium: 0 },
  ]
  const text = ['[{"Count":2}]', ...groups.map((g) => JSON.stringify(g)), ''].join('\n')
  t.deepEqual(groupLinesDigest(text), {
    groups: groups.length,
    all: groups.reduce((s, g) => s + g.all, 0),
    critical: groups.reduce((s, g) => s + g.critical, 0),
    high: groups.reduce((s, g) => s + g.high, 0),
    medium: groups.reduce((s, g) => s + g.medium, 0),
  })
})
