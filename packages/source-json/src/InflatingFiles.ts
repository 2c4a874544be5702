/**
 * Several gzipped export files (a folder of report parts) read at once, a file per reader: each
 * reader takes the next file no reader has taken, reads it, inflates it and reads its records in
 * one pass, from its start (see `InflatingReader`), so nothing is guessed and nothing waits on
 * another file. A reader runs on a thread of its own, or (the first, when asked) on the calling
 * thread. Their findings are still de-duplicated and tallied here in input order: a file's batches
 * wait, compact (words and fingerprints, not bytes), until the files before it are done, and a
 * reader pauses once its waiting batches pass a bound, so memory stays bounded whatever the
 * files' sizes. The readers last the whole read (one walker, memory and dictionary each).
 *
 * A file's thread stops before anything it does not read itself (an invalid record, malformed
 * JSON, a read or gzip error) and says where: the rest of the file is then inflated again here
 * and read in one pass from that position, so errors and their positions come out as in one
 * pass.
 *
 * @module
 */
import { statSync } from 'node:fs'
import type { Finding, InspectorMappingOptions } from '@scantally/core'
import { FindingDecoder } from './FindingWords.js'
import { inflatingReader, type PushedBytes, type RecycledRecords } from './InflatingReader.js'
import { errorText, gunzipped, readUnchanged, startsWithGzipMagic } from './Input.js'
import { type DecodeOptions, PieceDecoder, pipelineResolver } from './PieceDecoder.js'
import type { RangeMessage, RangeTask } from './RangeReader.js'
import { readingThread } from './ReadingThread.js'
import type { StreamEnd } from './StreamSplit.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * How every file is read (the same for all), and how many bytes of a thread's batches may wait
 * to be taken before it pauses: what a thread is started with.
 *
 * @category model
 */
export interface InflatingRead {
  readonly read: Omit<RangeTask, 'from' | 'ends' | 'size' | 'path'>
  readonly ahead: number
}

/**
 * A file given to a thread: its number in the read, and the file as it was when the read began
 * (its size and modification time, checked to the end); without a path, its compressed bytes
 * are sent to the thread (see `PushedBytes`).
 *
 * @category model
 */
export interface InflatingTask {
  readonly file: number
  readonly path?: string
  readonly size: bigint
  readonly mtimeNs: bigint
}

/**
 * A gzipped input of the read (its index among the inputs): a file, read by its thread, or
 * bytes that `open` gives again the same each time it is called (an object pinned to its
 * version), sent to the thread that reads them.
 *
 * @category model
 */
export type InflatingInput =
  | { readonly index: number; readonly path: string }
  | { readonly index: number; readonly open: () => AsyncIterable<Buffer> }

/**
 * What a thread sends: a message of file `file`'s read, with the compressed bytes read since
 * the last and the bytes the message holds (given back as room once taken).
 *
 * @category model
 */
export interface InflatingMessage {
  readonly file: number
  readonly message: RangeMessage
  readonly raw: number
  readonly held: number
}

/**
 * How the readers run: `ahead`, the bytes of a reader's batches that may wait to be taken before
 * it pauses (the files before its file being read; default 24 MiB); `callingThread`, whether the
 * first reader runs on the calling thread rather than on a thread of its own (default `false`).
 *
 * @category model
 */
export interface InflatingOptions {
  readonly ahead?: number
  readonly callingThread?: boolean
}

// Bytes of batches a thread may have waiting, by default.
const aheadBytes = 24 << 20

// Compressed bytes sent to a thread and not yet inflated there, at most: a file sent faster than
// it is read waits here, not in the thread's memory (at 1, 2, 4 and 8 MiB alike fast).
const sentAhead = 2 << 20

// Compressed bytes of a sent file kept for the caller, who tells the file's format from them
// before taking the thread's findings: gunzip's first piece, 1 MiB (see `Input.gunzipped`).
const headBytes = 1 << 20

// -------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------

// A reader (on a thread of its own, or on the calling thread): what it is told by, how it is
// ended, and the dictionary its batches continue, whatever their file.
interface Thread {
  readonly tell: (order: InflatingTask | number | 'close') => void
  /** Sends compressed bytes of a file (their memory moved to the thread). */
  readonly push: (bytes: PushedBytes) => void
  /** Gives back the memory of a batch's copied records, once read. */
  readonly recycle: (records: ArrayBuffer) => void
  readonly end: () => void
  readonly decoder: FindingDecoder
}

/**
 * One file of the read: the messages its thread sent, in order, once it has one.
 *
 * @category reading
 */
