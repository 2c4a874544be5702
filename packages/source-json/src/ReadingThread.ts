/**
 * Starting a thread that runs `RangeWorker`: one place for its entry and its settings.
 *
 * @module
 */
import { Worker } from 'node:worker_threads'
import { reapplyYoungGeneration } from './YoungGeneration.js'

/**
 * A new reading thread given `data` as its task. `smallYoung`: a young generation of 2 MB, for
 * threads whose garbage is short-lived (the default's room, taken by every thread, would cost
 * more memory than the read itself).
 */
export const readingThread = (data: object, smallYoung = true): Worker => {
  const worker = new Worker(new URL('./RangeWorker.js', import.meta.url), {
    workerData: data,
    ...(smallYoung ? { resourceLimits: { maxYoungGenerationSizeMb: 2 } } : {}),
  })
  // The thread's start sets V8's flags back before it runs: once it runs, or has ended (perhaps
  // stopped before it ran), the process's setting is made again.
  worker.once('online', reapplyYoungGeneration)
  worker.once('exit', reapplyYoungGeneration)
  return worker
}
