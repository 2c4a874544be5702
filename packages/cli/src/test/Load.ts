/**
 * Load support: a seeded generator of Image Builder findings (NDJSON on disk), a running
 * `scantally serve` child process, and a keep-alive load client sending a mix of signed requests
 * (every filter name, paging with tokens, bad and foreign tokens, forbidden accounts,
 * ListImageScanFindings), with latency, status and resident-memory figures. Everything is
 * bounded by a request count and a deadline, and talks to 127.0.0.1 only.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, existsSync } from 'node:fs'
import { readFile, rename } from 'node:fs/promises'
import { createConnection } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { authorizationHeader, formatAmzDate } from '@scantally/server'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The generated world: accounts, pipelines, builds and vulnerabilities findings draw from. */
export interface World {
  readonly accounts: ReadonlyArray<string>
  readonly pipelines: ReadonlyArray<string>
  readonly builds: ReadonlyArray<string>
  readonly cves: ReadonlyArray<string>
}

/** A caller of the load: its key and the accounts it may see (undefined: all). */
export interface LoadCaller {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly accountIds: ReadonlyArray<string>
}

/** One exchange: what was sent, what came back, how long it took. */
export interface Exchange {
  readonly path: string
  readonly body: unknown
  readonly status: number
  readonly errorType: string | undefined
  readonly json: Record<string, unknown>
  readonly ms: number
}

/**
 * What a scenario found wrong: an answer other than the one it expects (a wrong status or
 * error, or content that disagrees with the reference).
 */
export type Check = (scenario: string, detail: string) => void

/** The figures of one class of requests: how many, their share of the rate, their latency. */
export interface ClassFigures {
  readonly requests: number
  readonly perSecond: number
  readonly p50: number
  readonly p99: number
}

/** The figures of a run. */
export interface Figures {
  readonly requests: number
  readonly seconds: number
  readonly perSecond: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
  readonly statuses: Readonly<Record<string, number>>
  readonly serverErrors: number
  readonly wrong: number
  readonly wrongSamples: ReadonlyArray<string>
  readonly scenarios: Readonly<Record<string, number>>
  /** By class of request (see {@link classOf}). */
  readonly classes: Readonly<Record<string, ClassFigures>>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same data everywhere. */
export const random = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * How varied a world is: `low`, 50 accounts, 40 pipelines, 400 builds and 5,000 CVEs (the soak's
 * default, which the older figures used); `high`, 200 accounts, 2,000 pipelines, 200,000 builds
 * and 5,000 CVEs. (An Image Builder finding has no findingArn member: the service counts each
 * record as it is.)
 */
export type Cardinality = 'low' | 'high'

/** The world of a seed at a cardinality (see {@link Cardinality}). */
export const worldOf = (seed: number, cardinality: Cardinality = 'low'): World => {
  const r = random(seed)
  const [nAccounts, nPipelines, nBuilds] = cardinality === 'low' ? [50, 40, 400] : [200, 2_000, 200_000]
  const accounts = Array.from({ length: nAccounts }, (_, i) => String(100_000_000_000 + i * 7919))
  const pipelines = Array.from(
    { length: nPipelines },
    (_, i) =>
      `arn:aws:imagebuilder:us-east-1:${accounts[i % accounts.length]}:image-pipeline/pipeline-${i}-${Math.floor(r() * 1e6)}`,
  )
  const builds = Array.from(
    { length: nBuilds },
    (_, i) =>
      `arn:aws:imagebuilder:us-east-1:${accounts[i % accounts.length]}:image/image-${i % nPipelines}/1.${Math.floor(i / nPipelines)}.0/${1 + (i % 3)}`,
  )
  const cves = Array.from(
    { length: 5000 },
    (_, i) => `CVE-${2015 + (i % 10)}-${String(1000 + i * 13).padStart(5, '0')}`,
  )
  return { accounts, pipelines, builds, cves }
}

const severities = [
  'CRITICAL',
  'HIGH',
  'HIGH',
  'MEDIUM',
  'MEDIUM',
  'MEDIUM',
  'LOW',
  'LOW',
  'INFORMATIONAL',
  'UNTRIAGED',
]

/**
 * Writes `count` findings of a seed and cardinality as Image Builder NDJSON (unless the file
 * exists already), under a temporary name renamed when complete, and returns the path.
 */
export const generateFindings = async (
  dir: string,
  seed: number,
  count: number,
  cardinality: Cardinality = 'low',
): Promise<string> => {
  const path = join(
    dir,
    `imagebuilder-${cardinality === 'low' ? '' : `${cardinality}-`}${seed}-${count}.ndjson`,
  )
  if (existsSync(path)) return path
  const world = worldOf(seed, cardinality)
  const r = random(seed + 1)
  const pick = <A>(as: ReadonlyArray<A>): A => as[Math.floor(r() * as.length)] as A
  const out = createWriteStream(`${path}.part`, { highWaterMark: 1 << 20 })
  let buffer = ''
  for (let i = 0; i < count; i++) {
    const b = Math.floor(r() * world.builds.length)
    const cve = pick(world.cves)
    buffer += `${JSON.stringify({
      awsAccountId: world.accounts[b % world.accounts.length],
      imageBuildVersionArn: world.builds[b],
      imagePipelineArn: world.pipelines[b % world.pipelines.length],
      severity: pick(severities),
      type: 'PACKAGE_VULNERABILITY',
      title: `${cve} - package-${b % 97}`,
      firstObservedAt: 1_700_000_000 + (i % 86_400),
      packageVulnerabilityDetails: { vulnerabilityId: cve, source: 'NVD' },
      ...(r() < 0.5 ? { fixAvailable: 'YES' } : {}),
    })}\n`
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
      buffer = ''
    }
  }
  await new Promise<void>((resolve, reject) => out.end(buffer, () => resolve()).once('error', reject))
  await rename(`${path}.part`, path)
  return path
}

