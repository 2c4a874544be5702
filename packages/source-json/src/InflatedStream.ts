/**
 * A gzipped export file cut into blocks (see `Blocks`) on a thread of its own: it reads,
 * inflates and cuts, and hands each part over to this thread, whose time then goes to chaining
 * what the reader threads count. Inflating waits on this thread's event loop no longer, and its
 * buffers' garbage is that thread's. Parts are moved, not copied; blocks read by then come back
 * to be gathered into again, and at most a few parts wait to be taken.
 *
 * @module
 */
import type { CutStream, StreamPart } from './Blocks.js'
import { readingThread, threadInbox } from './ReadingThread.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What the inflating thread sends: a part, with the compressed bytes read since the last;
 * the end; or the error that ended the stream (after every part before it).
 *
 * @category model
 */
export type InflatedMessage =
  | { readonly type: 'part'; readonly part: StreamPart; readonly raw: number }
  | { readonly type: 'end'; readonly raw: number }
  | { readonly type: 'error'; readonly message: string; readonly raw: number }

/**
 * What this thread sends the inflating one: room for one more part, with a block's memory to
 * gather into again when one came back.
 *
 * @category model
 */
export interface InflatedCredit {
  readonly recycled?: Uint8Array
}

// Parts sent ahead of being taken.
const partsAhead = 2

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The blocks of the gzipped file at `path`, cut to about `blockBytes` on an inflating thread;
 * `onRaw` sees the compressed bytes as they are read. Leaving the parts early ends the thread.
 *
 * @category constructors
 */
export const inflatedStream = (
  path: string,
  chunkSize: number,
  blockBytes: number,
  onRaw: (bytes: number) => void,
): CutStream => {
  const worker = readingThread({ inflate: { path, chunkSize, blockBytes, ahead: partsAhead } }, false)
  const next = threadInbox<InflatedMessage>(worker, 'inflating thread')
  async function* parts(): AsyncGenerator<StreamPart> {
    try {
      for (;;) {
        const m = await next()
        onRaw(m.raw)
        if (m.type === 'end') return
        if (m.type === 'error') throw new Error(m.message)
        worker.postMessage({} satisfies InflatedCredit)
        // A Buffer again over the bytes (a message hands over a plain Uint8Array).
        const b = m.part.bytes
        yield { ...m.part, bytes: Buffer.from(b.buffer, b.byteOffset, b.length) }
      }
    } finally {
      void worker.terminate()
    }
  }
  return {
    parts: parts(),
    recycle: (bytes) => {
      worker.postMessage({ recycled: bytes } satisfies InflatedCredit, [bytes.buffer as ArrayBuffer])
    },
  }
}
