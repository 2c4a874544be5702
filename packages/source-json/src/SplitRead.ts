/**
 * A large file read on several threads. The file is cut into pieces at guessed record starts
 * (bytes that look like the start of the file's first record, after a comma in an array or
 * after a record at the top level), pieces that shrink towards the end of the file; each thread
 * takes the next piece no thread has taken whenever it is free, and reads it from its guess
 * on. A guess counts only once the piece before it stands exactly there, in the same state, as
 * a one-pass read would: then the two pieces chain. A wrong guess (inside a string, in a nested
 * array) never chains; the piece before it is read on past it instead. So pieces are taken in
 * file order, and each only from a position a one-pass read reaches.
 *
 * Findings are de-duplicated here, in file order, by the fingerprints the threads computed.
 * When the chain stops before something a piece does not read itself (an invalid record,
 * malformed JSON), the caller reads the rest of the file in one pass from that position.
 *
 * @module
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs'
import type { Worker } from 'node:worker_threads'
import type { Finding, GroupKey, InspectorMappingOptions } from '@scantally/core'
import type { FastRecord } from './FastRecord.js'
import type { FindingArnSet } from './FindingArnSet.js'
import type { FindingIdSink } from './FindingIdSink.js'
import { FindingDecoder, FindingEncoder, type SharedStrings, WORDS_PER_FINDING } from './FindingWords.js'
import { changedWhileRead, eventLoopTurn, likelyFindings, maxReserved, startsWithGzipMagic } from './Input.js'
import {
  type Arrival,
  ChainPosition,
  inFile,
  inputStart,
  PieceDecoder,
  pipelineResolver,
  type SplitTally,
  sharedStringsFor,
} from './PieceDecoder.js'
import {
  type Boundary,
  maxAhead,
  type PieceMessage,
  type PieceTask,
  pieceRange,
  type RangeRun,
  rangeRecord,
  startRange,
} from './RangeReader.js'
import { readingThread } from './ReadingThread.js'
import type { ExportFile } from './RecordLocation.js'
import type { ReaderPosition } from './RecordReader.js'
import { guessStart, type RecordOpening, recordOpening } from './RecordStarts.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * How a split read ended: at the end of the file, or stopped at `at` (absolute), from where
 * the rest is to be read in one pass, `position` records into the file.
 *
 * @category model
 */
export type SplitEnd =
  | { readonly end: 'eof'; readonly sawValue: boolean }
  | { readonly end: 'stopped'; readonly at: ReaderPosition; readonly position: number }

/**
 * What a split read needs besides its plan: the chunk size, whether findings keep their ARNs, the mapping options, the set findings are de-duplicated in, the
 * counters to add to, and a progress callback for bytes read (by any thread).
 *
 * @category model
 */
export interface SplitOptions {
  readonly chunkSize: number
  readonly findingArns: boolean
  /** The group keys findings keep (default: every one). */
  readonly keys?: ReadonlyArray<GroupKey> | undefined
  readonly mapping: InspectorMappingOptions
  readonly seen: FindingArnSet
  readonly tally: SplitTally
  readonly onBytes: (n: number) => void
  /** The file as planned, when each counted finding's record is to be located in it (see `recordLocation`). */
  readonly locate?: ExportFile | undefined
  /** Where counted findings go as ids, instead of being handed out (see `DecodeOptions`). */
  readonly into?: FindingIdSink | undefined
  /** How many findings a thread ahead of the chain leaves untaken before it waits (default `maxAhead`). */
  readonly ahead?: number
}

/**
 * A file to read split: its path, size and modification time when planned, the threads to
 * read it on, and the guessed record starts it is cut at (at least one).
 *
 * @category model
 */
export interface SplitPlan {
  readonly path: string
  readonly size: number
  readonly mtimeNs: bigint
  readonly threads: number
  readonly ends: ReadonlyArray<Boundary>
}