/** The callers of a load: one sees every account, one a team's ten. */
export const callersOf = (world: World): readonly [LoadCaller, LoadCaller] => [
  { accessKeyId: 'AKIDLOADADMIN', secretAccessKey: 'load-admin-secret', accountIds: world.accounts },
  {
    accessKeyId: 'AKIDLOADTEAM',
    secretAccessKey: 'load-team-secret',
    accountIds: world.accounts.slice(0, 10),
  },
]

/** A running `scantally serve` child. */
export interface Served {
  readonly child: ChildProcess
  readonly url: string
  readonly port: number
  readonly stderr: () => string
  readonly stop: () => Promise<number | null>
}

const bin = fileURLToPath(new URL('../../bin/scantally.js', import.meta.url))

/**
 * Starts `scantally serve` on 127.0.0.1 with the arguments (from this checkout's `bin`, or
 * another build's `scantally.js` to compare two builds under one client); resolves once it
 * listens.
 */
export const startServe = (
  args: ReadonlyArray<string>,
  nodeArgs: ReadonlyArray<string> = [],
  binPath: string = bin,
): Promise<Served> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, binPath, 'serve', '--host', '127.0.0.1', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
    child.stderr?.on('data', (d) => {
      err += d
    })
    child.stdout?.on('data', (d) => {
      out += d
      const m = /^listening on (http:\/\/127\.0\.0\.1:(\d+))\n/.exec(out)
      if (m)
        resolve({
          child,
          url: m[1] as string,
          port: Number(m[2]),
          stderr: () => err,
          stop: () => {
            child.kill('SIGTERM')
            return exit
          },
        })
    })
    exit.then((code) => reject(new Error(`serve exited ${code} before listening: ${err}`)))
  })

/** Resident set size of a process in bytes (Linux `/proc`), or undefined elsewhere. */
export const rssOf = async (pid: number): Promise<number | undefined> => {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1]
    return kb === undefined ? undefined : Number(kb) * 1024
  } catch {
    return undefined
  }
}

/** CPU time (user + system) a process has used, in seconds (Linux `/proc`), or undefined elsewhere. */
export const cpuSecondsOf = async (pid: number): Promise<number | undefined> => {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces) start at its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return undefined
  }
}

// -------------------------------------------------------------------------------------
// the client
// -------------------------------------------------------------------------------------

