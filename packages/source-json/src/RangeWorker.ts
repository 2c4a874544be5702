/**
 * The entry of a thread that reads one part of a split read (see `RangeReader`).
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads'
import { type RangeTask, readRange } from './RangeReader.js'

readRange(workerData as RangeTask, (m) =>
  parentPort?.postMessage(
    m,
    m.type === 'batch'
      ? [m.words.buffer as ArrayBuffer, m.prints.buffer as ArrayBuffer, m.combinations.buffer as ArrayBuffer]
      : [],
  ),
)
