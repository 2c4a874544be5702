/**
 * The measured tasks, each run in a child process of its own (`node dist/Tasks.js TASK FILE`)
 * so that its peak memory is its own: the library call, the `JSON.parse` baselines and the
 * paging benchmark. Each prints one JSON line: its digest and, for paging, its timings.
 *
 * @module
 */
import { createReadStream, readFileSync } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import {
  accumulate,
  allGroups,
  buildIndexAsync,
  decodeQuery,
  type Engine,
  type Finding,
  foldInto,
  type Group,
  makeEngine,
  makeTokenKey,
  type Query,
  queryAggregations,
} from '@scantally/core'
import { makeBuilder, makeScanFindingStoreBuilder } from '@scantally/core/internal'
import {
  decodedBytes,
  listInputs,
  raiseMallocThresholdsWhenInflating,
  readFindingBatches,
  releaseInflated,
} from '@scantally/source-json'
import * as E from 'fp-ts/lib/Either.js'
import { type Digest, digestOf, makeTally } from './Tally.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The tasks a child process can run.
 *
 * @category model
 */
export const taskNames = [
  'library',
  'library-split',
  'library-plain',
  'parse-whole',
  'parse-lines',
  'paging',
  'serve-memory',
  'gunzip',
  'gunzip-parallel',
] as const

/**
 * One of {@link taskNames}.
 *
 * @category model
 */
export type TaskName = (typeof taskNames)[number]

/**
 * What a task prints: the digest of its answer, and named timings in milliseconds.
 *
 * @category model
 */
export interface TaskResult {
  readonly digest: Digest
  readonly timings?: Readonly<Record<string, ReadonlyArray<number>>>
}

/**
 * The query every contender answers: counts per vulnerability id, all groups.
 *
 * @category model
 */
export const benchQuery: Query = E.getOrElseW(() => {
  throw new Error('bad benchmark query')
})(decodeQuery({ groupBy: 'vulnerabilityId', maxResults: 1000 }))

// -------------------------------------------------------------------------------------
// tasks
// -------------------------------------------------------------------------------------

const digestOfGroups = (groups: ReadonlyArray<Group>): Digest => digestOf(groups.map((g) => g.counts))

// The library call: the export reader (fast or plain path, on one thread or one per core) and a
// one-pass accumulator. The reader de-duplicates, so on the fast path neither the findings nor
// the accumulator keep ARNs, and findings are handed over as ids (as the CLI does).
const library = async (path: string, parser: 'fast' | 'plain', workers: number): Promise<TaskResult> => {
  const acc = accumulate(benchQuery, undefined, { dedupe: parser === 'plain' })
  if (E.isLeft(acc)) throw new Error(acc.left.message)
  const fast = parser === 'fast'
  const source = readFindingBatches([path], {
    parser,
    workers,
    findingArns: !fast,
    ...(fast ? { into: { intern: acc.right.intern, add: acc.right.addIds } } : {}),
  })
  const answer = await foldInto(acc.right)(source)()
  if (E.isLeft(answer)) throw new Error(answer.left.message)
  return { digest: digestOfGroups(answer.right.groups) }
}

// Baseline: the whole file as one string, `JSON.parse`, then a plain loop.
const parseWhole = (path: string): TaskResult => {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as { findings: ReadonlyArray<unknown> }
  const tally = makeTally()
  for (const f of doc.findings) tally.add(f)
  return { digest: tally.digest() }
}

// Baseline: NDJSON split into lines on the bytes (never inside a UTF-8 sequence), each line
// decoded and given to `JSON.parse`.
const parseLines = async (path: string): Promise<TaskResult> => {
  const tally = makeTally()
  let rest: Buffer = Buffer.alloc(0)
  const lines = (text: string) => {
    let start = 0
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      if (nl > start) tally.add(JSON.parse(text.slice(start, nl)))
      start = nl + 1
    }
    if (start < text.length && text.slice(start).trim() !== '') tally.add(JSON.parse(text.slice(start)))
  }
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const bytes = rest.length === 0 ? (chunk as Buffer) : Buffer.concat([rest, chunk as Buffer])
    const last = bytes.lastIndexOf(0x0a)
    if (last < 0) {
      rest = bytes
      continue
    }
    lines(bytes.toString('utf8', 0, last + 1))
    rest = bytes.subarray(last + 1)
  }
  lines(rest.toString('utf8'))
  return { digest: tally.digest() }
}

const benchKey = E.getOrElseW(() => {
  throw new Error('bad key')
})(makeTokenKey(new Uint8Array(32).fill(9), 'bench'))

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