/**
 * A keep-alive client signing every request as one caller. Each session has a socket of its own
 * and one request on it at a time, written and read by hand (HTTP/1.1, a `content-length` body):
 * a load client must cost less than the server it measures, and Node's `http` client spends
 * about as much CPU per request as the server does.
 */
export const makeClient = (port: number) => {
  const idle: Connection[] = []
  const all = new Set<Connection>()
  const send = async (caller: LoadCaller, path: string, body: unknown): Promise<Exchange> => {
    const bytes = Buffer.from(JSON.stringify(body))
    const amzDate = formatAmzDate(Date.now())
    const headers = new Map([
      ['host', `127.0.0.1:${port}`],
      ['content-type', 'application/json'],
      ['x-amz-date', amzDate],
    ])
    const authorization = authorizationHeader(
      { method: 'POST', target: path, headers, body: bytes },
      caller,
      { region: 'us-east-1', service: 'imagebuilder' },
      amzDate,
    )
    // The headers signed are the headers sent.
    const lines = [...headers, ['authorization', authorization], ['content-length', String(bytes.length)]]
    const head = `POST ${path} HTTP/1.1\r\n${lines.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`
    const started = performance.now()
    let connection = idle.pop()
    while (connection?.closed()) connection = idle.pop()
    connection ??= await connect(port, all)
    const reply = await connection.exchange(Buffer.concat([Buffer.from(head, 'latin1'), bytes]))
    if (reply.keepAlive) idle.push(connection)
    else connection.close()
    const text = reply.body.toString('utf8')
    let json: Record<string, unknown> = {}
    try {
      json = JSON.parse(text) as Record<string, unknown>
    } catch {
      json = { unparsable: text.slice(0, 200) }
    }
    return {
      path,
      body,
      status: reply.status,
      errorType: reply.headers.get('x-amzn-errortype'),
      json,
      ms: performance.now() - started,
    }
  }
  return {
    send,
    close: () => {
      for (const c of all) c.close()
    },
  }
}

interface Reply {
  readonly status: number
  readonly headers: ReadonlyMap<string, string>
  readonly body: Buffer
  readonly keepAlive: boolean
}

interface Connection {
  readonly exchange: (request: Buffer) => Promise<Reply>
  readonly closed: () => boolean
  readonly close: () => void
}

const headEnd = Buffer.from('\r\n\r\n')

// One socket: a request written whole, its response read by its content-length. A socket that
// ends or fails fails the exchange in flight.
const connect = (port: number, all: Set<Connection>): Promise<Connection> =>
  new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port, noDelay: true })
    let buffered: Buffer = Buffer.alloc(0)
    let closed = false
    let pending: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined
    let head: { status: number; headers: Map<string, string>; length: number; at: number } | undefined
    const fail = (e: Error) => {
      const p = pending
      pending = undefined
      p?.reject(e)
    }
    const parse = () => {
      if (head === undefined) {
        const end = buffered.indexOf(headEnd)
        if (end < 0) return
        const lines = buffered.toString('latin1', 0, end).split('\r\n')
        const status = Number((lines[0] ?? '').split(' ')[1])
        const headers = new Map<string, string>()
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':')
          headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
        }
        const length = Number(headers.get('content-length'))
        if (!Number.isInteger(length) || length < 0) {
          fail(new Error(`a response without a content-length: ${lines[0]}`))
          socket.destroy()
          return
        }
        head = { status, headers, length, at: end + 4 }
      }
      if (buffered.length < head.at + head.length) return
      const body = buffered.subarray(head.at, head.at + head.length)
      buffered = buffered.subarray(head.at + head.length)
      const { status, headers } = head
      head = undefined
      const p = pending
      pending = undefined
      p?.resolve({ status, headers, body, keepAlive: headers.get('connection') !== 'close' })
    }
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk])
      parse()
    })
    socket.on('error', (e) => fail(e))
    socket.on('close', () => {
      closed = true
      all.delete(connection)
      fail(new Error('the server closed the connection'))
    })
    const connection: Connection = {
      exchange: (request) =>
        new Promise<Reply>((res, rej) => {
          if (closed) {
            rej(new Error('the server closed the connection'))
            return
          }
          pending = { resolve: res, reject: rej }
          socket.write(request)
        }),
      closed: () => closed,
      close: () => socket.destroy(),
    }
    socket.once('connect', () => {
      all.add(connection)
      resolve(connection)
    })
    socket.once('error', reject)
  })

