/**
 * The entry of a thread that reads parts of a split read (see `RangeReader`): the pieces of a
 * file, taken as the thread is free, or the blocks of a stream, as they are sent to it.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads'
import { FindingEncoder } from './FindingWords.js'
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

const data = workerData as
  | { readonly task: PieceTask; readonly claims: Int32Array }
  | { readonly blocks: Omit<RangeTask, 'from' | 'ends'>; readonly stop: Int32Array }

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
} else readPieces(data.task, data.claims, post)