export class InflatingFile {
  private readonly arrived: Array<InflatingMessage> = []
  private wake: (() => void) | undefined
  /** The thread reading the file, once it is given to one. */
  thread: Thread | undefined
  /** The error that stopped its thread. */
  broken: Error | undefined
  /** Let go: what its thread still sends is given back as room at once. */
  dropped = false
  /** The file as it was when given to a thread. */
  size = 0n
  mtimeNs = 0n
  /** Read by the caller itself: no thread takes it. */
  passed = false
  /** Whether a thread reads it: settled once its first bytes are seen (a sent file's). */
  given: Promise<boolean> = Promise.resolve(false)
  /** Compressed bytes sent to its thread and not yet inflated there. */
  sent = 0
  // The first compressed bytes of a sent file, kept for the caller (see `head`), and whether
  // they are all there will be (the bytes ended or the room is full).
  private readonly kept: Array<Buffer> = []
  private keptBytes = 0
  private keptAll = false
  /** Whether every compressed byte was kept (a sent file shorter than the kept room). */
  ended = false
  private readonly waiting: Array<() => void> = []

  constructor(
    readonly path: string | undefined,
    readonly open: (() => AsyncIterable<Buffer>) | undefined,
  ) {}

  /** The compressed bytes, from the start, as they were when the read began. */
  compressed(chunkSize: number): AsyncIterable<Buffer> {
    if (this.path === undefined) return (this.open as () => AsyncIterable<Buffer>)()
    return readUnchanged(this.path, chunkSize, { start: 0, size: this.size, mtimeNs: this.mtimeNs })
  }

  /**
   * Keeps a chunk of the first compressed bytes, or notes there are no more to keep; whether
   * the chunk was kept.
   */
  keep(chunk: Buffer | undefined): boolean {
    if (this.keptAll) return false
    const kept = chunk !== undefined && this.keptBytes < headBytes
    if (kept) {
      this.kept.push(chunk)
      this.keptBytes += chunk.length
    } else this.keptAll = true
    this.stir()
    return kept
  }

  /** Notes the bytes ended: all of them were kept if the room was not full. */
  finish(): void {
    if (!this.keptAll) this.ended = true
    this.keep(undefined)
  }

  /** Wakes what waits on the file: the sender for room, the caller for kept bytes. */
  stir(): void {
    for (const w of this.waiting.splice(0)) w()
  }

  /** Waits for the file to change (bytes inflated, kept or dropped). */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  /**
   * A sent file's compressed bytes for the caller to tell its format from: those kept, then,
   * should it read further, the bytes opened again past them (the same bytes).
   */
  async *head(): AsyncGenerator<Buffer> {
    let given = 0
    for (let i = 0; ; i++) {
      while (i === this.kept.length && !this.keptAll && !this.dropped) await this.changed()
      if (i === this.kept.length) break
      const chunk = this.kept[i] as Buffer
      given += chunk.length
      yield chunk
    }
    if (this.ended) return
    let skip = given
    for await (const chunk of this.compressed(0)) {
      if (skip >= chunk.length) {
        skip -= chunk.length
        continue
      }
      yield skip === 0 ? chunk : chunk.subarray(skip)
      skip = 0
    }
  }

  /** A message of its thread, or the thread's error. */
  arrive(m: InflatingMessage | Error): void {
    if (m instanceof Error) this.broken ??= m
    else if (this.dropped) this.giveBack(m)
    else this.arrived.push(m)
    this.wake?.()
    this.wake = undefined
  }

  private giveBack(m: InflatingMessage): void {
    if (m.held > 0) this.thread?.tell(m.held)
  }

  /** The next message, or the error that stopped the thread. */
  async next(): Promise<InflatingMessage | Error> {
    for (;;) {
      const m = this.arrived.shift()
      if (m !== undefined) {
        this.giveBack(m)
        return m
      }
      if (this.broken !== undefined) return this.broken
      await new Promise<void>((resolve) => {
        this.wake = resolve
      })
    }
  }

  /** Lets the file go, however far it was taken. */
  drop(): void {
    this.dropped = true
    for (const m of this.arrived.splice(0)) this.giveBack(m)
    this.kept.length = 0
    this.stir()
  }
}

/**
 * The gzipped files of a read, in input order, read on `parallel` threads (see the module):
 * the threads start when the first file is taken.
 *
 * @category reading
 */
export class InflatingFiles {
  private readonly files: ReadonlyArray<InflatingFile>
  private readonly threads: Array<Thread> = []
  // The next file no thread has been given.
  private next = 0
  private closed = false

