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

/**
 * The messages `worker` sends, taken in the order sent: the function given waits for the next
 * one, and once every message sent before it is taken, throws the thread's error, or that it
 * exited (`name` saying which thread).
 */
export const threadInbox = <M>(worker: Worker, name: string): (() => Promise<M>) => {
  const arrived: Array<M> = []
  let broken: Error | undefined
  let wake: (() => void) | undefined
  const notify = (): void => {
    wake?.()
    wake = undefined
  }
  worker.on('message', (m: M) => {
    arrived.push(m)
    notify()
  })
  worker.on('error', (e) => {
    broken ??= e
    notify()
  })
  worker.on('exit', (code) => {
    broken ??= new Error(`${name} exited (${code})`)
    notify()
  })
  return async () => {
    for (;;) {
      if (arrived.length > 0) return arrived.shift() as M
      if (broken !== undefined) throw broken
      await new Promise<void>((resolve) => {
        wake = resolve
      })
    }
  }
}
