/**
 * The soak: `scantally serve` over generated findings (1M by default) under a mixed signed load
 * from a keep-alive client on 127.0.0.1, for a bounded time and request count. Prints requests
 * per second, latency percentiles (overall and per class: each standard aggregation, the four
 * together, refusals, ListImageScanFindings), answers by status, anything wrong, the CPU seconds
 * of server and client, and the server's resident memory sampled through the run. Exits 1 on any
 * 5xx or wrong answer.
 *
 *   node packages/cli/dist/test/soak.js [--findings N] [--seconds S] [--concurrency C]
 *        [--max-requests N] [--seed N] [--page-size N] [--dir DIR]
 *        [--cardinality low|high] [--mix all|standard] [--serve-bin PATH] [--serve-node-arg ARG]...
 *
 * `--serve-bin` serves with another build's `packages/cli/bin/scantally.js` (to compare two builds
 * under the same client); `--serve-node-arg` passes an option to the server's node (`--cpu-prof`).
 *
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  type Cardinality,
  callersOf,
  consistentWalks,
  cpuSecondsOf,
  generateFindings,
  type Mix,
  rssOf,
  runLoad,
  startServe,
  worldOf,
} from './Load.js'

const { values } = parseArgs({
  options: {
    findings: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '32' },
    'max-requests': { type: 'string', default: '20000000' },
    seed: { type: 'string', default: '1' },
    'page-size': { type: 'string', default: '4' },
    dir: { type: 'string', default: join(tmpdir(), 'scantally-load') },
    cardinality: { type: 'string', default: 'low' },
    mix: { type: 'string', default: 'all' },
    'serve-bin': { type: 'string' },
    'serve-node-arg': { type: 'string', multiple: true, default: [] },
  },
})
const oneOf = <A extends string>(name: string, value: string, allowed: ReadonlyArray<A>): A => {
  if ((allowed as ReadonlyArray<string>).includes(value)) return value as A
  throw new Error(`--${name} must be one of ${allowed.join(', ')}, got ${value}`)
}
const cardinality = oneOf<Cardinality>('cardinality', values.cardinality, ['low', 'high'])
const mix = oneOf<Mix>('mix', values.mix, ['all', 'standard'])
const findings = Number(values.findings)
const seconds = Math.min(3600, Number(values.seconds))
const concurrency = Math.min(512, Number(values.concurrency))
const maxRequests = Math.min(50_000_000, Number(values['max-requests']))
const seed = Number(values.seed)
const say = (s: string) => process.stdout.write(`${s}\n`)
const mb = (n: number | undefined) => (n === undefined ? 'n/a' : `${(n / 2 ** 20).toFixed(0)} MiB`)

await mkdir(values.dir, { recursive: true })
say(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${mb(totalmem())} memory, node ${process.version}`,
)
let t0 = performance.now()
const file = await generateFindings(values.dir, seed, findings, cardinality)
say(
  `findings: ${findings} (seed ${seed}, ${cardinality} cardinality) in ${file}, ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
)

const world = worldOf(seed, cardinality)
const callers = callersOf(world)
const credentials = join(values.dir, 'credentials.json')
await writeFile(credentials, JSON.stringify(callers), { mode: 0o600 })
const keys = join(values.dir, 'token-keys')
await writeFile(keys, `load:${'5a'.repeat(32)}\n`, { mode: 0o600 })

t0 = performance.now()
const served = await startServe(
  [
    '--port',
    '0',
    '--credentials',
    credentials,
    '--token-key-file',
    keys,
    '--page-size',
    values['page-size'],
    file,
  ],
  values['serve-node-arg'],
  ...(values['serve-bin'] === undefined ? [] : [values['serve-bin']]),
)
const pid = served.child.pid as number
say(
  `serve: pid ${pid}, listening after ${((performance.now() - t0) / 1000).toFixed(1)} s, RSS ${mb(await rssOf(pid))}`,
)
say(
  `load: ${concurrency} keep-alive connections, ${seconds} s or ${maxRequests} requests, page size ${values['page-size']}, ${mix} mix`,
)
const serverCpu0 = await cpuSecondsOf(pid)
const clientCpu0 = process.cpuUsage()

const samples: Array<{ at: number; requests: number; rss: number | undefined }> = []
const figures = await runLoad({
  port: served.port,
  world,
  callers,
  seed,
  concurrency,
  seconds,
  maxRequests,
  walked: consistentWalks(),
  mix,
  sampleEverySeconds: Math.max(5, Math.floor(seconds / 20)),
  onSample: async (at, requests) => {
    const rss = await rssOf(pid)
    samples.push({ at, requests, rss })
    say(`  ${at.toFixed(0).padStart(5)} s  ${String(requests).padStart(9)} requests  RSS ${mb(rss)}`)
  },
})
const finalRss = await rssOf(pid)
const serverCpu1 = await cpuSecondsOf(pid)
const clientCpu = process.cpuUsage(clientCpu0)
const code = await served.stop()

say('')
say(
  `requests: ${figures.requests} in ${figures.seconds.toFixed(1)} s = ${figures.perSecond.toFixed(0)} requests/s`,
)
say(
  `latency ms: p50 ${figures.p50.toFixed(2)}, p90 ${figures.p90.toFixed(2)}, p99 ${figures.p99.toFixed(2)}, max ${figures.max.toFixed(1)}`,
)
for (const [name, c] of Object.entries(figures.classes))
  say(
    `  ${name.padEnd(34)} ${String(c.requests).padStart(9)} = ${c.perSecond.toFixed(0).padStart(6)} requests/s, p50 ${c.p50.toFixed(2)} ms, p99 ${c.p99.toFixed(2)} ms`,
  )
const serverCpu =
  serverCpu0 === undefined || serverCpu1 === undefined ? 'n/a' : `${(serverCpu1 - serverCpu0).toFixed(1)} s`
say(
  `CPU during the load: server ${serverCpu}, client ${((clientCpu.user + clientCpu.system) / 1e6).toFixed(1)} s`,
)
say(`answers: ${JSON.stringify(figures.statuses)}`)
say(`scenarios: ${JSON.stringify(figures.scenarios)}`)
say(`5xx: ${figures.serverErrors}; wrong answers: ${figures.wrong}`)
for (const w of figures.wrongSamples) say(`  wrong: ${w}`)
const rss = samples.flatMap((s) => (s.rss === undefined ? [] : [s.rss]))
if (rss.length > 0) {
  const half = rss.slice(Math.floor(rss.length / 2))
  say(
    `server RSS: first sample ${mb(rss[0])}, min ${mb(Math.min(...rss))}, max ${mb(Math.max(...rss))}, second half ${mb(Math.min(...half))}-${mb(Math.max(...half))}, at the end ${mb(finalRss)}`,
  )
}
say(`serve exited ${code}`)
process.exitCode = figures.serverErrors === 0 && figures.wrong === 0 && code === 0 ? 0 : 1
