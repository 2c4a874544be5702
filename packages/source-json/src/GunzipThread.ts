/**
 * A gzipped file inflated on a thread of its own, for a reader that parses what it inflates.
 * zlib inflates on libuv's threads, but each MiB it hands over is a turn of the event loop of the
 * thread that drives it: driven by a reader whose steps are long (one that copies the records it
 * counts), zlib waits for every step to end, and the reader for zlib's next MiB. Driven here, by
 * a thread that does nothing else, zlib inflates while the reader parses, up to a bound ahead of
 * it. zlib's output buffers are moved to the reader, not copied; the bytes and the error are
 * those of `gunzipped` on the file, in the same order.
 *
 * @module
 */
import { parentPort } from 'node:worker_threads'
import {
  adoptInflated,
  endsOutputBuffer,
  errorText,
  gunzipped,
  type ResumeAt,
  readUnchanged,
} from './Input.js'
import { readingThread, threadInbox } from './ReadingThread.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The file a gunzip thread inflates: its path, the size of its reads, and (to check that it does
 * not change while read) the file as it was when its read began.
 *
 * @category model
 */
export interface GunzipTask {
  readonly path: string
  readonly chunkSize: number
  readonly resume?: ResumeAt
  /** Inflated bytes sent and not yet taken past which the thread pauses. */
  readonly ahead: number
}

/**
 * What a gunzip thread sends: inflated bytes, the end, or the error that ended the inflating
 * (after every byte `gunzipped` hands over before it); each with the compressed bytes read since
 * the last message.
 *
 * @category model
 */
export type GunzipMessage =
  | { readonly type: 'bytes'; readonly bytes: Uint8Array; readonly raw: number }
  | { readonly type: 'end'; readonly raw: number }
  | { readonly type: 'error'; readonly message: string; readonly raw: number }

// Inflated bytes a thread sends before its reader takes them: enough to cover the longest
// parsing step, which zlib would otherwise wait for.
const aheadBytes = 8 << 20

// -------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------

/**
 * The inflated bytes of the gzipped file `task` names, inflated on a thread of its own, and then
 * the error that ended them, if any (with `gunzipped`'s message); `onRaw` sees the compressed
 * bytes as they are read. Leaving early stops the thread.
 *
 * @category reading
 */
export async function* gunzippedOnThread(
  task: Omit<GunzipTask, 'ahead'>,
  onRaw: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  const worker = readingThread({ gunzip: { ...task, ahead: aheadBytes } satisfies GunzipTask })
  const next = threadInbox<GunzipMessage>(worker, 'inflating thread')
  let ended = false
  try {
    for (;;) {
      const m = await next()
      onRaw(m.raw)
      if (m.type === 'end') {
        ended = true
        return
      }
      if (m.type === 'error') {
        ended = true
        throw new Error(m.message)
      }
      worker.postMessage(m.bytes.byteLength)
      yield adoptInflated(m.bytes)
    }
  } finally {
    // A thread that sent its end closes itself; one left early is told to stop.
    if (!ended) worker.postMessage('stop')
    worker.unref()
  }
}

/**
 * The work of a gunzip thread (run by `RangeWorker`): inflates the file and sends its bytes to
 * the thread that started it, pausing while more than `ahead` bytes are not taken. A full
 * output buffer of zlib's is moved whole; the bytes of one it has not filled are copied (zlib
 * still writes into it), when the next buffer begins or the inflating ends.
 *
 * @category reading
 */
export const sendGunzipped = async ({ path, chunkSize, resume, ahead }: GunzipTask): Promise<void> => {
  const port = parentPort
  if (port === null) return
  let raw = 0
  let held = 0
  let stopped = false
  let wake: (() => void) | undefined
  port.on('message', (m: number | 'stop') => {
    if (m === 'stop') stopped = true
    else held -= m
    wake?.()
  })
  const send = (m: GunzipMessage, moved: ReadonlyArray<ArrayBuffer> = []): void => {
    // Counted before it is sent: a moved buffer is empty here once sent.
    if (m.type === 'bytes') held += m.bytes.byteLength
    port.postMessage(m, moved)
    raw = 0
  }
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of readUnchanged(path, chunkSize, resume)) {
      raw += chunk.length
      yield chunk
    }
  }
  // Chunks of the output buffer zlib is filling, not sent yet.
  let pending: Array<Buffer> = []
  const sendPending = (): void => {
    if (pending.length > 0) send({ type: 'bytes', bytes: Buffer.concat(pending), raw })
    pending = []
  }
  try {
    for await (const chunk of gunzipped(counted())) {
      if (stopped) break
      const buffer = chunk.buffer as ArrayBuffer
      if (pending.length > 0 && (pending[0] as Buffer).buffer !== buffer) sendPending()
      pending.push(chunk)
      if (endsOutputBuffer(chunk)) {
        const from = (pending[0] as Buffer).byteOffset
        pending = []
        send({ type: 'bytes', bytes: new Uint8Array(buffer, from), raw }, [buffer])
      }
      while (held > ahead && !stopped)
        await new Promise<void>((resolve) => {
          wake = resolve
        })
    }
    if (!stopped) {
      sendPending()
      send({ type: 'end', raw })
    }
  } catch (e) {
    sendPending()
    send({ type: 'error', message: errorText(e), raw })
  }
  port.close()
}