// -------------------------------------------------------------------------------------
// planning
// -------------------------------------------------------------------------------------

/**
 * Plans a split read of a file on `threads` threads, or gives `undefined` when it is to be read
 * in one pass: smaller than `minBytes`, gzip (a stream has no places to cut), no record found in
 * its first mebibyte, or (on two threads or more) no guessed record start found. On one thread
 * the plan is one piece, the whole file, read as a thread reads its piece: into buffers of the
 * walker's own, walked in place, where the one-pass reader copies every chunk twice on its way
 * there (a million findings read in two thirds to three quarters of the time).
 *
 * @category planning
 */
export const planFile = (path: string, threads: number, minBytes: number): SplitPlan | undefined => {
  // Only a regular file is opened here: a pipe or a device is read once, by the one-pass reader.
  const st = statSync(path)
  if (!st.isFile() || st.size < minBytes || st.size < 2) return undefined
  const fd = openSync(path, 'r')
  try {
    const s = fstatSync(fd, { bigint: true })
    const size = Number(s.size)
    if (!s.isFile() || size < minBytes || size < 2) return undefined
    const magic = Buffer.alloc(2)
    readSync(fd, magic, 0, 2, 0)
    if (startsWithGzipMagic(magic)) return undefined
    const opening = firstRecordOpening(fd, size)
    if (opening === undefined) return undefined
    const ends = threads < 2 ? [] : planSplit(fd, size, threads, opening)
    return ends.length === 0 && threads >= 2
      ? undefined
      : { path, size, mtimeNs: s.mtimeNs, threads: Math.max(threads, 1), ends }
  } finally {
    closeSync(fd)
  }
}

const window = 1 << 20

/**
 * Guesses where a file read on `threads` threads may be cut into pieces: offsets, increasing, each where the bytes
 * of the first record's opening (its `{` up to the end of its first key) appear again, or else
 * any `{`, preceded by what precedes a record in that layout. Empty when the file's first record is not found in
 * its first mebibyte, or when nothing looks like a record start.
 *
 * @category planning
 */
export const planSplit = (
  fd: number,
  size: number,
  threads: number,
  opening = firstRecordOpening(fd, size),
): ReadonlyArray<Boundary> => {
  if (opening === undefined) return []
  const { state, inWrapper } = opening
  const out: Array<Boundary> = []
  const buf = Buffer.allocUnsafe(window)
  for (const aim of pieceStarts(threads)) {
    const from = Math.max(Math.floor(size * aim), (out.at(-1)?.offset ?? opening.first) + 1)
    if (from >= size) break
    const bytes = buf.subarray(0, readSync(fd, buf, 0, Math.min(window, size - from), from))
    const at = guessStart(bytes, opening)
    if (at !== undefined) out.push({ offset: from + at, state, inWrapper })
  }
  return out
}

// The opening of the file's first record, when it is found in its first mebibyte.
const firstRecordOpening = (fd: number, size: number): RecordOpening | undefined => {
  const head = Buffer.allocUnsafe(Math.min(window, size))
  return recordOpening(head.subarray(0, readSync(fd, head, 0, head.length, 0)))
}

// Where pieces start, as shares of the file: each piece is a 1/(2·threads) share of what is
// left, none under 1/48 of the file. Threads take pieces in turn as they finish the last, so
// pieces shrink towards the end: however the threads' speeds differ, they finish together
// (within a small piece), and the thread that chains them has time for it. The first piece,
// the chaining thread's own, is half that: while it reads it, it also counts what it reads and
// the other threads' findings wait for it (`scantally serve` listened about 5% sooner at a
// million high-cardinality findings; `aggregate` took the same time).
const pieceStarts = (threads: number): ReadonlyArray<number> => {
  const out: Array<number> = []
  for (let at = 0; ; ) {
    at += at === 0 ? 1 / (4 * threads) : Math.max((1 - at) / (2 * threads), 1 / 48)
    if (at > 1 - 1 / 96) return out
    out.push(at)
  }
}

