/**
 * The reader of gzipped files read whole (see `InflatingFiles`): each file, as it is given,
 * inflated as it is read and its records read as the inflated bytes arrive, with one walker and
 * one dictionary for every file; paused while the batches sent and not yet taken pass a bound.
 * It runs on a reading thread of its own (see `RangeWorker`), or on the calling thread when a
 * thread of its own would only take turns with the inflating thread for the same cores.
 *
 * @module
 */
import { FindingEncoder } from './FindingWords.js'
import { gunzippedOnThread } from './GunzipThread.js'
import type { InflatingMessage, InflatingRead, InflatingTask } from './InflatingFiles.js'
import {
  errorText,
  eventLoopTurn,
  gunzipped,
  type ResumeAt,
  readUnchanged,
  releaseInflated,
} from './Input.js'
import {
  type ArrivingBytes,
  type RangeMessage,
  type RangeTask,
  RecordMemory,
  rangeRecord,
  startRange,
} from './RangeReader.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a reader is told: a file to read (read after those given before it), the compressed
 * bytes of a file it is sent rather than reads itself, bytes of its batches taken (room again),
 * memory of a batch's copied records given back, or to stop (what it is reading is left, its
 * file closed).
 *
 * @category model
 */
export type InflatingOrder = InflatingTask | PushedBytes | number | RecycledRecords | 'stop'

/**
 * Compressed bytes of file `pushed` (a task without a path), in order: a chunk, the end, or the
 * error that ended them (read as the file's own read error would be).
 *
 * @category model
 */
export type PushedBytes =
  | { readonly pushed: number; readonly bytes: ArrayBuffer }
  | { readonly pushed: number; readonly end: true }
  | { readonly pushed: number; readonly error: string }

/**
 * The memory of a batch's copied records, back from the thread that took the batch.
 *
 * @category model
 */
export interface RecycledRecords {
  readonly recycled: ArrayBuffer
}

/**
 * Where a reader sends its messages, with the buffers of a batch that may be moved (not copied)
 * to another thread.
 *
 * @category model
 */
export type InflatingSend = (m: InflatingMessage, movable: ReadonlyArray<ArrayBuffer>) => void

// -------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------

// The bytes a message holds, as counted against the bound: a batch's words, fingerprints,
// ranges, new strings and copied records (the whole memory they are in).
const heldBytes = (m: RangeMessage): number =>
  m.type !== 'batch'
    ? 0
    : m.words.byteLength +
      m.prints.byteLength +
      m.spans.byteLength +
      (m.records?.buffer.byteLength ?? 0) +
      2 * m.strings.reduce((n, s) => n + s.length, 0)

// The memory of a batch that is moved to the thread that takes it, not copied.
const movable = (m: RangeMessage): Array<ArrayBuffer> =>
  m.type !== 'batch'
    ? []
    : [
        m.words.buffer as ArrayBuffer,
        m.prints.buffer as ArrayBuffer,
        ...(m.records === undefined ? [] : [m.records.buffer as ArrayBuffer]),
      ]

// A stream's inflated chunks waiting to be read.
class Arriving implements ArrivingBytes {
  private readonly chunks: Array<Buffer> = []
  waiting = 0
  ended = false

  push(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.waiting += chunk.length
  }

  take(target: Buffer, at: number, length: number): number {
    let n = 0
    while (n < length && this.chunks.length > 0) {
      const c = this.chunks[0] as Buffer
      const k = Math.min(c.length, length - n)
      c.copy(target, at + n, 0, k)
      n += k
      if (k === c.length) {
        this.chunks.shift()
        releaseInflated(c)
      } else this.chunks[0] = c.subarray(k)
    }
    this.waiting -= n
    return n
  }
}

// The compressed bytes a file is sent in (see `PushedBytes`), as they arrive.
class Pushed implements AsyncIterable<Buffer> {
  private readonly chunks: Array<Buffer> = []
  private ended = false
  private error: string | undefined
  private wake: (() => void) | undefined

  take(order: PushedBytes): void {
    if ('bytes' in order) this.chunks.push(Buffer.from(order.bytes))
    else if ('end' in order) this.ended = true
    else this.error = order.error
    this.wake?.()
    this.wake = undefined
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for (;;) {
      const chunk = this.chunks.shift()
      if (chunk !== undefined) yield chunk
      else if (this.error !== undefined) throw new Error(this.error)
      else if (this.ended) return
      else
        await new Promise<void>((resolve) => {
          this.wake = resolve
        })
    }
  }
}

// Driven by the reading thread itself, zlib starts inflating its next MiB only in a turn of the
// thread's event loop, which a step of reading holds up: the reader then reads in steps of this
// many bytes and lets the loop turn after each, so that zlib waits at most a short step and
// inflates while the reader reads. In steps of a MiB with no turn between them, the calling
// thread reading a gzipped million findings sat idle, waiting for zlib, 0.6 to 1.1 s of 4 to 5.
const drivingStep = 256 << 10

