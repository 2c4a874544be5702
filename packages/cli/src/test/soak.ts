/**
 * The soak: `scantally serve` over generated findings (1M by default) under a mixed signed load
 * from a keep-alive client on 127.0.0.1, for a bounded time and request count. Prints requests
 * per second, latency percentiles, answers by status, anything wrong, and the server's resident
 * memory sampled through the run. Exits 1 on any 5xx or wrong answer.
 *
 *   node packages/cli/dist/test/soak.js [--findings N] [--seconds S] [--concurrency C]
 *        [--max-requests N] [--seed N] [--page-size N] [--dir DIR]
 *
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { callersOf, consistentWalks, generateFindings, rssOf, runLoad, startServe, worldOf } from './Load.js'

const { values } = parseArgs({
  options: {
    findings: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '32' },
    'max-requests': { type: 'string', default: '20000000' },
    seed: { type: 'string', default: '1' },
    'page-size': { type: 'string', default: '4' },
    dir: { type: 'string', default: join(tmpdir(), 'scantally-load') },
  },
})
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
const file = await generateFindings(values.dir, seed, findings)
say(
  `findings: ${findings} (seed ${seed}) in ${file}, ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
)

const world = worldOf(seed)
const callers = callersOf(world)
const credentials = join(values.dir, 'credentials.json')
await writeFile(credentials, JSON.stringify(callers), { mode: 0o600 })
const keys = join(values.dir, 'token-keys')
await writeFile(keys, `load:${'5a'.repeat(32)}\n`, { mode: 0o600 })

t0 = performance.now()
const served = await startServe([
  '--port',
  '0',
  '--credentials',
  credentials,
  '--token-key-file',
  keys,
  '--page-size',
  values['page-size'],
  file,
])
const pid = served.child.pid as number
say(
  `serve: pid ${pid}, listening after ${((performance.now() - t0) / 1000).toFixed(1)} s, RSS ${mb(await rssOf(pid))}`,
)
say(
  `load: ${concurrency} keep-alive connections, ${seconds} s or ${maxRequests} requests, page size ${values['page-size']}`,
)

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
  sampleEverySeconds: Math.max(5, Math.floor(seconds / 20)),
  onSample: async (at, requests) => {
    const rss = await rssOf(pid)
    samples.push({ at, requests, rss })
    say(`  ${at.toFixed(0).padStart(5)} s  ${String(requests).padStart(9)} requests  RSS ${mb(rss)}`)
  },
})
const finalRss = await rssOf(pid)
const code = await served.stop()

say('')
say(
  `requests: ${figures.requests} in ${figures.seconds.toFixed(1)} s = ${figures.perSecond.toFixed(0)} requests/s`,
)
say(
  `latency ms: p50 ${figures.p50.toFixed(2)}, p90 ${figures.p90.toFixed(2)}, p99 ${figures.p99.toFixed(2)}, max ${figures.max.toFixed(1)}`,
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
