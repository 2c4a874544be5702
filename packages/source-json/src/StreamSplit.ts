/**
 * A stream (a gunzipped export, standard input, an object's body) read on several threads while
 * it arrives. This thread gathers its bytes into blocks, each cut at a guessed record start (see
 * `RecordStarts`) with the first byte of the next record after it, and hands them over to the
 * reader threads in turn (moved, not copied); each reads its block as a piece of a split
 * read (see `RangeReader`), and this thread chains the pieces in stream order as for a file:
 * a piece counts only once the one before it stands exactly at its start.
 *
 * Where the chain cannot go on (a wrong guess, anything a piece does not read itself, a read
 * error, a record longer than a block may grow), the split read ends there, and hands over the
 * rest of the stream from that position (the blocks it holds, then what is still to come) to be
 * read in one pass, so errors and their positions come out as they would. A stream shorter than
 * a block is handed over whole, with no thread started. A thread hands each block back once read;
 * blocks are let go once the chain has passed them, and at most a few per thread are sent ahead
 * of it, so memory stays bounded whatever the stream's length.
 *
 * @module
 */
import { Worker } from 'node:worker_threads'
import type { Finding, GroupKey, InspectorMappingOptions } from '@scantally/core'
import { FindingDecoder } from './FindingWords.js'
import {
  type Arrival,
  ChainPosition,
  type DecodeOptions,
  inputStart,
  PieceDecoder,
  pipelineResolver,
} from './PieceDecoder.js'
import type { Boundary, PieceMessage, RangeTask } from './RangeReader.js'
import type { ReaderPosition } from './RecordReader.js'
import { lastGuessStart, type RecordOpening, recordOpening } from './RecordStarts.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a stream's split read needs: the input's name, the reader threads to start, the chunk
 * size of each thread's reads, the group keys findings keep, the mapping options, whether
 * records are copied (their bytes kept with each finding), and the size blocks are cut at.
 *
 * @category model
 */
export interface StreamSplitOptions extends DecodeOptions {
  readonly name: string
  readonly threads: number
  readonly chunkSize: number
  readonly keys?: ReadonlyArray<GroupKey> | undefined
  readonly mapping: InspectorMappingOptions
  readonly locate: boolean
  /** The size blocks are cut at (at a record start at most a quarter below it): 8 MiB by default. */
  readonly blockBytes?: number
}

/**
 * How a stream's split read ended: at the end of the stream (`sawValue` false when it held no
 * value at all), or stopped at `at`, `position` records into the stream, with the stream's
 * bytes from there on to be read in one pass (a read error of the stream is thrown by them, in
 * its place).
 *
 * @category model
 */
export type StreamEnd =
  | { readonly end: 'eof'; readonly sawValue: boolean }
  | {
      readonly end: 'stopped'
      readonly at: ReaderPosition
      readonly position: number
      readonly rest: AsyncIterable<Buffer>
    }

// A block sent to a thread: bytes `base` to `cut` of the stream (and the byte at `cut`, the
// next record's first, when it is not the last), `length` bytes in all. This thread holds its
// bytes while the thread reads them only when records are copied; else they are back once read.
interface Sent {
  readonly base: number
  readonly cut: number
  readonly length: number
  bytes: Uint8Array | undefined
}

/**
 * A block a reader thread hands back once read (or, the chain having stopped, unread).
 *
 * @category model
 */
export interface ReturnedBlock {
  readonly piece: number
  readonly returned: Uint8Array
}

// -------------------------------------------------------------------------------------
// blocks
// -------------------------------------------------------------------------------------

const defaultBlockBytes = 8 << 20

// A record this much longer than a block stops the split: the rest is read in one pass.
const maxBlockFactor = 16

// Blocks sent ahead of the chain, per thread: enough that no thread waits for the next.
const aheadPerThread = 2

// The stream's bytes not yet sent, from stream offset `base` on, in a buffer of their own that
// the block taken from it moves to a thread with. Blocks handed back are gathered into again:
// fresh memory costs a page fault per page on first touch.
class Gathered {
  base = 0
  length = 0
  private bytes: Buffer
  private readonly free: Array<Buffer> = []

  constructor(private readonly capacity: number) {
    this.bytes = Buffer.allocUnsafeSlow(capacity)
  }

  get view(): Buffer {
    return this.bytes.subarray(0, this.length)
  }

