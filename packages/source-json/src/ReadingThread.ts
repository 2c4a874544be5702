/**
 * Starting a thread that runs `RangeWorker`: one place for its entry and its settings.
 *
 * @module
 */
import { Worker } from 'node:worker_threads'
import { reapplyYoungGeneration } from './YoungGeneration.js'

const entry = new URL('./RangeWorker.js', import.meta.url)
// A young generation of 2 MB (see `readingThread`).
const smallYoungLimits = { maxYoungGenerationSizeMb: 2 }

// Threads started before their task (see `startReadingThreads`), each waiting for it, with the
// listener that drops it from here should it fail first.
const spares: Array<{ readonly worker: Worker; readonly drop: () => void }> = []

const started = (worker: Worker): Worker => {
  // The thread's start sets V8's flags back before it runs: once it runs, or has ended (perhaps
  // stopped before it ran), the process's setting is made again.
  worker.once('online', reapplyYoungGeneration)
  worker.once('exit', reapplyYoungGeneration)
  return worker
}

/**
 * Starts `count` reading threads before any read needs them, each waiting for its task: the next
 * reads that start a thread (of the small young generation) take them instead. A thread takes
 * about a tenth of a second to load its modules, which a program can so overlap with loading its
 * own: call it first thing, before importing what it runs. Threads no read takes keep no process
 * alive and cost their memory only.
 *
 * @category configuration
 */
export const startReadingThreads = (count: number): void => {
  for (let i = 0; i < count; i++) {
    const worker = started(
      new Worker(entry, { workerData: { spare: true }, resourceLimits: smallYoungLimits }),
    )
    // One that fails to start is dropped: the read starts a thread of its own, and reports why
    // that one fails, if it does.
    const drop = (): void => {
      const at = spares.findIndex((s) => s.worker === worker)
      if (at >= 0) spares.splice(at, 1)
    }
    worker.on('error', drop)
    worker.on('exit', drop)
    worker.unref()
    spares.push({ worker, drop })
  }
}

/**
 * A reading thread given `data` as its task: a thread started ahead (see
 * {@link startReadingThreads}) when one is waiting, else a new one. `smallYoung`: a young
 * generation of 2 MB, for threads whose garbage is short-lived (the default's room, taken by every
 * thread, would cost more memory than the read itself).
 */
export const readingThread = (data: object, smallYoung = true): Worker => {
  const spare = smallYoung ? spares.shift() : undefined
  if (spare !== undefined) {
    const { worker, drop } = spare
    worker.off('error', drop)
    worker.off('exit', drop)
    worker.ref()
    worker.postMessage(data)
    return worker
  }
  return started(
    new Worker(entry, {
      workerData: data,
      ...(smallYoung ? { resourceLimits: smallYoungLimits } : {}),
    }),
  )
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