// -------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------

// The pieces of a split read, read by the reader threads and by this one: this thread takes a
// piece of its own whenever the piece the chain stands in has nothing for it yet, so that no
// thread waits while a piece is left, and chains the pieces' messages in file order.
class Pieces {
  private readonly queues: Array<Array<Arrival>>
  // [0]: the next piece no thread has taken; [1]: the piece the chain stands in; [2 + w]: the
  // findings reader thread w sent that are not taken yet (see `maxAhead`).
  private readonly claims: Int32Array
  // The slot in `claims` of each reader thread, by its dictionary.
  private readonly slots = new Map<FindingDecoder, number>()
  private readonly workers: ReadonlyArray<Worker>
  private own: { readonly piece: number; readonly run: RangeRun } | undefined
  private broken: Error | undefined
  private wake: (() => void) | undefined
  private readonly fast: FastRecord
  private readonly encoder = new FindingEncoder()
  private readonly decoder: FindingDecoder

  constructor(
    private readonly task: PieceTask,
    threads: number,
    private readonly onBytes: (n: number) => void,
    ahead: number,
    // Where every thread's dictionary holds its strings (see `sharedStringsFor`).
    private readonly strings: SharedStrings | undefined,
  ) {
    this.decoder = new FindingDecoder(this.strings)
    this.queues = Array.from({ length: task.ends.length + 1 }, () => [])
    this.claims = new Int32Array(new SharedArrayBuffer(4 * (threads + 1)))
    // The first piece is this thread's: its modules are loaded already, so reading starts at
    // once while the other threads start up.
    this.claims[0] = 1
    this.fast = rangeRecord(task.read)
    this.own = this.start(0)
    this.workers = Array.from({ length: threads - 1 }, (_, w) => {
      const worker = readingThread({ task, claims: this.claims, slot: 2 + w, ahead })
      // The thread's dictionary, learned as its batches arrive, in the order it sent them,
      // including those of pieces the chain passed: later batches use their strings.
      const decoder = new FindingDecoder(this.strings)
      this.slots.set(decoder, 2 + w)
      worker.on('message', (m: PieceMessage) => {
        if (m.message.type === 'batch') {
          onBytes(m.message.bytes)
          decoder.learn(m.message.strings)
        }
        // A piece the chain has passed is of no use any more.
        if (m.piece >= Atomics.load(this.claims, 1))
          this.queues[m.piece]?.push({ message: m.message, decoder })
        else this.taken({ message: m.message, decoder })
        this.notify()
      })
      worker.on('error', (e) => this.fail(e))
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`reader thread exited (${code})`))
      })
      return worker
    })
  }

  private start(k: number): { readonly piece: number; readonly run: RangeRun } {
    const queue = this.queues[k] as Array<Arrival>
    const decoder = this.decoder
    const run = startRange(
      pieceRange(this.task, k),
      (m) => {
        if (m.type === 'batch') {
          this.onBytes(m.bytes)
          decoder.learn(m.strings)
        }
        queue.push({ message: m, decoder })
      },
      this.fast,
      this.encoder,
    )
    return { piece: k, run }
  }

  private notify(): void {
    this.wake?.()
    this.wake = undefined
  }

  private fail(e: Error): void {
    this.broken ??= e
    this.notify()
  }

  /** The next message of piece `current`, or the error that stopped a reader thread. */
  async next(current: number): Promise<Arrival | Error> {
    for (;;) {
      const queue = this.queues[current] as Array<Arrival>
      const m = queue.shift()
      if (m !== undefined) {
        this.taken(m)
        return m
      }
      if (this.own !== undefined && this.own.piece < current) {
        this.own.run.close()
        this.own = undefined
      }
      while (this.own === undefined) {
        const k = Atomics.add(this.claims, 0, 1)
        if (k > this.task.ends.length) break
        if (k >= current) this.own = this.start(k)
      }
      if (this.own !== undefined) {
        // A turn of the event loop between chunks, as a streamed read gives one: the threads'
        // messages come in meanwhile.
        await eventLoopTurn()
        if (!this.own.run.step()) this.own = undefined
        continue
      }
      if (this.broken !== undefined) return this.broken
      await new Promise<void>((resolve) => {
        this.wake = resolve
      })
    }
  }

  /** The chain now stands in piece `current`: the pieces before it are not read any further. */
  passed(current: number): void {
    Atomics.store(this.claims, 1, current)
    for (let k = 0; k < current; k++) {
      for (const m of this.queues[k] as Array<Arrival>) this.taken(m)
      this.queues[k] = []
    }
  }

  // A reader thread's batch is taken (or let go): the thread may read on ahead.
  private taken(m: Arrival): void {
    const slot = this.slots.get(m.decoder)
    if (slot === undefined || m.message.type !== 'batch') return
    Atomics.sub(this.claims, slot, m.message.words.length / WORDS_PER_FINDING)
    Atomics.notify(this.claims, slot)
  }

  stop(): void {
    this.own?.run.close()
    this.own = undefined
    for (const worker of this.workers) void worker.terminate()
  }
}

