/**
 * The entry of a thread that reads pieces of a split read (see `RangeReader`).
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads'
import { type PieceTask, readPieces } from './RangeReader.js'

const { task, claims } = workerData as { task: PieceTask; claims: Int32Array }
readPieces(task, claims, (m) => {
  const { message } = m
  parentPort?.postMessage(
    m,
    message.type === 'batch'
      ? [message.words.buffer as ArrayBuffer, message.prints.buffer as ArrayBuffer]
      : [],
  )
})