  /**
   * `inputs` are the read's inputs' indices that are gzipped files, with their paths; each is
   * read with the settings `read` by one of `parallel` readers (see {@link InflatingOptions}).
   */
  constructor(
    private readonly inputs: ReadonlyArray<InflatingInput>,
    private readonly parallel: number,
    private readonly read: InflatingRead['read'],
    private readonly options: InflatingOptions = {},
  ) {
    this.files = inputs.map((f) =>
      'path' in f ? new InflatingFile(f.path, undefined) : new InflatingFile(undefined, f.open),
    )
  }

  /**
   * The read of input `index`, when it is one of these files and a thread has it (one that
   * could not be looked at, or whose bytes are not gzipped after all, is left to the caller,
   * who reads it and meets its error). A file no thread was given yet is the caller's.
   */
  async take(index: number): Promise<InflatingFile | undefined> {
    const k = this.inputs.findIndex((f) => f.index === index)
    if (k < 0) return undefined
    if (this.threads.length === 0) this.start()
    const file = this.files[k] as InflatingFile
    if (k >= this.next) file.passed = true
    return (await file.given) ? file : undefined
  }

  private start(): void {
    const n = Math.min(this.parallel, this.files.length)
    const init: InflatingRead = { read: this.read, ahead: this.options.ahead ?? aheadBytes }
    for (let j = 0; j < n; j++) {
      const decoder = new FindingDecoder()
      let thread: Thread
      const arrived = (m: InflatingMessage): void => {
        // Learned as sent: the strings of a batch are those its thread first used since its last.
        if (m.message.type === 'batch') decoder.learn(m.message.strings)
        const file = this.files[m.file]
        if (file !== undefined && file.path === undefined && m.raw > 0) {
          file.sent -= m.raw
          file.stir()
        }
        file?.arrive(m)
        // A file read to its end, or to where it stopped: the thread takes the next.
        if (m.message.type !== 'batch') this.give(thread)
      }
      const broke = (e: Error): void => {
        for (const f of this.files) if (f.thread === thread) f.arrive(e)
      }
      if (j === 0 && this.options.callingThread === true) {
        const order = inflatingReader(init, arrived, (e) =>
          broke(e instanceof Error ? e : new Error(String(e))),
        )
        thread = {
          tell: (o) => order(o === 'close' ? 'stop' : o),
          push: (bytes) => order(bytes),
          recycle: (recycled) => order({ recycled }),
          end: () => order('stop'),
          decoder,
        }
      } else {
        const worker = readingThread({ inflating: init })
        thread = {
          tell: (o) => worker.postMessage(o),
          push: (bytes) => worker.postMessage(bytes, 'bytes' in bytes ? [bytes.bytes] : []),
          recycle: (recycled) => worker.postMessage({ recycled } satisfies RecycledRecords, [recycled]),
          end: () => void worker.terminate(),
          decoder,
        }
        worker.on('message', arrived)
        worker.on('error', broke)
        worker.on('exit', (code) => broke(new Error(`reading thread exited (${code})`)))
      }
      this.threads.push(thread)
      this.give(thread)
    }
  }

  // Gives a thread the next file, or lets it end when none is left.
  private give(thread: Thread): void {
    for (; this.next < this.files.length; this.next++) {
      const file = this.files[this.next] as InflatingFile
      if (file.passed) continue
      if (file.path === undefined) {
        file.given = this.send(file, this.next++, thread)
        return
      }
      let s: { size: bigint; mtimeNs: bigint }
      try {
        s = statSync(file.path, { bigint: true })
      } catch {
        continue
      }
      file.size = s.size
      file.mtimeNs = s.mtimeNs
      file.thread = thread
      file.given = Promise.resolve(true)
      const task: InflatingTask = { file: this.next++, path: file.path, size: s.size, mtimeNs: s.mtimeNs }
      thread.tell(task)
      return
    }
    thread.tell('close')
  }

