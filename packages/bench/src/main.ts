// `npm run bench` (or `node dist/main.js [--quick] [--runs N] [--seed N] [--out FILE] [--no-peers]`):
// generates the exports if needed, measures every contender and writes docs/performance.md.
import { writeFile } from 'node:fs/promises'
import { availableParallelism, loadavg } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { type Dataset, ensureDataset, ensureEscapedSlashes, ensureGzip, ensureGzipParts } from './Dataset.js'
import { type Layout, type Shape, shapes } from './Generator.js'
import { describeMachine, thisMachine } from './Machine.js'
import { type BenchGrouping, groupLinesDigest, installedPeers, peerDigest } from './Peers.js'
import {
  baselineOf,
  type MemoryResult,
  type PagingResult,
  type Row,
  renderReport,
  speedup,
  throughput,
} from './Report.js'
import { type Command, median, run, warmCache } from './Run.js'
import { type Digest, digestOf, type GroupCounts, sameDigest } from './Tally.js'
import type { TaskResult } from './Tasks.js'

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    runs: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    'no-peers': { type: 'boolean' },
  },
})
const runs = Number(values.runs ?? 3)
const seed = Number(values.seed ?? 42)
const sizes = values.quick ? [100_000] : [100_000, 1_000_000]
const repo = fileURLToPath(new URL('../../../', import.meta.url))
const out = values.out ?? join(repo, 'docs', 'performance.md')
const log = (line: string) => process.stderr.write(`${line}\n`)
const task = fileURLToPath(new URL('./task.js', import.meta.url))
// The workspace link of the CLI package, whose launcher runs its build.
const cli = fileURLToPath(new URL('../node_modules/scantally/bin/scantally.js', import.meta.url))
// V8 strings hold at most 2^29 - 24 UTF-16 units: a larger file cannot be one string.
const maxStringBytes = 2 ** 29 - 24

interface Contender {
  readonly name: string
  readonly kind: Row['kind']
  readonly runs: number
  readonly command: Command
  readonly digest: ((stdout: string) => Digest) | undefined
  /** What the contender reads when it is not the measured input (DuckDB reads a document's findings as NDJSON). */
  readonly reads?: Dataset
}

const taskDigest = (stdout: string): Digest => (JSON.parse(stdout) as TaskResult).digest
const cliDigest = (stdout: string): Digest =>
  digestOf(
    (JSON.parse(stdout) as { groups: ReadonlyArray<{ counts: GroupCounts }> }).groups.map((g) => g.counts),
  )

const inputName = (findings: number, layout: Layout, shape: Shape): string =>
  `${findings.toLocaleString('en-US')} findings, ${layout === 'json' ? 'one document' : 'NDJSON'}${
    shape.name === 'low'
      ? ''
      : `, ${shape.name} cardinality (${shape.accounts} accounts, ${shape.builds.toLocaleString('en-US')} image builds)`
  }`

// The CLI on a file, its answer grouped as the benchmark's query (or by image build).
const aggregateCommand = (
  path: string,
  workers: number,
  grouping: BenchGrouping = 'vulnerabilityId',
): Command => ({
  program: 'node',
  args: [
    cli,
    'aggregate',
    '--group-by',
    grouping,
    '--max-results',
    '1000',
    '--output',
    'json',
    '--quiet',
    '--workers',
    String(workers),
    path,
  ],
})

// `scantally serve` on a file, timed until it listens (then stopped as Ctrl-C would).
const serveCommand = (path: string): Command => ({
  program: 'node',
  args: [cli, 'serve', '--host', '127.0.0.1', '--port', '0', path],
  until: 'listening on',
})

