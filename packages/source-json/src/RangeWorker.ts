/**
 * The entry of a thread that reads parts of a split read (see `RangeReader`): the pieces of a
 * file, taken as the thread is free, or the blocks of a stream, as they are sent to it; or of
 * the thread that inflates a gzipped file into such blocks (see `InflatedStream`), or reads a
 * gzipped file whole (see `InflatingFiles`).
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads'
import { cutStream } from './Blocks.js'
import { FindingEncoder } from './FindingWords.js'
import type { InflatedCredit, InflatedMessage } from './InflatedStream.js'
import { heldBytes, type InflatingMessage, type InflatingRead, type InflatingTask } from './InflatingFiles.js'
import { errorText, gunzipped, readUnchanged, releaseInflated } from './Input.js'
import {
  type ArrivingBytes,
  type PieceMessage,
  type PieceTask,
  type RangeMessage,
  type RangeTask,
  rangeRecord,
  readPieces,
  startRange,
} from './RangeReader.js'
import type { ReturnedBlock } from './StreamSplit.js'

const post = (m: PieceMessage): void => {
  const { message } = m
  parentPort?.postMessage(
    m,
    message.type === 'batch'
      ? [message.words.buffer as ArrayBuffer, message.prints.buffer as ArrayBuffer]
      : [],
  )
}

const data = workerData as
  | { readonly task: PieceTask; readonly claims: Int32Array; readonly slot?: number; readonly ahead?: number }
  | { readonly blocks: Omit<RangeTask, 'from' | 'ends'>; readonly stop: Int32Array }
  | { readonly inflate: InflateTask }
  | { readonly inflating: InflatingRead }

interface InflateTask {
  readonly path: string
  readonly chunkSize: number
  readonly blockBytes: number
  readonly ahead: number
}

// Inflates and cuts a gzipped file (see `InflatedStream`), sending a part whenever there is
// room for one.
const inflate = async ({ path, chunkSize, blockBytes, ahead }: InflateTask): Promise<void> => {
  let raw = 0
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of readUnchanged(path, chunkSize)) {
      raw += chunk.length
      yield chunk
    }
  }
  const stream = cutStream(gunzipped(counted()), blockBytes)
  let credits = ahead
  let wake: (() => void) | undefined
  parentPort?.on('message', (m: InflatedCredit) => {
    if (m.recycled !== undefined) stream.recycle(m.recycled)
    else credits++
    wake?.()
  })
  const send = (m: InflatedMessage, transfer: ReadonlyArray<ArrayBuffer> = []): void => {
    parentPort?.postMessage(m, transfer)
    raw = 0
  }
  try {
    for (let r = await stream.parts.next(); r.done !== true; r = await stream.parts.next()) {
      while (credits === 0)
        await new Promise<void>((resolve) => {
          wake = resolve
        })
      credits--
      const part = r.value
      // A block's memory is its own; bytes after the blocks may share zlib's, so are copied.
      send({ type: 'part', part, raw }, part.type === 'block' ? [part.bytes.buffer as ArrayBuffer] : [])
    }
    send({ type: 'end', raw })
  } catch (e) {
    send({ type: 'error', message: errorText(e), raw })
  }
}

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

// Reads gzipped files whole, as they are given (see `InflatingFiles`), with one reader and one
// dictionary for all: each inflated as it is read, its records read as the inflated bytes
// arrive; paused while the batches sent and not yet taken pass the bound.
const readInflating = ({ read, ahead }: InflatingRead): void => {
  const fast = rangeRecord({ ...read, path: '', size: 0 })
  const encoder = new FindingEncoder()
  const tasks: Array<InflatingTask> = []
  let reading = false
  let held = 0
  let wake: (() => void) | undefined
  const room = async (): Promise<void> => {
    while (held > ahead)
      await new Promise<void>((resolve) => {
        wake = resolve
      })
  }
  const readFile = async (task: InflatingTask): Promise<void> => {
    let raw = 0
    const post = (message: RangeMessage): void => {
      const size = message.type === 'batch' ? heldBytes(message) : 0
      held += size
      parentPort?.postMessage(
        { file: task.file, message, raw, held: size } satisfies InflatingMessage,
        message.type === 'batch'
          ? [message.words.buffer as ArrayBuffer, message.prints.buffer as ArrayBuffer]
          : [],
      )
      raw = 0
    }
    async function* compressed(): AsyncGenerator<Buffer> {
      const resume = { start: 0, size: task.size, mtimeNs: task.mtimeNs }
      for await (const chunk of readUnchanged(task.path, read.chunkSize, resume)) {
        raw += chunk.length
        yield chunk
      }
    }
    const range: RangeTask = { ...read, path: task.path, size: Number.POSITIVE_INFINITY, ends: [] }
    const arriving = new Arriving()
    const run = startRange(range, post, fast, encoder, arriving)
    try {
      let going = true
      for await (const chunk of gunzipped(compressed())) {
        arriving.push(chunk)
        while (going && arriving.waiting >= run.wants()) {
          await room()
          going = run.step()
        }
        if (!going) break
      }
      arriving.ended = true
      while (going) {
        await room()
        going = run.step()
      }
    } catch (e) {
      run.abandon(errorText(e))
    }
  }
  parentPort?.on('message', (m: InflatingTask | number | 'close') => {
    if (m === 'close') return parentPort?.close()
    if (typeof m === 'number') {
      held -= m
      wake?.()
      return
    }
    tasks.push(m)
    if (reading) return
    reading = true
    void (async () => {
      for (let t = tasks.shift(); t !== undefined; t = tasks.shift()) await readFile(t)
      reading = false
    })()
  })
}

if ('blocks' in data) {
  // One reader and one dictionary for every block this thread is sent, read in the order sent;
  // each block is handed back once read, or unread once the chain has stopped.
  const fast = rangeRecord(data.blocks)
  const encoder = new FindingEncoder()
  parentPort?.on('message', (m: { piece: number; task: RangeTask } | 'close') => {
    // The read is over: the thread ends of itself (a thread ended from outside while idle may
    // leave threads started meanwhile stuck in loading their modules).
    if (m === 'close') return parentPort?.close()
    const { piece, task } = m
    if (Atomics.load(data.stop, 0) === 0) {
      const run = startRange(task, (message) => post({ piece, message }), fast, encoder)
      while (run.step());
      run.close()
    }
    const returned = task.block?.bytes as Uint8Array
    parentPort?.postMessage({ piece, returned } satisfies ReturnedBlock, [returned.buffer as ArrayBuffer])
  })
} else if ('inflate' in data) void inflate(data.inflate)
else if ('inflating' in data) void readInflating(data.inflating)
else readPieces(data.task, data.claims, post, data.slot, data.ahead)