/**
 * Reads a file on its plan's threads (see the module), yielding its counted, de-duplicated
 * findings in file order, one batch per stretch a thread reports.
 *
 * @category reading
 */
export async function* readSplit(
  plan: SplitPlan,
  options: SplitOptions,
): AsyncGenerator<Array<Finding>, SplitEnd> {
  const { path, size, mtimeNs, ends } = plan
  const { statuses, includeUnlinked, resolvePipeline } = options.mapping
  const base = {
    path,
    size,
    chunkSize: options.chunkSize,
    findingArns: options.findingArns,
    ...(options.keys === undefined ? {} : { keys: options.keys }),
    locate: options.locate !== undefined,
  }
  const mapping = {
    ...(statuses === undefined ? {} : { statuses }),
    ...(includeUnlinked === undefined ? {} : { includeUnlinked }),
  }
  const pieces = new Pieces(
    { read: { ...base, ...mapping }, ends },
    plan.threads,
    options.onBytes,
    options.ahead ?? maxAhead,
    sharedStringsFor(options),
  )

  // Room for the findings the file likely holds, so that the set does not rehash while this
  // thread, the one that chains the pieces, is the busiest.
  options.seen.reserve(Math.min(likelyFindings(size), maxReserved))
  const t = options.tally
  let current = 0
  const decoder = new PieceDecoder(
    options,
    pipelineResolver(resolvePipeline, options.keys),
    options.locate === undefined ? undefined : inFile(options.locate),
  )
  const position = new ChainPosition()
  let last: ReaderPosition = inputStart
  try {
    for (;;) {
      const arrival = await pieces.next(current)
      if (arrival instanceof Error) return { end: 'stopped', at: last, position: t.read }
      const m = arrival.message
      if (m.type === 'batch') {
        const out = decoder.decode(m, arrival.decoder)
        last = position.absolute(m.at)
        if (out.length > 0) yield out
        continue
      }
      if (m.type === 'boundary') {
        const at = position.absolute(m.at)
        const next = current + 1 + m.index
        pieces.passed(next)
        current = next
        position.enter(at)
        last = at
        continue
      }
      if (m.type === 'stopped') return { end: 'stopped', at: position.absolute(m.at), position: t.read }
      const after = statSync(path, { bigint: true }) // the chain reached the end of the file
      if (after.size !== BigInt(size) || after.mtimeNs !== mtimeNs)
        throw new Error(changedWhileRead(BigInt(size), after.size, BigInt(size), after.mtimeNs !== mtimeNs))
      return { end: 'eof', sawValue: m.sawValue }
    }
  } finally {
    pieces.stop()
  }
}