// The contenders on an input; a document's `twin`, the same findings as NDJSON, is what DuckDB
// reads in the same rounds (DuckDB's fastest reader is NDJSON's; a ratio taken against a DuckDB
// run minutes apart, on another input's rounds, moved by a quarter between runs of the bench).
const contenders = (ds: Dataset, twin?: Dataset): ReadonlyArray<Contender> => {
  const big = ds.findings >= 1_000_000
  const aggregate = (workers: number): Command => aggregateCommand(ds.path, workers)
  const list: Contender[] = [
    {
      name: `scantally aggregate (CLI, ${cores} threads)`,
      kind: 'scantally',
      runs,
      command: aggregate(cores),
      digest: cliDigest,
    },
    {
      name: 'scantally aggregate (CLI, one thread)',
      kind: 'scantally',
      runs,
      command: aggregate(1),
      digest: cliDigest,
    },
    {
      name: `library, fast path, ${cores} threads`,
      kind: 'scantally',
      runs,
      command: { program: 'node', args: [task, 'library-split', ds.path] },
      digest: taskDigest,
    },
    {
      name: 'library, fast path, one thread',
      kind: 'scantally',
      runs,
      command: { program: 'node', args: [task, 'library', ds.path] },
      digest: taskDigest,
    },
    {
      name: 'library, plain path',
      kind: 'scantally',
      runs: big ? 1 : runs,
      command: { program: 'node', args: [task, 'library-plain', ds.path] },
      digest: taskDigest,
    },
  ]
  if (ds.layout === 'json' && ds.bytes < maxStringBytes)
    list.push({
      name: 'baseline: whole-file JSON.parse + loop',
      kind: 'baseline',
      runs,
      command: { program: 'node', args: ['--max-old-space-size=8192', task, 'parse-whole', ds.path] },
      digest: taskDigest,
    })
  if (ds.layout === 'ndjson') {
    list.push({
      name: 'baseline: JSON.parse per line + loop',
      kind: 'baseline',
      runs,
      command: { program: 'node', args: [task, 'parse-lines', ds.path] },
      digest: taskDigest,
    })
    if (values['no-peers'] !== true)
      for (const peer of installedPeers().filter((p) => p.name !== 'jq' || !big))
        list.push({
          name: `peer: ${peer.name} ${peer.version}`,
          kind: 'peer',
          runs: peer.name === 'jq' ? 1 : runs,
          command: peer.command(ds.path),
          digest: (s) => peerDigest(s) as unknown as Digest,
        })
  }
  if (ds.layout === 'json' && twin !== undefined) list.push(...duckdbOn(twin))
  return list
}

// DuckDB (when installed) on a document's findings as NDJSON, in the document's rounds.
const duckdbOn = (twin: Dataset): ReadonlyArray<Contender> =>
  (values['no-peers'] === true ? [] : installedPeers())
    .filter((peer) => peer.name.startsWith('DuckDB'))
    .map(
      (peer): Contender => ({
        name: `peer: ${peer.name} ${peer.version}, on the same findings as NDJSON`,
        kind: 'peer',
        runs,
        command: peer.command(twin.path),
        digest: (s) => peerDigest(s) as unknown as Digest,
        reads: twin,
      }),
    )

const machine = thisMachine()
// The CLI's and the library's default: one reading thread per core (at most 8).
const cores = Math.max(1, Math.min(8, availableParallelism()))
const loadBefore = loadavg()[0] ?? 0
log(`machine: ${describeMachine(machine)}`)
const rows: Row[] = []
const notes: string[] = []
let pagingInput: Dataset | undefined
// The low-cardinality world at every size, then (unless --quick) the medium and high ones at a
// million findings, where the cost of distinct values shows.
const worlds: ReadonlyArray<{ readonly findings: number; readonly shape: Shape }> = [
  ...sizes.map((findings) => ({ findings, shape: shapes.low })),
  ...(values.quick ? [] : [shapes.medium, shapes.high].map((shape) => ({ findings: 1_000_000, shape }))),
]
// Measures contenders on one input; runs are taken in turns (one of each contender, then again),
// so that a machine whose speed drifts over minutes weighs on every contender alike. A contender
// without a digest (a floor that only reads) is not checked against the others.
const measure = async (ds: Dataset, input: string, cs: ReadonlyArray<Contender>): Promise<void> => {
  let reference: Digest | undefined
  const results = cs.map(() => ({ times: [] as number[], rss: [] as number[], agrees: true, failed: false }))
  const rounds = Math.max(...cs.map((c) => c.runs))
  for (let i = 0; i < rounds; i++)
    for (const [k, c] of cs.entries()) {
      const res = results[k] as (typeof results)[number]
      if (i >= c.runs || res.failed) continue
      warmCache((c.reads ?? ds).path)
      const r = await run(c.command).catch((e: unknown) => {
        if (c.kind !== 'peer') throw e
        notes.push(`${input}: ${c.name} failed: ${String((e as Error).message).slice(0, 200)}`)
        return undefined
      })
      if (r === undefined) {
        res.failed = true
        continue
      }
      res.times.push(r.ms)
      if (r.rss !== undefined) res.rss.push(r.rss)
      if (c.digest === undefined) continue
      const digest = c.digest(r.stdout)
      reference ??= digest
      if (!sameDigest(digest, reference)) res.agrees = false
    }
  for (const [k, c] of cs.entries()) {
    const { times, rss, agrees } = results[k] as (typeof results)[number]
    if (times.length === 0) continue
    const row: Row = {
      input,
      bytes: (c.reads ?? ds).bytes,
      findings: ds.findings,
      contender: c.name,
      kind: c.kind,
      runs: times.length,
      ms: median(times),
      rss: rss.length === 0 ? undefined : median(rss),
      agrees: c.digest === undefined ? undefined : agrees,
    }
    rows.push(row)
    log(
      `${input} | ${c.name}: ${(row.ms / 1000).toFixed(2)} s, ${throughput(row).toFixed(1)} MB/s${row.rss === undefined ? '' : `, ${(row.rss / 1e6).toFixed(0)} MB`}${agrees ? '' : ' DISAGREES'}`,
    )
  }
}