// A file's inflated bytes. A reader that copies the records it counts (`serve`) takes long
// steps, which zlib, driven by the same thread, would wait for: zlib then runs on a thread of
// its own (a million gzipped findings loaded 6 to 10% sooner, by the median). One that does not
// copy is bound by its parsing and gained nothing measurable from it, for a thread more per file
// (25 to 45 MB).
// A file sent rather than read (`pushed`) is inflated here whatever the reader: GunzipThread
// reads a file by its path.
const inflatedFile = (
  path: string,
  pushed: Pushed | undefined,
  chunkSize: number,
  resume: ResumeAt,
  apart: boolean,
  onRaw: (bytes: number) => void,
): AsyncIterable<Buffer> => {
  if (apart && pushed === undefined) return gunzippedOnThread({ path, chunkSize, resume }, onRaw)
  async function* compressed(): AsyncGenerator<Buffer> {
    for await (const chunk of pushed ?? readUnchanged(path, chunkSize, resume)) {
      onRaw(chunk.length)
      yield chunk
    }
  }
  return gunzipped(compressed())
}

/**
 * A reader of gzipped files with the settings `read`, pausing while more than `ahead` bytes of
 * its batches are not taken; its messages go to `send`, and an error it did not expect (a read's
 * own errors are messages) to `failed`. Gives the function that takes its orders.
 *
 * @category reading
 */
export const inflatingReader = (
  { read, ahead }: InflatingRead,
  send: InflatingSend,
  failed: (e: unknown) => void,
): ((order: InflatingOrder) => void) => {
  const fast = rangeRecord({ ...read, path: '', size: 0 })
  const encoder = new FindingEncoder()
  const memory = new RecordMemory()
  const tasks: Array<InflatingTask> = []
  // The compressed bytes of files sent rather than read, by file, from their task on.
  const pushed = new Map<number, Pushed>()
  let reading = false
  let stopped = false
  let held = 0
  let wake: (() => void) | undefined
  const room = async (): Promise<void> => {
    while (held > ahead && !stopped)
      await new Promise<void>((resolve) => {
        wake = resolve
      })
  }
  const readFile = async (task: InflatingTask): Promise<void> => {
    let raw = 0
    const post = (message: RangeMessage): void => {
      const size = heldBytes(message)
      held += size
      send({ file: task.file, message, raw, held: size }, movable(message))
      raw = 0
    }
    // zlib runs on a thread of its own for a reader that copies records (see `inflatedFile`), and
    // on this one's event loop otherwise.
    const sent = pushed.get(task.file)
    const apart = read.copyRecords === true && sent === undefined
    const range: RangeTask = {
      ...read,
      path: task.path ?? '',
      size: Number.POSITIVE_INFINITY,
      ends: [],
      chunkSize: apart ? read.chunkSize : Math.min(read.chunkSize, drivingStep),
    }
    const arriving = new Arriving()
    const run = startRange(range, post, fast, encoder, arriving, memory)
    try {
      let going = true
      const resume = { start: 0, size: task.size, mtimeNs: task.mtimeNs }
      const onRaw = (n: number): void => {
        raw += n
      }
      for await (const chunk of inflatedFile(task.path ?? '', sent, read.chunkSize, resume, apart, onRaw)) {
        arriving.push(chunk)
        while (going && arriving.waiting >= run.wants()) {
          await room()
          going = !stopped && run.step()
          if (!apart) await eventLoopTurn()
        }
        if (!going || stopped) break
      }
      arriving.ended = true
      while (going) {
        await room()
        going = !stopped && run.step()
      }
    } catch (e) {
      run.abandon(errorText(e))
    } finally {
      pushed.delete(task.file)
    }
  }
  return (order) => {
    if (order === 'stop') {
      stopped = true
      tasks.length = 0
      // A file waiting for bytes that will not come ends (it is left unread).
      for (const [file, bytes] of pushed) bytes.take({ pushed: file, end: true })
      wake?.()
      return
    }
    if (typeof order === 'number') {
      held -= order
      wake?.()
      return
    }
    if ('recycled' in order) {
      memory.give(new Uint8Array(order.recycled))
      return
    }
    if ('pushed' in order) {
      pushed.get(order.pushed)?.take(order)
      return
    }
    if (stopped) return
    if (order.path === undefined) pushed.set(order.file, new Pushed())
    tasks.push(order)
    if (reading) return
    reading = true
    void (async () => {
      for (let t = tasks.shift(); t !== undefined; t = tasks.shift()) await readFile(t)
      reading = false
    })().catch(failed)
  }
}
