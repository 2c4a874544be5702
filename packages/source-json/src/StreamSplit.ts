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
import type { Worker } from 'node:worker_threads'
import type { Finding, GroupKey, InspectorMappingOptions } from '@scantally/core'
import type { CutStream, StreamPart } from './Blocks.js'
import { FindingDecoder, type SharedStrings } from './FindingWords.js'
import {
  type Arrival,
  ChainPosition,
  copiedRecord,
  type DecodeOptions,
  inputStart,
  PieceDecoder,
  pipelineResolver,
  sharedStringsFor,
} from './PieceDecoder.js'
import type { Boundary, PieceMessage, RangeTask } from './RangeReader.js'
import { readingThread } from './ReadingThread.js'
import type { ReaderPosition } from './RecordReader.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a stream's split read needs: the input's name, the reader threads to start, the chunk
 * size of each thread's reads, the group keys findings keep, the mapping options, whether
 * records are copied (their bytes kept with each finding).
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

// Blocks sent ahead of the chain, per thread: enough that no thread waits for the next.
const aheadPerThread = 2

// A Buffer over bytes (not copied).
const bufferOf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.length)

// -------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------

// The threads and the blocks: this thread sends the stream's blocks to the threads, while
// the chain (the generator below) takes the threads' messages in stream order.
class StreamPieces {
  // The blocks sent, by piece; those the chain has passed are let go.
  private readonly sent: Array<Sent | undefined> = []
  private readonly queues: Array<Array<Arrival>> = []
  private workers: Array<Worker> = []
  private broken: Error | undefined
  private wake: (() => void) | undefined
  private wakeFeeder: (() => void) | undefined
  private stopping = false
  // Set once the chain has stopped: a thread then hands blocks back unread.
  private readonly stopFlag = new Int32Array(new SharedArrayBuffer(4))
  // Blocks the threads have handed back.
  private returned = 0
  // Every thread's dictionary holds its strings here, once (see `sharedStringsFor`).
  private readonly strings: SharedStrings | undefined
  // The stream's bytes after the last block, taken before the stream ended or failed.
  private readonly after: Array<Buffer> = []
  // The stream's read error, once it failed.
  private failure: { readonly error: unknown } | undefined
  /** Whether no more blocks will be sent. */
  finished = false
  readonly feeding: Promise<void>
  /** The piece the chain stands in. */
  current = 0

  constructor(
    private readonly stream: CutStream,
    private readonly options: StreamSplitOptions,
  ) {
    this.strings = sharedStringsFor(options)
    this.feeding = this.feed()
  }

  private notify(): void {
    this.wake?.()
    this.wake = undefined
  }

  // Sends the stream's blocks until it ends, fails, or is not cut any more; what comes after
  // them is kept for the one-pass read (a read error is thrown there, in its place).
  private async feed(): Promise<void> {
    const limit = aheadPerThread * this.options.threads
    const parts = this.stream.parts
    while (!this.stopping) {
      if (this.sent.length - this.current >= limit) {
        await new Promise<void>((resolve) => {
          this.wakeFeeder = resolve
        })
        continue
      }
      let r: IteratorResult<StreamPart>
      try {
        r = await parts.next()
      } catch (error) {
        // Thrown where the rest of the stream is read, after the bytes before it.
        this.failure = { error }
        break
      }
      if (r.done === true) break
      if (r.value.type === 'block') this.send(r.value)
      else {
        this.after.push(r.value.bytes)
        break
      }
    }
    this.finished = true
    this.notify()
  }

  // Sends a block to its thread, starting the threads with the first: its bytes move there.
  private send(part: Extract<StreamPart, { type: 'block' }>): void {
    const k = this.sent.length
    if (k === 0) this.start()
    const { bytes } = part
    const sent: Sent = { base: part.base, cut: part.cut, length: bytes.length, bytes: undefined }
    const boundary = (offset: number): Boundary => ({ offset, state: part.state, inWrapper: part.inWrapper })
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
      const worker = readingThread({ blocks, stop: this.stopFlag })
      // The thread's dictionary, learned from its batches in the order it sent them.
      const decoder = new FindingDecoder(this.strings)
      worker.on('message', (m: PieceMessage | ReturnedBlock) => {
        if ('returned' in m) {
          const sent = this.sent[m.piece]
          // Kept (for the rest of the stream, and records to be copied) until the chain has passed it.
          if (sent === undefined) this.stream.recycle(m.returned)
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
   * is left to read: the stream was given up there), or the error that stopped a thread. When
   * records are copied, a piece's messages are taken once its block is back (its thread sends
   * the block after the piece's last message), so that they are copied from it.
   */
  async next(): Promise<Arrival | Error | undefined> {
    for (;;) {
      const back = !this.options.locate || this.sent[this.current]?.bytes !== undefined
      const m = back ? this.queues[this.current]?.shift() : undefined
      if (m !== undefined) return m
      if (this.broken !== undefined) return this.broken
      if (this.current >= this.sent.length && this.finished) return undefined
      await new Promise<void>((resolve) => {
        this.wake = resolve
      })
    }
  }

  /** The chain moves on to the next piece: the block before it is let go. */
  advance(): void {
    this.queues[this.current] = []
    const passed = this.sent[this.current]
    if (passed?.bytes !== undefined) this.stream.recycle(passed.bytes)
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

  /** The stream from absolute offset `from` (in the current piece, or after the blocks) on. */
  async *rest(from: number): AsyncGenerator<Buffer> {
    // However far it is read, the stream is let go at the end.
    try {
      for (let k = this.current; k < this.sent.length; k++) {
        const b = this.sent[k] as Sent
        const start = Math.max(from, b.base) - b.base
        if (start < b.cut - b.base) yield bufferOf((b.bytes as Uint8Array).subarray(start, b.cut - b.base))
      }
      yield* this.after
      if (this.failure !== undefined) throw this.failure.error
      for (let r = await this.stream.parts.next(); r.done !== true; r = await this.stream.parts.next())
        yield r.value.type === 'block' ? r.value.bytes.subarray(0, r.value.cut - r.value.base) : r.value.bytes
    } finally {
      await this.close()
    }
  }

  /** Lets go of the stream (its file, its inflating) when it is left before its end. */
  async close(): Promise<void> {
    await this.stream.parts.return?.()
  }
}

/**
 * Reads a stream on `options.threads` reader threads (see the module), yielding its counted,
 * de-duplicated findings in stream order, one batch per stretch a thread reports.
 *
 * @category reading
 */
export async function* readStreamSplit(
  stream: CutStream,
  options: StreamSplitOptions,
): AsyncGenerator<Array<Finding>, StreamEnd> {
  const pieces = new StreamPieces(stream, options)
  // Records are copied from the block of the piece they are in (lent, while the block is held,
  // to a sink that copies them itself).
  const decoder = new PieceDecoder(
    options,
    pipelineResolver(options.mapping.resolvePipeline, options.keys),
    options.locate
      ? (start, end, lent) => {
          const b = pieces.block
          return copiedRecord((b.bytes as Uint8Array).subarray(start - b.base, end - b.base), lent)
        }
      : undefined,
  )
  const position = new ChainPosition()
  let last: ReaderPosition = inputStart
  // Whether the rest of the stream was handed over (the threads are stopped then).
  let handedOver = false
  const stopped = async (at: ReaderPosition): Promise<StreamEnd> => {
    handedOver = true
    try {
      await pieces.stop()
    } catch (e) {
      await pieces.close()
      throw e
    }
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
    if (!handedOver)
      try {
        await pieces.stop()
      } finally {
        await pieces.close()
      }
  }
}