// `serve` loading a file until it listens, beside `aggregate` on the same file in the same rounds:
// what a service waits for before its first answer.
const serveInputs: Array<string> = []
const measureServe = async (ds: Dataset, input: string): Promise<void> => {
  const served = `${input}, loaded by serve`
  serveInputs.push(served)
  await measure(ds, served, [
    {
      name: 'scantally serve (CLI, until listening)',
      kind: 'scantally',
      runs,
      command: serveCommand(ds.path),
      digest: undefined,
    },
    {
      name: `scantally aggregate (CLI, ${cores} threads)`,
      kind: 'scantally',
      runs,
      command: aggregateCommand(ds.path, cores),
      digest: undefined,
    },
    // `serve` interns every group key; `aggregate` only those of its grouping. Grouped by image
    // build it interns the costliest one too: the same reading work, the index aside.
    {
      name: `scantally aggregate (CLI, ${cores} threads), grouped by image build`,
      kind: 'scantally',
      runs,
      command: aggregateCommand(ds.path, cores, 'imageBuildVersionArn'),
      digest: undefined,
    },
  ])
}

const gzipInputs: Array<{ readonly input: string; readonly plain: string }> = []
let byBuildInput: string | undefined
let escapedInput: { readonly input: string; readonly plain: string } | undefined
for (const { findings, shape } of worlds)
  for (const layout of ['json', 'ndjson'] as ReadonlyArray<Layout>) {
    const ds = await ensureDataset(seed, findings, layout, log, shape)
    // A document's findings as NDJSON, for DuckDB in the document's rounds.
    const twin = layout === 'json' ? await ensureDataset(seed, findings, 'ndjson', log, shape) : undefined
    if (layout === 'ndjson' && shape.name === 'low') pagingInput = ds
    const input = inputName(findings, layout, shape)
    if (layout === 'ndjson' && findings >= 1_000_000 && values['no-peers'] !== true)
      notes.push(
        `${input}: jq is not run (it collects every finding's members in memory and would take minutes a run).`,
      )
    if (layout === 'json' && ds.bytes >= maxStringBytes)
      notes.push(`${input}: no whole-file JSON.parse baseline, the file is larger than a V8 string can be.`)
    // Beyond the low world, the CLI against the plain path (the reference) and DuckDB.
    await measure(
      ds,
      input,
      contenders(ds, twin).filter(
        (c) =>
          shape.name === 'low' ||
          c.kind === 'peer' ||
          c.name.startsWith('scantally') ||
          c.name.includes('plain'),
      ),
    )
    // The same findings from a writer that escapes every '/', so every ARN the reader interns:
    // a spelling the generator does not write.
    if (shape.name === 'high' && layout === 'ndjson' && findings >= 1_000_000) {
      const escaped = await ensureEscapedSlashes(ds, log)
      escapedInput = { input: `${input}, every '/' escaped`, plain: input }
      await measure(
        escaped,
        escapedInput.input,
        contenders(escaped).filter((c) => c.name.startsWith('scantally aggregate') || c.kind === 'peer'),
      )
    }
    // Grouped by image build, the key with the most distinct values, in the high world: every
    // image build a group of its own answer.
    if (shape.name === 'high' && layout === 'ndjson') {
      byBuildInput = `${input}, grouped by image build`
      await measure(ds, byBuildInput, [
        {
          name: `scantally aggregate (CLI, ${cores} threads)`,
          kind: 'scantally',
          runs,
          command: aggregateCommand(ds.path, cores, 'imageBuildVersionArn'),
          digest: cliDigest,
        },
        ...(values['no-peers'] === true ? [] : installedPeers())
          .filter((peer) => peer.name !== 'jq')
          .flatMap(
            (peer): ReadonlyArray<Contender> => [
              {
                name: `peer: ${peer.name} ${peer.version}`,
                kind: 'peer',
                runs,
                command: peer.command(ds.path, 'imageBuildVersionArn'),
                digest: (s) => peerDigest(s) as unknown as Digest,
              },
              // The CLI writes its 196,000 groups (84 MB); the digest above is one row. The same
              // groups written out too, sorted, is the CLI's whole job.
              {
                name: `peer: ${peer.name} ${peer.version}, writing every group`,
                kind: 'peer',
                runs,
                command: peer.command(ds.path, 'imageBuildVersionArn', true),
                digest: groupLinesDigest,
              },
            ],
          ),
      ])
      await measureServe(ds, input)
    }
    // The gzip copy of every million-finding export, of every world, NDJSON and one document.
    if (findings >= 1_000_000) {
      const gz = await ensureGzip(ds, log)
      const gzInput = `${input}, gzip`
      gzipInputs.push({ input: gzInput, plain: input })
      const gzTwin = twin === undefined ? undefined : await ensureGzip(twin, log)
      await measure(gz, gzInput, [
        ...contenders(gz, gzTwin).filter(
          (c) => c.name.startsWith(`scantally aggregate (CLI, ${cores}`) || c.kind === 'peer',
        ),
        {
          name: 'baseline: gunzip only (Node zlib, nothing else)',
          kind: 'baseline',
          runs,
          command: { program: 'node', args: [task, 'gunzip', gz.path] },
          digest: undefined,
        },
      ])
      if (shape.name === 'high' && layout === 'ndjson') await measureServe(gz, gzInput)
    }
  }