// -------------------------------------------------------------------------------------
// scenarios
// -------------------------------------------------------------------------------------

type Send = (caller: LoadCaller, path: string, body: unknown) => Promise<Exchange>
type Record_ = (e: Exchange) => void

/** What a walk through every page of an aggregation gave: the union of the pages. */
export type Walked = (
  caller: LoadCaller,
  filter: unknown,
  responses: ReadonlyArray<unknown>,
) => string | undefined

const aggregations = '/ListImageScanFindingAggregations'
const findingsPath = '/ListImageScanFindings'

/**
 * The class of an exchange in the figures: a standard aggregation answered (`standard:` and its
 * grouping, the filter's name or `accountId` without one), a request refused with an error
 * (`refused`: bad tokens, forbidden accounts, invalid filters), or `ListImageScanFindings`.
 */
export const classOf = (e: Exchange): string => {
  if (e.path === findingsPath) return 'ListImageScanFindings'
  if (e.status !== 200) return 'refused'
  const filter = (e.body as { filter?: { name?: unknown } } | undefined)?.filter
  return `standard:${typeof filter?.name === 'string' ? filter.name : 'accountId'}`
}

/**
 * Which scenarios a load draws: `all`, the whole mix; `standard`, only walks through the four
 * standard aggregations.
 */
export type Mix = 'all' | 'standard'

const expectError = (e: Exchange, status: number, name: string, scenario: string, wrong: Check) => {
  if (e.status !== status || e.errorType !== name)
    wrong(
      scenario,
      `expected ${status} ${name}, got ${e.status} ${e.errorType ?? ''} ${JSON.stringify(e.json).slice(0, 200)}`,
    )
}

/**
 * One scenario of the mix, chosen by `r`: walks (every filter name, unfiltered), single pages,
 * bad tokens (garbage, altered, another caller's, another request's), a forbidden account and
 * ListImageScanFindings pages. Checks each answer; `walked` checks the content of a whole walk.
 */