  // Sends file number `k`'s compressed bytes to `thread` as they come, no more than `sentAhead`
  // of them waiting there; settles to whether the thread has it: not when its bytes are not
  // gzipped (nor when they cannot be opened), which the caller reads itself, while the thread
  // takes the next file. An error of the bytes is sent in its place.
  private send(file: InflatingFile, k: number, thread: Thread): Promise<boolean> {
    const it = (file.open as () => AsyncIterable<Buffer>)()[Symbol.asyncIterator]()
    const first: Array<Buffer> = []
    let done = false
    const started = (async (): Promise<boolean> => {
      try {
        for (let n = 0; n < 2 && !done; ) {
          const r = await it.next()
          if (r.done === true) done = true
          else {
            first.push(r.value)
            n += r.value.length
          }
        }
      } catch {
        done = true
      }
      const head = Buffer.concat(first)
      if (head.length < 2 || !startsWithGzipMagic(head)) {
        if (!done) void it.return?.().catch(() => undefined)
        this.give(thread)
        return false
      }
      file.thread = thread
      thread.tell({ file: k, size: 0n, mtimeNs: 0n })
      return true
    })()
    void started.then(async (given) => {
      if (!given) return
      const push = (chunk: Buffer): void => {
        // Moved to the thread: the chunk's memory when it is the chunk's alone and not kept
        // here, else a copy (a chunk may be a view of memory shared with others).
        const owned = chunk.byteOffset === 0 && chunk.length === chunk.buffer.byteLength
        const bytes =
          !file.keep(chunk) && owned ? (chunk.buffer as ArrayBuffer) : new Uint8Array(chunk).buffer
        file.sent += chunk.length
        thread.push({ pushed: k, bytes })
      }
      try {
        for (const chunk of first) push(chunk)
        first.length = 0
        while (!done && !file.dropped && !this.closed) {
          while (file.sent > sentAhead && !file.dropped && !this.closed) {
            // The caller does not wait for kept bytes while the thread does not inflate.
            file.keep(undefined)
            await file.changed()
          }
          const r = await it.next()
          if (r.done === true) done = true
          else push(r.value)
        }
        if (done) {
          file.finish()
          thread.push({ pushed: k, end: true })
        } else if (!this.closed) thread.push({ pushed: k, error: 'let go before its end' })
      } catch (e) {
        file.keep(undefined)
        thread.push({ pushed: k, error: errorText(e) })
      } finally {
        if (!done) await it.return?.()?.catch(() => undefined)
      }
    })
    return started
  }

  /** Ends every thread (the read is over, or left early). */
  close(): void {
    this.closed = true
    for (const f of this.files) f.stir()
    for (const t of this.threads) t.end()
    this.threads.length = 0
  }
}

/**
 * Reads the findings of a file's thread (see the module), de-duplicated and tallied in order;
 * `onRaw` sees the compressed bytes as they are taken. Ends at the end of the file, or stopped
 * where the thread stopped, with the rest of the file's inflated bytes from there on (a read or
 * gzip error is thrown by them, in its place).
 *
 * @category reading
 */
export async function* readInflatingFile(
  file: InflatingFile,
  options: DecodeOptions & { readonly mapping: InspectorMappingOptions },
  chunkSize: number,
  onRaw: (bytes: number) => void,
): AsyncGenerator<Array<Finding>, StreamEnd> {
  const decoder = new PieceDecoder(options, pipelineResolver(options.mapping.resolvePipeline), undefined)
  let counted = 0
  try {
    for (;;) {
      const m = await file.next()
      if (m instanceof Error) throw m
      counted += m.raw
      onRaw(m.raw)
      const message = m.message
      if (message.type === 'batch') {
        const thread = file.thread as Thread
        const out = decoder.decode(message, thread.decoder)
        // Records lent to a sink are copied by it at once, and else copied out: none is still read.
        if (message.records !== undefined) thread.recycle(message.records.buffer as ArrayBuffer)
        if (out.length > 0) yield out
      } else if (message.type === 'eof') return { end: 'eof', sawValue: message.sawValue }
      else if (message.type === 'stopped') {
        const at = message.at
        const rest = inflatedFrom(file, at.offset, chunkSize, counted, onRaw)
        return { end: 'stopped', at, position: options.tally.read, rest }
      } else throw new Error('a file read on one thread met a boundary')
    }
  } finally {
    file.drop()
  }
}

// The file's inflated bytes from `offset` on, the file checked to be the one the thread read;
// compressed bytes past the `counted` ones the thread saw are counted.
async function* inflatedFrom(
  file: InflatingFile,
  offset: number,
  chunkSize: number,
  counted: number,
  onRaw: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  let raw = 0
  async function* compressed(): AsyncGenerator<Buffer> {
    for await (const chunk of file.compressed(chunkSize)) {
      const before = raw
      raw += chunk.length
      if (raw > counted) onRaw(raw - Math.max(before, counted))
      yield chunk
    }
  }
  let skip = offset
  for await (const chunk of gunzipped(compressed())) {
    if (skip >= chunk.length) {
      skip -= chunk.length
      continue
    }
    yield skip === 0 ? chunk : chunk.subarray(skip)
    skip = 0
  }
}