  append(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.bytes.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.bytes.length, this.length + chunk.length))
      this.bytes.copy(grown, 0, 0, this.length)
      this.bytes = grown
    }
    this.bytes.set(chunk, this.length)
    this.length += chunk.length
  }

  /** Takes bytes up to `cut` (and the one at it, when there is one) as a block. */
  take(cut: number): { readonly sent: Sent; readonly bytes: Buffer } {
    const end = Math.min(cut + 1, this.length)
    const bytes = this.bytes.subarray(0, end)
    const sent: Sent = { base: this.base, cut: this.base + cut, length: end, bytes: undefined }
    const tail = this.length - cut
    const next = this.free.pop() ?? Buffer.allocUnsafeSlow(Math.max(this.capacity, tail))
    this.bytes.copy(next, 0, cut, this.length)
    this.bytes = next
    this.base += cut
    this.length = tail
    return { sent, bytes }
  }

  /** A block's memory, no longer needed, to gather into again. */
  recycle(bytes: Uint8Array): void {
    if (bytes.buffer.byteLength >= this.capacity && this.free.length < 4)
      this.free.push(Buffer.from(bytes.buffer as ArrayBuffer, 0, bytes.buffer.byteLength))
  }
}

// A Buffer over bytes (not copied).
const bufferOf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.length)

// -------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------

// The threads and the blocks: this thread gathers the stream into blocks and sends them, while
// the chain (the generator below) takes the threads' messages in stream order.
class StreamPieces {
  // The blocks sent, by piece; those the chain has passed are let go.
  private readonly sent: Array<Sent | undefined> = []
  private readonly queues: Array<Array<Arrival>> = []
  private workers: Array<Worker> = []
  private decoders: Array<FindingDecoder> = []
  private broken: Error | undefined
  private wake: (() => void) | undefined
  private wakeFeeder: (() => void) | undefined
  private opening: RecordOpening | undefined
  private stopping = false
  // Set once the chain has stopped: a thread then hands blocks back unread.
  private readonly stopFlag = new Int32Array(new SharedArrayBuffer(4))
  // Blocks the threads have handed back.
  private returned = 0
  /** Why no more blocks will be sent: the stream ended (its last block sent), or it is given up. */
  finished: 'eof' | 'given up' | undefined
  /** The stream's read error, thrown where the stream is handed over. */
  error: unknown = undefined
  private streamDone = false
  readonly feeding: Promise<void>
  /** The piece the chain stands in. */
  current = 0

  constructor(
    private readonly it: AsyncIterator<Buffer>,
    private readonly gathered: Gathered,
    private readonly options: StreamSplitOptions,
    private readonly blockBytes: number,
  ) {
    this.feeding = this.feed()
  }

  private notify(): void {
    this.wake?.()
    this.wake = undefined
  }

  private async pull(): Promise<boolean> {
    try {
      const r = await this.it.next()
      if (r.done === true) {
        this.streamDone = true
        return false
      }
      this.gathered.append(r.value)
      return true
    } catch (e) {
      this.error = e
      return false
    }
  }

  // Gathers and sends blocks until the stream ends, fails, or cannot be cut any more.
  private async feed(): Promise<void> {
    const g = this.gathered
    const limit = aheadPerThread * this.options.threads
    let searched = 0
    while (!this.stopping) {
      if (this.sent.length - this.current >= limit) {
        await new Promise<void>((resolve) => {
          this.wakeFeeder = resolve
        })
        continue
      }
      if (g.length <= this.blockBytes) {
        if (await this.pull()) continue
        if (this.stopping) break
        // The end of the stream, or its read error: what is gathered is the last block, sent
        // when the stream was cut before (else it is all handed over) and ended well.
        if (this.error === undefined && this.sent.length > 0 && g.length > 0) this.send(g.take(g.length))
        this.finished = this.error === undefined && this.sent.length > 0 ? 'eof' : 'given up'
        break
      }
      this.opening ??= recordOpening(g.view.subarray(0, Math.min(g.length, 1 << 20)))
      const opening = this.opening
      const from = Math.max(searched, Math.floor((this.blockBytes * 3) / 4), (opening?.first ?? 0) + 1)
      const cut = opening === undefined ? undefined : lastGuessStart(g.view, opening, from)
      if (opening === undefined || (cut === undefined && g.length > maxBlockFactor * this.blockBytes)) {
        this.finished = 'given up'
        break
      }
      if (cut === undefined) {
        // Look again where the bytes gathered so far end (a guess's bytes may straddle it).
        searched = Math.max(from, g.length - opening.bytes.length)
        if (!(await this.pull()) && !this.stopping) {
          if (this.error === undefined && this.sent.length > 0) this.send(g.take(g.length))
          this.finished = this.error === undefined && this.sent.length > 0 ? 'eof' : 'given up'
          break
        }
        continue
      }
      searched = 0
      this.send(g.take(cut))
    }
    this.finished ??= 'given up'
    this.notify()
  }