// Paging: one unpaged answer on a fresh engine, against paging through every group at 100 a
// page on another fresh engine (so both include the pass over the index), several times.
const paging = async (path: string): Promise<TaskResult> => {
  const index = await buildIndexAsync(readFindingBatches([path]))()
  if (E.isLeft(index)) throw new Error(index.left.message)
  const fresh = (): Engine => makeEngine(index.right, { keys: [benchKey], pageSize: 100 })
  const unpaged: number[] = []
  const paged: number[] = []
  let digest: Digest | undefined
  for (let run = 0; run < 5; run++) {
    const a = fresh()
    let t = performance.now()
    const all = allGroups(a, { ...benchQuery, maxResults: 100 })
    unpaged.push(performance.now() - t)
    if (E.isLeft(all)) throw new Error(all.left.message)
    const b = fresh()
    const ask = queryAggregations(b)
    const groups: Group[] = []
    t = performance.now()
    let token: string | undefined
    do {
      const page = ask({
        groupBy: 'vulnerabilityId',
        maxResults: 100,
        ...(token === undefined ? {} : { nextToken: token }),
      })
      if (E.isLeft(page)) throw new Error(page.left.message)
      groups.push(...page.right.groups)
      token = page.right.nextToken
    } while (token !== undefined)
    paged.push(performance.now() - t)
    if (groups.length !== all.right.length) throw new Error('paging lost or doubled groups')
    digest = digestOfGroups(groups)
  }
  return {
    digest: digest as Digest,
    timings: { unpaged, paged, rows: [index.right.rows], medianRatio: [median(paged) / median(unpaged)] },
  }
}

// One of the structures serve builds, from a read of its own, frozen; the builder and the
// read are dropped on return.
const built = async <A>(
  path: string,
  make: () => { readonly add: (f: Finding) => unknown; readonly freeze: () => A },
): Promise<[A, number]> => {
  const builder = make()
  const source = readFindingBatches([path], { workers: availableParallelism() })
  let findings = 0
  for await (const batch of source) {
    for (const f of batch) builder.add(f)
    findings += batch.length
  }
  const result = await source.result
  if (E.isLeft(result)) throw new Error(result.left.message)
  return [builder.freeze(), findings]
}

// What `scantally serve` holds: the index, then the ListImageScanFindings store, each built by
// a read of its own, measured as live heap and buffers after a full GC, each against the moment
// before. A store keeps its findings as rows of an index of its own here (serve's store shares
// the served one): that index's bytes, the first measure, are taken off the store's.
const serveMemory = async (path: string): Promise<TaskResult> => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  // Buffers are freed after the collection that finds them dead: collect, let that finish, again.
  const live = async (): Promise<number> => {
    for (let i = 0; i < 4; i++) {
      gc()
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const m = process.memoryUsage()
    return m.heapUsed + m.arrayBuffers
  }
  const before = await live()
  const [index, findings] = await built(path, makeBuilder)
  const withIndex = await live()
  const [store] = await built(path, makeScanFindingStoreBuilder)
  const withBoth = await live()
  const answer = allGroups(makeEngine(index, { keys: [benchKey], pageSize: 1000 }), benchQuery)
  if (E.isLeft(answer)) throw new Error(answer.left.message)
  return {
    digest: digestOfGroups(answer.right),
    timings: {
      indexBytes: [withIndex - before],
      storeBytes: [withBoth - withIndex - (withIndex - before)],
      rows: [index.rows],
      findings: [findings],
      storeSize: [store.size],
    },
  }
}

// The inflated size of a gzipped file, inflating it as the reader does and doing nothing else:
// the file read as an input is, its compressed chunks given back once inflated, and each
// inflated MiB given back once seen (as the reader gives it back once copied).
const inflatedBytes = async (path: string): Promise<number> => {
  const inputs = await listInputs([path], noStdin(), 1 << 20)
  if (E.isLeft(inputs)) throw new Error(inputs.left.message)
  let bytes = 0
  for (const input of inputs.right)
    for await (const chunk of decodedBytes(input.open(), () => {})) {
      bytes += chunk.length
      releaseInflated(chunk)
    }
  return bytes
}

async function* noStdin(): AsyncGenerator<Buffer> {}

// The files a path stands for: a folder's, by name, or the file itself.
const filesOf = async (path: string): Promise<ReadonlyArray<string>> =>
  (await stat(path)).isDirectory() ? (await readdir(path)).sort().map((name) => join(path, name)) : [path]

// The floor of reading a gzipped export (or a folder of them): inflating it, one file after
// another, or every file at once (on zlib's threads, as many at a time as libuv runs), doing
// nothing else, with the allocator set as the command sets it.
const gunzipOnly = async (path: string, parallel: boolean): Promise<TaskResult> => {
  raiseMallocThresholdsWhenInflating()
  const files = await filesOf(path)
  let bytes = 0
  if (parallel) for (const n of await Promise.all(files.map(inflatedBytes))) bytes += n
  else for (const file of files) bytes += await inflatedBytes(file)
  return { digest: digestOf([]), timings: { bytes: [bytes] } }
}

/**
 * Runs a task on a file.
 *
 * @category tasks
 */
export const runTask = async (task: TaskName, path: string): Promise<TaskResult> => {
  switch (task) {
    case 'library':
      return library(path, 'fast', 1)
    case 'library-split':
      return library(path, 'fast', availableParallelism())
    case 'library-plain':
      return library(path, 'plain', 1)
    case 'parse-whole':
      return parseWhole(path)
    case 'parse-lines':
      return parseLines(path)
    case 'paging':
      return paging(path)
    case 'gunzip':
      return gunzipOnly(path, false)
    case 'gunzip-parallel':
      return gunzipOnly(path, true)
    case 'serve-memory':
      return serveMemory(path)
  }
}
