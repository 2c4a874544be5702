// Reading threads started ahead of their task (`startReadingThreads`): the next read takes them,
// reads with them as with threads of its own, and a thread no read takes keeps no process alive.
import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import test from 'ava'
import * as E from 'fp-ts/lib/Either.js'
import { inspectorNdjson, tempDir } from './exports.test.util.js'
import { collectFindings } from './ReadFindings.js'
import { readingThread, startReadingThreads } from './ReadingThread.js'

// A thread that ends at once: its id tells threads started before it from those started after.
const idOfAThreadStartedNow = async (): Promise<number> => {
  const probe = new Worker('', { eval: true })
  const id = probe.threadId
  await once(probe, 'exit')
  return id
}

// A task a reading thread waits on until told to close (one of `RangeWorker`'s tasks).
const idleTask = (path: string): object => ({
  blocks: { path, size: 0, chunkSize: 1024, findingArns: false },
  stop: new Int32Array(new SharedArrayBuffer(4)),
})

test.serial('the next reading thread asked for is the one started ahead, and does its task', async (t) => {
  const path = join(await tempDir(), 'empty.ndjson')
  await writeFile(path, '')
  startReadingThreads(1)
  const later = await idOfAThreadStartedNow()
  const taken = readingThread(idleTask(path))
  t.true(taken.threadId < later, `thread ${taken.threadId} was started after thread ${later}`)
  // It runs the task it was sent: told to close, it ends of itself.
  taken.postMessage('close')
  const [code] = await once(taken, 'exit')
  t.is(code, 0)
  // None is waiting now: the next one is started anew.
  const fresh = readingThread(idleTask(path))
  t.true(fresh.threadId > later)
  fresh.postMessage('close')
  await once(fresh, 'exit')
})

test.serial(
  'a split read whose threads were started ahead gives the one-thread read’s findings in order',
  async (t) => {
    const path = join(await tempDir(), 'findings.ndjson')
    await writeFile(path, inspectorNdjson(3000))
    const alone = await collectFindings([path], { workers: 1, splitBytes: 0 })()
    startReadingThreads(2)
    const split = await collectFindings([path], { workers: 3, splitBytes: 0, chunkSize: 4096 })()
    if (E.isLeft(alone) || E.isLeft(split)) return t.fail('a read failed')
    t.is(split.right.value.length, 3000)
    t.deepEqual(split.right.value, alone.right.value)
    t.deepEqual(split.right.report, alone.right.report)
  },
)

test('threads started ahead that no read takes keep no process alive', async (t) => {
  // A script file, not `--eval`: threads take the process's flags, and `--input-type` fails them.
  const dir = await tempDir()
  const script = join(dir, 'start.mjs')
  const empty = join(dir, 'empty.ndjson')
  await writeFile(empty, '')
  const module = new URL('./ReadingThread.js', import.meta.url).href
  // Of two threads started alike, one is taken and runs its task (so they do run); the other,
  // never taken, must let the process end once the first has.
  await writeFile(
    script,
    `import { readingThread, startReadingThreads } from ${JSON.stringify(module)}
startReadingThreads(2)
setTimeout(() => {
  const task = { path: ${JSON.stringify(empty)}, size: 0, chunkSize: 1024, findingArns: false }
  const taken = readingThread({ blocks: task, stop: new Int32Array(new SharedArrayBuffer(4)) })
  taken.once('exit', (code) => console.log('the taken thread ended with', code))
  taken.postMessage('close')
}, 500)
`,
  )
  const run = await new Promise<{ code: number | null; stdout: string }>((resolve) =>
    execFile(process.execPath, [script], { timeout: 60_000 }, (error, stdout) =>
      resolve({ code: error === null ? 0 : (error.code as number | null), stdout }),
    ),
  )
  t.is(run.stdout.trim(), 'the taken thread ended with 0')
  t.is(run.code, 0)
})