  // Sends a block to its thread, starting the threads with the first: its bytes move there
  // (this thread keeps a copy only when records are copied from it).
  private send({ sent, bytes }: { readonly sent: Sent; readonly bytes: Buffer }): void {
    const k = this.sent.length
    if (k === 0) this.start()
    const opening = this.opening as RecordOpening
    const boundary = (offset: number): Boundary => ({
      offset,
      state: opening.state,
      inWrapper: opening.inWrapper,
    })
    const last = sent.base + sent.length === sent.cut
    const task: RangeTask = {
      ...this.readTask(),
      size: sent.base + sent.length,
      ...(k === 0
        ? {}
        : { from: { ...boundary(sent.base), lines: 0, lastNewline: -1 } satisfies ReaderPosition }),
      ends: last ? [] : [boundary(sent.cut)],
      block: { bytes, base: sent.base },
    }
    if (this.options.locate) sent.bytes = Buffer.from(bytes)
    this.sent.push(sent)
    this.queues.push([])
    this.workers[k % this.workers.length]?.postMessage({ piece: k, task }, [bytes.buffer as ArrayBuffer])
  }

  private readTask(): Omit<RangeTask, 'from' | 'ends' | 'size'> {
    const o = this.options
    const { statuses, includeUnlinked } = o.mapping
    return {
      path: o.name,
      chunkSize: o.chunkSize,
      findingArns: o.findingArns,
      ...(o.keys === undefined ? {} : { keys: o.keys }),
      locate: o.locate,
      ...(statuses === undefined ? {} : { statuses }),
      ...(includeUnlinked === undefined ? {} : { includeUnlinked }),
    }
  }

  private start(): void {
    const blocks = { ...this.readTask(), size: 0 }
    this.workers = Array.from({ length: this.options.threads }, () => {
      // A small young generation per thread, as for a file's split read.
      const worker = new Worker(new URL('./RangeWorker.js', import.meta.url), {
        workerData: { blocks, stop: this.stopFlag },
        resourceLimits: { maxYoungGenerationSizeMb: 2 },
      })
      // The thread's dictionary, learned from its batches in the order it sent them.
      const decoder = new FindingDecoder()
      this.decoders.push(decoder)
      worker.on('message', (m: PieceMessage | ReturnedBlock) => {
        if ('returned' in m) {
          const sent = this.sent[m.piece]
          // Kept for the rest of the stream until the chain has passed it (when records are
          // copied, this thread kept a copy of its own).
          if (sent === undefined || this.options.locate) this.gathered.recycle(m.returned)
          else sent.bytes = m.returned
          this.returned++
          this.notify()
          return
        }
        if (m.message.type === 'batch') decoder.learn(m.message.strings)
        if (m.piece >= this.current) this.queues[m.piece]?.push({ message: m.message, decoder })
        this.notify()
      })
      worker.on('error', (e) => this.fail(e))
      worker.on('exit', (code) => {
        if (code !== 0 && !this.stopping) this.fail(new Error(`reader thread exited (${code})`))
      })
      return worker
    })
  }

  private fail(e: Error): void {
    this.broken ??= e
    this.notify()
  }

  /**
   * The next message of the current piece; `undefined` when there is none to come (no block
   * is left to read: the stream was given up there), or the error that stopped a thread.
   */
  async next(): Promise<Arrival | Error | undefined> {
    for (;;) {
      const m = this.queues[this.current]?.shift()
      if (m !== undefined) return m
      if (this.broken !== undefined) return this.broken
      if (this.current >= this.sent.length && this.finished !== undefined) return undefined
      await new Promise<void>((resolve) => {
        this.wake = resolve
      })
    }
  }