export const scenario = async (
  r: () => number,
  world: World,
  callers: readonly [LoadCaller, LoadCaller],
  send: Send,
  record: Record_,
  wrong: Check,
  walked: Walked,
  mix: Mix = 'all',
): Promise<string> => {
  const pick = <A>(as: ReadonlyArray<A>): A => as[Math.floor(r() * as.length)] as A
  const caller = r() < 0.7 ? callers[0] : callers[1]
  const other = caller === callers[0] ? callers[1] : callers[0]
  const call = async (path: string, body: unknown, c: LoadCaller = caller) => {
    const e = await send(c, path, body)
    record(e)
    return e
  }
  const walk = async (name: string, filter: unknown): Promise<string> => {
    const responses: unknown[] = []
    let nextToken: string | undefined
    for (let page = 0; page < 200; page++) {
      const e = await call(aggregations, {
        ...(filter === undefined ? {} : { filter }),
        ...(nextToken === undefined ? {} : { nextToken }),
      })
      if (e.status !== 200) {
        wrong(name, `page ${page}: ${e.status} ${e.errorType ?? ''} ${JSON.stringify(e.json).slice(0, 200)}`)
        return name
      }
      responses.push(...((e.json.responses as unknown[] | undefined) ?? []))
      nextToken = e.json.nextToken as string | undefined
      if (nextToken === '') wrong(name, 'an empty nextToken')
      if (nextToken === undefined) break
    }
    const problem = walked(caller, filter, responses)
    if (problem !== undefined) wrong(name, problem)
    return name
  }
  const visible = caller.accountIds
  const x = mix === 'all' ? r() : r() * 0.55
  if (x < 0.15) return walk('walk:unfiltered', undefined)
  if (x < 0.25)
    return walk('walk:accountId', {
      name: 'accountId',
      values: Array.from({ length: 1 + Math.floor(r() * 10) }, () => pick(visible)),
    })
  if (x < 0.35)
    return walk('walk:imageBuildVersionArn', {
      name: 'imageBuildVersionArn',
      values: Array.from({ length: 1 + Math.floor(r() * 10) }, () => pick(world.builds)),
    })
  if (x < 0.45)
    return walk('walk:imagePipelineArn', {
      name: 'imagePipelineArn',
      values: Array.from({ length: 1 + Math.floor(r() * 10) }, () => pick(world.pipelines)),
    })
  if (x < 0.55)
    return walk('walk:vulnerabilityId', {
      name: 'vulnerabilityId',
      values: Array.from({ length: 1 + Math.floor(r() * 10) }, () => pick(world.cves)),
    })
  if (x < 0.6) {
    const e = await call(aggregations, {
      nextToken: `v1.${Math.floor(r() * 1e9).toString(36)}.eyJ9.${'A'.repeat(43)}`,
    })
    expectError(e, 400, 'InvalidPaginationTokenException', 'token:garbage', wrong)
    return 'token:garbage'
  }
  if (x < 0.7) {
    // A real token, then: altered, presented by the other caller, and with another filter.
    const first = await call(aggregations, {})
    const token = first.json.nextToken
    if (typeof token !== 'string') {
      wrong('token:real', `no nextToken on a first page: ${first.status}`)
      return 'token:misuse'
    }
    const at = Math.floor(r() * token.length)
    const altered = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`
    expectError(
      await call(aggregations, { nextToken: altered }),
      400,
      'InvalidPaginationTokenException',
      'token:altered',
      wrong,
    )
    expectError(
      await call(aggregations, { nextToken: token }, other),
      400,
      'InvalidPaginationTokenException',
      'token:foreign',
      wrong,
    )
    expectError(
      await call(aggregations, {
        filter: { name: 'vulnerabilityId', values: [pick(world.cves)] },
        nextToken: token,
      }),
      400,
      'InvalidPaginationTokenException',
      'token:other-request',
      wrong,
    )
    return 'token:misuse'
  }
  if (x < 0.75) {
    if (caller === callers[0]) {
      const e = await call(aggregations, { filter: { name: 'vulnerabilityId', values: [] } })
      expectError(e, 400, 'InvalidRequestException', 'invalid:values', wrong)
      return 'invalid:values'
    }
    const hidden = world.accounts.filter((a) => !visible.includes(a))
    const e = await call(aggregations, { filter: { name: 'accountId', values: [pick(hidden)] } })
    expectError(e, 403, 'ForbiddenException', 'forbidden:account', wrong)
    return 'forbidden:account'
  }
  // ListImageScanFindings: a filter, up to three pages.
  const filters = [
    [{ name: 'severity', values: [pick(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'])] }],
    [{ name: 'vulnerabilityId', values: [pick(world.cves)] }],
    [{ name: 'imagePipelineArn', values: [pick(world.pipelines)] }],
    [{ name: 'imageBuildVersionArn', values: [pick(world.builds)] }],
    undefined,
  ]
  const filter = pick(filters)
  let nextToken: string | undefined
  for (let page = 0; page < 3; page++) {
    const e = await call(findingsPath, {
      maxResults: 25,
      ...(filter === undefined ? {} : { filters: filter }),
      ...(nextToken === undefined ? {} : { nextToken }),
    })
    if (e.status !== 200) {
      wrong('findings', `${e.status} ${e.errorType ?? ''}`)
      break
    }
    const found = (e.json.findings as Array<{ awsAccountId?: string }> | undefined) ?? []
    if (found.some((f) => f.awsAccountId === undefined || !visible.includes(f.awsAccountId)))
      wrong('findings', 'a finding of an account the caller may not see')
    nextToken = e.json.nextToken as string | undefined
    if (nextToken === undefined) break
  }
  return 'findings'
}

// -------------------------------------------------------------------------------------
// the run
// -------------------------------------------------------------------------------------

/** How long and how hard to push. */
export interface RunOptions {
  readonly port: number
  readonly world: World
  readonly callers: readonly [LoadCaller, LoadCaller]
  readonly seed: number
  readonly concurrency: number
  readonly seconds: number
  readonly maxRequests: number
  readonly walked: Walked
  /** Default `all`. */
  readonly mix?: Mix
  /** Called every `sampleEverySeconds` with the figures so far (for RSS sampling and progress). */
  readonly onSample?: (elapsedSeconds: number, requests: number) => Promise<void> | void
  readonly sampleEverySeconds?: number
}

/** Runs the mix with `concurrency` sessions until the deadline or the request bound. */
export const runLoad = async (options: RunOptions): Promise<Figures> => {
  const client = makeClient(options.port)
  const latencies = new Float64Array(options.maxRequests + 1000)
  let count = 0
  const statuses: Record<string, number> = {}
  const scenarios: Record<string, number> = {}
  const byClass = new Map<string, number[]>()
  let wrongCount = 0
  const wrongSamples: string[] = []
  const record = (e: Exchange) => {
    if (count < latencies.length) {
      latencies[count] = e.ms
      const name = classOf(e)
      const list = byClass.get(name) ?? []
      list.push(e.ms)
      byClass.set(name, list)
    }
    count++
    const key = `${e.status}${e.errorType === undefined ? '' : ` ${e.errorType}`}`
    statuses[key] = (statuses[key] ?? 0) + 1
  }
  const wrong: Check = (scenario, detail) => {
    wrongCount++
    if (wrongSamples.length < 20) wrongSamples.push(`${scenario}: ${detail}`)
  }
  const started = performance.now()
  const deadline = started + options.seconds * 1000
  const every = (options.sampleEverySeconds ?? 10) * 1000
  let nextSample = started + every
  let sampling = Promise.resolve()
  const session = async (n: number) => {
    const r = random(options.seed * 1000 + n)
    while (performance.now() < deadline && count < options.maxRequests) {
      try {
        const name = await scenario(
          r,
          options.world,
          options.callers,
          client.send,
          record,
          wrong,
          options.walked,
          options.mix,
        )
        scenarios[name] = (scenarios[name] ?? 0) + 1
      } catch (e) {
        wrong('transport', (e as Error).message)
        count++
      }
      if (options.onSample !== undefined && performance.now() >= nextSample) {
        nextSample += every
        const at = (performance.now() - started) / 1000
        sampling = sampling.then(() => options.onSample?.(at, count))
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, (_, n) => session(n)))
  await sampling
  const seconds = (performance.now() - started) / 1000
  client.close()
  const sorted = latencies.subarray(0, Math.min(count, latencies.length)).sort()
  const at = (q: number) => quantile(sorted, q)
  // Each standard grouping, and the four together: the figure the throughput target is about.
  const standard = [...byClass].flatMap(([name, ms]) => (name.startsWith('standard:') ? ms : []))
  const classes = Object.fromEntries(
    [...byClass, ...(standard.length === 0 ? [] : [['standard (all four)', standard] as const])]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, ms]) => {
        const s = Float64Array.from(ms).sort()
        return [
          name,
          {
            requests: s.length,
            perSecond: s.length / seconds,
            p50: quantile(s, 0.5),
            p99: quantile(s, 0.99),
          },
        ]
      }),
  )
  return {
    requests: count,
    seconds,
    perSecond: count / seconds,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted[sorted.length - 1] ?? 0,
    statuses,
    serverErrors: Object.entries(statuses)
      .filter(([k]) => k.startsWith('5'))
      .reduce((n, [, v]) => n + v, 0),
    wrong: wrongCount,
    wrongSamples,
    scenarios,
    classes,
  }
}

const quantile = (sorted: Float64Array, q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0

/** A walk check that holds a walk to the first answer seen for the same caller and filter. */
export const consistentWalks = (): Walked => {
  const seen = new Map<string, string>()
  return (caller, filter, responses) => {
    const key = `${caller.accessKeyId} ${JSON.stringify(filter)}`
    const digest = JSON.stringify(responses)
    const prior = seen.get(key)
    if (prior === undefined) {
      if (seen.size < 100_000) seen.set(key, digest)
      return undefined
    }
    return prior === digest ? undefined : `walk for ${key} differs from the first walk`
  }
}