// A folder of gzipped report parts: the low world's million findings in four parts, read at
// once, a file per thread, beside inflating the parts one after another and all at once.
const partsInput = 'a folder of 4 gzipped parts (1,000,000 findings, NDJSON)'
let partsMeasured = false
const lowNdjson = worlds.find((w) => w.findings >= 1_000_000 && w.shape.name === 'low')
if (lowNdjson !== undefined) {
  const parts = await ensureGzipParts(await ensureDataset(seed, lowNdjson.findings, 'ndjson', log), 4, log)
  await measure(parts, partsInput, [
    ...contenders(parts).filter((c) => c.name.startsWith(`scantally aggregate (CLI, ${cores}`)),
    {
      name: 'baseline: gunzip only, the parts one after another',
      kind: 'baseline',
      runs,
      command: { program: 'node', args: [task, 'gunzip', parts.path] },
      digest: undefined,
    },
    {
      name: 'baseline: gunzip only, the parts at once',
      kind: 'baseline',
      runs,
      command: { program: 'node', args: [task, 'gunzip-parallel', parts.path] },
      digest: undefined,
    },
  ])
  partsMeasured = true
  // `serve` reads the parts a file per thread too, copying each counted record as it reads it.
  await measureServe(parts, partsInput)
}

let paging: PagingResult | undefined
let memory: MemoryResult | undefined
if (pagingInput !== undefined) {
  log(`serve memory on ${pagingInput.path}`)
  const m = JSON.parse(
    (await run({ program: 'node', args: [task, 'serve-memory', pagingInput.path] })).stdout,
  ) as TaskResult
  const held = m.timings ?? {}
  memory = {
    input: `${pagingInput.findings.toLocaleString('en-US')} findings, NDJSON`,
    findings: held.findings?.[0] ?? 0,
    rows: held.rows?.[0] ?? 0,
    indexBytes: held.indexBytes?.[0] ?? 0,
    storeBytes: held.storeBytes?.[0] ?? 0,
  }
  log(`paging on ${pagingInput.path}`)
  const r = await run({ program: 'node', args: [task, 'paging', pagingInput.path] })
  const res = JSON.parse(r.stdout) as TaskResult
  const t = res.timings ?? {}
  paging = {
    input: `${pagingInput.findings.toLocaleString('en-US')} findings`,
    rows: t.rows?.[0] ?? 0,
    groups: res.digest.groups,
    unpagedMs: median(t.unpaged ?? [0]),
    pagedMs: median(t.paged ?? [0]),
  }
}

