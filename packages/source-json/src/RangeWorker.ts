/**
 * The entry of a thread that reads parts of a split read (see `RangeReader`): the pieces of a
 * file, taken as the thread is free, or the blocks of a stream, as they are sent to it; or of
 * the thread that inflates a gzipped file into such blocks (see `InflatedStream`), or reads a
 * gzipped file whole (see `InflatingFiles`), or inflates one for such a reader (see `GunzipThread`).
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads'
import { cutStream } from './Blocks.js'
import { FindingEncoder } from './FindingWords.js'
import { type GunzipTask, sendGunzipped } from './GunzipThread.js'
import type { InflatedCredit, InflatedMessage } from './InflatedStream.js'
import type { InflatingRead } from './InflatingFiles.js'
import { type InflatingOrder, inflatingReader } from './InflatingReader.js'
import { errorText, gunzipped, readUnchanged } from './Input.js'
import {
  type PieceMessage,
  type PieceTask,
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

type Task =
  | { readonly task: PieceTask; readonly claims: Int32Array; readonly slot?: number; readonly ahead?: number }
  | { readonly blocks: Omit<RangeTask, 'from' | 'ends'>; readonly stop: Int32Array }
  | { readonly inflate: InflateTask }
  | { readonly inflating: InflatingRead }
  | { readonly gunzip: GunzipTask }

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

// Reads gzipped files whole, as they are given (see `InflatingReader`).
const readInflating = (init: InflatingRead): void => {
  // An error it did not expect ends the thread, as one thrown here would.
  const order = inflatingReader(
    init,
    (m, movable) => parentPort?.postMessage(m, [...movable]),
    (e) =>
      process.nextTick(() => {
        throw e
      }),
  )
  parentPort?.on('message', (m: Exclude<InflatingOrder, 'stop'> | 'close') => {
    if (m === 'close') {
      order('stop')
      parentPort?.close()
    } else order(m)
  })
}

const start = (data: Task): void => {
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
  else if ('gunzip' in data) void sendGunzipped(data.gunzip)
  else readPieces(data.task, data.claims, post, data.slot, data.ahead)
}

// A thread started ahead of its task (see `startReadingThreads`) is sent it as its first message.
if ((workerData as { spare?: boolean }).spare === true) parentPort?.once('message', start)
else start(workerData as Task)
