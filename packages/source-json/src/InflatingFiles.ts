/**
 * Several gzipped export files (a folder of report parts) read at once, one thread each: a
 * file's thread reads, inflates and reads its records in one pass, from its start, so nothing
 * is guessed and nothing waits on another file. Their findings are still de-duplicated and
 * tallied here in input order: a file's batches wait, compact (words and fingerprints, not
 * bytes), until the files before it are done, and a thread pauses once its waiting batches
 * pass a bound, so memory stays bounded whatever the files' sizes.
 *
 * A file's thread stops before anything it does not read itself (an invalid record, malformed
 * JSON, a read or gzip error) and says where: the rest of the file is then inflated again here
 * and read in one pass from that position, so errors and their positions come out as in one
 * pass.
 *
 * @module
 */
import { statSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import type { Finding, InspectorMappingOptions } from '@scantally/core'
import { FindingDecoder } from './FindingWords.js'
import { gunzipped, readUnchanged } from './Input.js'
import { type DecodeOptions, PieceDecoder, pipelineResolver } from './PieceDecoder.js'
import type { RangeBatch, RangeMessage, RangeTask } from './RangeReader.js'
import type { StreamEnd } from './StreamSplit.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a file's thread is given: the file, as it was when its read began (its size and
 * modification time, checked to the end), how to read its records, and how many bytes of
 * batches may wait to be taken before it pauses.
 *
 * @category model
 */
export interface InflatingTask {
  readonly path: string
  readonly size: bigint
  readonly mtimeNs: bigint
  readonly read: Omit<RangeTask, 'from' | 'ends' | 'size' | 'path'>
  readonly ahead: number
}

/**
 * What a file's thread sends: a message of its read, with the compressed bytes read since the
 * last and the bytes the message holds (what it is given back as room once taken).
 *
 * @category model
 */
export interface InflatingMessage {
  readonly message: RangeMessage
  readonly raw: number
  readonly held: number
}

/**
 * The settings of a file's read (see {@link InflatingTask}), the same for every file.
 *
 * @category model
 */
export type InflatingRead = InflatingTask['read']

/**
 * The bytes a batch holds, as counted against a thread's bound.
 *
 * @category model
 */
export const heldBytes = (m: RangeBatch): number =>
  m.words.byteLength +
  m.prints.byteLength +
  m.spans.byteLength +
  2 * m.strings.reduce((n, s) => n + s.length, 0)

// Bytes of batches a file's thread may have waiting (the files before it being read).
const aheadBytes = 24 << 20

// -------------------------------------------------------------------------------------
// one file
// -------------------------------------------------------------------------------------

/**
 * A file's thread and the messages it sent, in order, with the dictionary they continue.
 *
 * @category reading
 */
export class FileThread {
  private readonly worker: Worker
  private readonly arrived: Array<InflatingMessage> = []
  private broken: Error | undefined
  private ended = false
  private wake: (() => void) | undefined
  readonly decoder = new FindingDecoder()
  readonly size: bigint
  readonly mtimeNs: bigint

  /**
   * Starts reading the file at `path` (taken as it is now) with the settings `read`, pausing
   * while more than `ahead` bytes of batches wait to be taken.
   */
  constructor(
    readonly path: string,
    read: InflatingRead,
    ahead: number,
  ) {
    const s = statSync(path, { bigint: true })
    this.size = s.size
    this.mtimeNs = s.mtimeNs
    const task: InflatingTask = { path, size: s.size, mtimeNs: s.mtimeNs, read, ahead }
    this.worker = new Worker(new URL('./RangeWorker.js', import.meta.url), {
      workerData: { inflating: task },
      resourceLimits: { maxYoungGenerationSizeMb: 2 },
    })
    this.worker.on('message', (m: InflatingMessage) => {
      // Learned as sent: the strings of a batch are those its thread first used since its last.
      if (m.message.type === 'batch') this.decoder.learn(m.message.strings)
      else this.ended = true
      this.arrived.push(m)
      this.notify()
    })
    this.worker.on('error', (e) => {
      this.broken ??= e
      this.notify()
    })
    this.worker.on('exit', (code) => {
      if (!this.ended) this.broken ??= new Error(`reading thread exited (${code})`)
      this.notify()
    })
  }

  private notify(): void {
    this.wake?.()
    this.wake = undefined
  }

  /** The next message, or the error that stopped the thread. */
  async next(): Promise<InflatingMessage | Error> {
    for (;;) {
      const m = this.arrived.shift()
      if (m !== undefined) {
        if (m.held > 0) this.worker.postMessage(m.held)
        return m
      }
      if (this.broken !== undefined) return this.broken
      await new Promise<void>((resolve) => {
        this.wake = resolve
      })
    }
  }

  /** Ends the thread, however far it got. */
  close(): void {
    void this.worker.terminate()
  }
}

// -------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------

/**
 * The gzipped files of a read, in input order, each read on a thread of its own, `parallel`
 * at a time: taking a file's read starts the threads of the files after it, up to that many.
 *
 * @category reading
 */
export class InflatingFiles {
  private readonly threads: Array<FileThread | undefined> = []
  private next = 0

  /**
   * `inputs` are the read's inputs' indices that are gzipped files, with their paths; each is
   * read with the settings `read`, its thread pausing while more than `ahead` bytes of its
   * batches wait to be taken.
   */
  constructor(
    private readonly inputs: ReadonlyArray<{ readonly index: number; readonly path: string }>,
    private readonly parallel: number,
    private readonly read: InflatingRead,
    private readonly ahead = aheadBytes,
  ) {}

  /** The thread reading input `index`, when it is one of these files; started now if it was not. */
  take(index: number): FileThread | undefined {
    const k = this.inputs.findIndex((f) => f.index === index)
    if (k < 0) return undefined
    for (; this.next < Math.min(k + this.parallel, this.inputs.length); this.next++)
      this.threads[this.next] = new FileThread(
        (this.inputs[this.next] as { path: string }).path,
        this.read,
        this.ahead,
      )
    const thread = this.threads[k]
    this.threads[k] = undefined
    return thread
  }

  /** Ends every thread not taken (the read stopped early). */
  close(): void {
    for (const t of this.threads) t?.close()
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
  thread: FileThread,
  options: DecodeOptions & { readonly mapping: InspectorMappingOptions },
  chunkSize: number,
  onRaw: (bytes: number) => void,
): AsyncGenerator<Array<Finding>, StreamEnd> {
  const decoder = new PieceDecoder(options, pipelineResolver(options.mapping.resolvePipeline), undefined)
  let counted = 0
  try {
    for (;;) {
      const m = await thread.next()
      if (m instanceof Error) throw m
      counted += m.raw
      onRaw(m.raw)
      const message = m.message
      if (message.type === 'batch') {
        const out = decoder.decode(message, thread.decoder)
        if (out.length > 0) yield out
      } else if (message.type === 'eof') return { end: 'eof', sawValue: message.sawValue }
      else if (message.type === 'stopped') {
        const at = message.at
        const rest = inflatedFrom(thread, at.offset, chunkSize, counted, onRaw)
        return { end: 'stopped', at, position: options.tally.read, rest }
      } else throw new Error('a file read on one thread met a boundary')
    }
  } finally {
    thread.close()
  }
}

// The file's inflated bytes from `offset` on, the file checked to be the one the thread read;
// compressed bytes past the `counted` ones the thread saw are counted.
async function* inflatedFrom(
  thread: FileThread,
  offset: number,
  chunkSize: number,
  counted: number,
  onRaw: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  let raw = 0
  async function* compressed(): AsyncGenerator<Buffer> {
    const resume = { start: 0, size: thread.size, mtimeNs: thread.mtimeNs }
    for await (const chunk of readUnchanged(thread.path, chunkSize, resume)) {
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