const find = (input: string, name: string) =>
  rows.find((r) => r.input === input && r.contender.startsWith(name))
// A contender whose name is a prefix of another's in the same rounds (aggregate, and aggregate by image build).
const exactly = (input: string, name: string) => rows.find((r) => r.input === input && r.contender === name)
const ratio = (a: Row | undefined, b: Row | undefined) => (a === undefined ? undefined : speedup(a, b))
const show = (x: number | undefined) => (x === undefined ? 'n/a' : `${x.toFixed(2)}×`)
const targets: string[] = []
for (const { findings, shape } of worlds) {
  const n = findings.toLocaleString('en-US')
  const doc = inputName(findings, 'json', shape)
  const nd = inputName(findings, 'ndjson', shape)
  const cli = (input: string) => find(input, `scantally aggregate (CLI, ${cores}`)
  const duckdb = find(nd, 'peer: DuckDB')
  // The document against DuckDB in its own rounds (on the same findings as NDJSON).
  const docDuckdb = find(doc, 'peer: DuckDB')
  if (shape.name !== 'low') {
    targets.push(
      `${n}, ${shape.name} cardinality: against DuckDB on NDJSON, the CLI on the document is ${show(ratio(cli(doc), docDuckdb))} and on NDJSON ${show(ratio(cli(nd), duckdb))} as fast (target ≥ 1.5×); peak RSS ${(Math.max(cli(doc)?.rss ?? 0, cli(nd)?.rss ?? 0) / 1e6).toFixed(0)} MB (target ≤ 200 MB)`,
    )
    if (shape.name === 'high' && byBuildInput !== undefined) {
      const byBuild = cli(byBuildInput)
      const duckdbRows = rows.filter(
        (r) => r.input === byBuildInput && r.contender.startsWith('peer: DuckDB'),
      )
      const writing = (r: Row) => r.contender.endsWith('writing every group')
      targets.push(
        `${n}, ${shape.name} cardinality, grouped by image build: against DuckDB grouping the same NDJSON so, the CLI is ${show(
          ratio(
            byBuild,
            duckdbRows.find((r) => !writing(r)),
          ),
        )} as fast (target ≥ 1.5×; DuckDB printing one row of sums, the CLI every group), and ${show(ratio(byBuild, duckdbRows.find(writing)))} against DuckDB writing every group too; peak RSS ${((byBuild?.rss ?? 0) / 1e6).toFixed(0)} MB (target ≤ 200 MB)`,
      )
    }
    continue
  }
  const docLib = find(doc, `library, fast path, ${cores}`)
  const docCli = find(doc, `scantally aggregate (CLI, ${cores}`)
  const duck = find(nd, 'peer: DuckDB')
  targets.push(
    `${n}, one document: library ${show(ratio(docLib, baselineOf(rows, doc)))} and CLI ${show(ratio(docCli, baselineOf(rows, doc)))} the whole-file JSON.parse throughput (target ≥ 2×)`,
    `${n}, NDJSON: library ${show(ratio(find(nd, `library, fast path, ${cores}`), baselineOf(rows, nd)))} and CLI ${show(ratio(find(nd, `scantally aggregate (CLI, ${cores}`), baselineOf(rows, nd)))} the line-by-line JSON.parse throughput (target ≥ 2×)`,
    `${n}: against DuckDB on NDJSON, the CLI on the document is ${show(ratio(docCli, docDuckdb))} and on NDJSON ${show(ratio(find(nd, `scantally aggregate (CLI, ${cores}`), duck))} as fast (target ≥ 1.5×)`,
  )
  const rss = Math.max(docCli?.rss ?? 0, find(nd, `scantally aggregate (CLI, ${cores}`)?.rss ?? 0)
  targets.push(
    `${n}: \`scantally aggregate\` peak RSS ${(rss / 1e6).toFixed(0)} MB (target ≤ 200 MB at 1,000,000)`,
  )
}
if (escapedInput !== undefined) {
  const { input, plain: plainInput } = escapedInput
  const cli = find(input, `scantally aggregate (CLI, ${cores}`)
  targets.push(
    `${input}: the CLI is ${show(ratio(cli, find(input, 'peer: DuckDB')))} as fast as DuckDB on the same file (the plain spelling's target: ≥ 1.5×), and takes ${show(ratio(find(plainInput, `scantally aggregate (CLI, ${cores}`), cli))} its time on the plain spelling; peak RSS ${((cli?.rss ?? 0) / 1e6).toFixed(0)} MB (target ≤ 200 MB)`,
  )
}
for (const { input, plain: plainInput } of gzipInputs) {
  const cli = find(input, `scantally aggregate (CLI, ${cores}`)
  const floor = find(input, 'baseline: gunzip only')
  const plain = find(plainInput, `scantally aggregate (CLI, ${cores}`)
  // DuckDB reads NDJSON: a document's findings are compared with it on their NDJSON's gzip, in
  // the document's rounds.
  const duck = find(input, 'peer: DuckDB')
  targets.push(
    `${input}: the CLI takes ${show(ratio(floor, cli))} the time of gunzip alone (target ≤ 1.15×; ${show(ratio(plain, cli))} its time on the plain file) and is ${show(ratio(cli, duck))} as fast as DuckDB on the same findings' NDJSON \`.gz\` (target ≥ 1×)`,
  )
}
if (partsMeasured) {
  const cli = find(partsInput, `scantally aggregate (CLI, ${cores}`)
  const serial = find(partsInput, 'baseline: gunzip only, the parts one after another')
  const atOnce = find(partsInput, 'baseline: gunzip only, the parts at once')
  targets.push(
    `${partsInput}: the CLI takes ${show(ratio(serial, cli))} the time of inflating the parts one after another and ${show(ratio(atOnce, cli))} the time of inflating them all at once, doing nothing else (the CLI inflates ${cores} parts at once, on the cores that also read their records)`,
  )
}
for (const served of serveInputs) {
  const serve = find(served, 'scantally serve')
  const aggregate = exactly(served, `scantally aggregate (CLI, ${cores} threads)`)
  const byBuild = exactly(served, `scantally aggregate (CLI, ${cores} threads), grouped by image build`)
  targets.push(
    `${served}: \`scantally serve\` listens after ${show(ratio(aggregate, serve))} the time \`scantally aggregate\` takes on the same file (target ≤ 1.25×), and after ${show(ratio(byBuild, serve))} its time grouped by image build, which interns the same costliest key; peak RSS ${((serve?.rss ?? 0) / 1e6).toFixed(0)} MB (target ≤ 350 MB)`,
  )
}
if (memory !== undefined)
  targets.push(
    `\`scantally serve\`: ${(memory.indexBytes / memory.rows).toFixed(0)} bytes per indexed combination for the index, and ${(memory.storeBytes / memory.findings).toFixed(0)} bytes per counted finding for the ListImageScanFindings store (no finding objects kept)`,
  )
if (paging !== undefined)
  targets.push(
    `paging through every group costs ${(paging.pagedMs / paging.unpagedMs).toFixed(2)}× one unpaged answer (target ≤ 2×)`,
  )

// Other work on the machine slows every contender; the ratios, measured side by side, suffer less.
notes.push(
  `Load average (1 min) of the machine: ${loadBefore.toFixed(1)} when the run started, ${(loadavg()[0] ?? 0).toFixed(1)} when it ended, on ${machine.cores} cores; above the core count, other work shared the CPU and absolute figures are pessimistic.`,
)

const command = values.quick ? 'npx pnpm@12.4.2 --filter @scantally/bench bench -- --quick' : 'npm run bench'
const report = renderReport(
  { command, machine, date: new Date().toISOString().slice(0, 10), rows, paging, memory, notes },
  targets,
)
await writeFile(out, report)
log(`wrote ${relative(process.cwd(), out)}`)