  /** The chain moves on to the next piece: the block before it is let go. */
  advance(): void {
    this.queues[this.current] = []
    const passed = this.sent[this.current]
    if (passed?.bytes !== undefined && !this.options.locate) this.gathered.recycle(passed.bytes)
    this.sent[this.current] = undefined
    this.current++
    this.wakeFeeder?.()
    this.wakeFeeder = undefined
  }

  /** The block of the current piece. */
  get block(): Sent {
    return this.sent[this.current] as Sent
  }

  /**
   * Stops the gathering and the threads, once they have handed back every block sent (the
   * rest of the stream is read from them); what is gathered stays. A thread that failed loses
   * its blocks: that is thrown.
   */
  async stop(): Promise<void> {
    this.stopping = true
    Atomics.store(this.stopFlag, 0, 1)
    this.wakeFeeder?.()
    await this.feeding
    while (this.returned < this.sent.length && this.broken === undefined)
      await new Promise<void>((resolve) => {
        this.wake = resolve
      })
    for (const worker of this.workers) worker.postMessage('close')
    if (this.returned < this.sent.length) throw this.broken
  }

  /** The stream from absolute offset `from` (in the current piece or where gathering stands) on. */
  async *rest(from: number): AsyncGenerator<Buffer> {
    for (let k = this.current; k < this.sent.length; k++) {
      const b = this.sent[k] as Sent
      const start = Math.max(from, b.base) - b.base
      if (start < b.cut - b.base) yield bufferOf((b.bytes as Uint8Array).subarray(start, b.cut - b.base))
    }
    const g = this.gathered
    const start = Math.max(from, g.base) - g.base
    if (start < g.length) yield Buffer.from(g.view.subarray(start))
    if (this.error !== undefined) throw this.error
    try {
      while (!this.streamDone) {
        const r = await this.it.next()
        if (r.done === true) this.streamDone = true
        else yield r.value
      }
    } finally {
      await this.close()
    }
  }

  /** Lets go of the stream (its file, its inflating) when it is left before its end. */
  async close(): Promise<void> {
    if (!this.streamDone && this.error === undefined) {
      this.streamDone = true
      await this.it.return?.()
    }
  }
}

/**
 * Reads a stream on `options.threads` reader threads (see the module), yielding its counted,
 * de-duplicated findings in stream order, one batch per stretch a thread reports.
 *
 * @category reading
 */
export async function* readStreamSplit(
  bytes: AsyncIterable<Buffer>,
  options: StreamSplitOptions,
): AsyncGenerator<Array<Finding>, StreamEnd> {
  const blockBytes = options.blockBytes ?? defaultBlockBytes
  const pieces = new StreamPieces(
    bytes[Symbol.asyncIterator](),
    new Gathered(blockBytes + (1 << 20)),
    options,
    blockBytes,
  )
  // Records are copied from the block of the piece they are in.
  const decoder = new PieceDecoder(
    options,
    pipelineResolver(options.mapping.resolvePipeline),
    options.locate
      ? (start, end) => {
          const b = pieces.block
          const bytes = (b.bytes as Uint8Array).subarray(start - b.base, end - b.base)
          return { _tag: 'Copied', bytes: Buffer.from(bytes) }
        }
      : undefined,
  )
  const position = new ChainPosition()
  let last: ReaderPosition = inputStart
  // Whether the rest of the stream was handed over (the threads are stopped then).
  let handedOver = false
  const stopped = async (at: ReaderPosition): Promise<StreamEnd> => {
    handedOver = true
    await pieces.stop()
    return { end: 'stopped', at, position: options.tally.read, rest: pieces.rest(at.offset) }
  }
  try {
    for (;;) {
      const arrival = await pieces.next()
      if (arrival === undefined || arrival instanceof Error) return await stopped(last)
      const m = arrival.message
      if (m.type === 'batch') {
        const out = decoder.decode(m, arrival.decoder)
        last = position.absolute(m.at)
        if (out.length > 0) yield out
      } else if (m.type === 'boundary') {
        last = position.absolute(m.at)
        position.enter(last)
        pieces.advance()
      } else if (m.type === 'stopped') return await stopped(position.absolute(m.at))
      else return { end: 'eof', sawValue: m.sawValue }
    }
  } finally {
    // Given up early (the consumer stopped) or at the end: no thread is left running.
    if (!handedOver) {
      await pieces.stop()
      await pieces.close()
    }
  }
}
