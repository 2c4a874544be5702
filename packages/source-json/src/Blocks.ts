/**
 * A stream cut into blocks for reading on several threads: its bytes gathered until a block's
 * worth, then cut at the last guessed record start (see `RecordStarts`), each block carrying
 * the first byte of the next record, where the piece reading it stops. A stream whose records
 * cannot be found, or with a record longer than a block may grow, is handed over as it comes
 * from there on (`rest` parts), to be read in one pass; so is one shorter than a block. A read
 * error of the stream is thrown after every byte that came before it.
 *
 * @module
 */

import { releaseInflated } from './Input.js'
import { lastGuessStart, type RecordOpening, recordOpening } from './RecordStarts.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A part of a cut stream: a block (bytes `base` to `cut` of the stream, plus the byte at `cut`
 * unless it is the stream's last block; a record there starts in `state`, `inWrapper`), or
 * bytes to be read in one pass, in stream order.
 *
 * @category model
 */
export type StreamPart =
  | {
      readonly type: 'block'
      readonly base: number
      readonly cut: number
      readonly bytes: Buffer
      readonly state: number
      readonly inWrapper: boolean
    }
  | { readonly type: 'rest'; readonly bytes: Buffer }

/**
 * The parts of a stream, and where blocks read by then are handed back, to be gathered into
 * again (fresh memory costs a page fault per page on first touch).
 *
 * @category model
 */
export interface CutStream {
  readonly parts: AsyncIterator<StreamPart>
  readonly recycle: (bytes: Uint8Array) => void
}

// A record this much longer than a block stops the cutting: the rest is read in one pass.
const maxBlockFactor = 16

// -------------------------------------------------------------------------------------
// gathering
// -------------------------------------------------------------------------------------

// The stream's bytes not yet cut, from stream offset `base` on, in a buffer of their own that
// the block taken from it moves to a thread with.
class Gathered {
  base = 0
  length = 0
  private bytes: Buffer
  private readonly free: Array<Buffer> = []

  constructor(private readonly capacity: number) {
    this.bytes = Buffer.allocUnsafeSlow(capacity)
  }

  get view(): Buffer {
    return this.bytes.subarray(0, this.length)
  }

  append(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.bytes.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.bytes.length, this.length + chunk.length))
      this.bytes.copy(grown, 0, 0, this.length)
      this.bytes = grown
    }
    this.bytes.set(chunk, this.length)
    this.length += chunk.length
  }

  /** Takes the bytes up to `cut`, with the one at it when there is one; the rest stays. */
  take(cut: number): { readonly base: number; readonly bytes: Buffer } {
    const bytes = this.bytes.subarray(0, Math.min(cut + 1, this.length))
    const base = this.base
    const tail = this.length - cut
    const next = this.free.pop() ?? Buffer.allocUnsafeSlow(Math.max(this.capacity, tail))
    this.bytes.copy(next, 0, cut, this.length)
    this.bytes = next
    this.base += cut
    this.length = tail
    return { base, bytes }
  }

  recycle(bytes: Uint8Array): void {
    if (bytes.buffer.byteLength >= this.capacity && this.free.length < 2)
      this.free.push(Buffer.from(bytes.buffer as ArrayBuffer, 0, bytes.buffer.byteLength))
  }
}

/**
 * Cuts a stream into blocks of about `blockBytes` (see the module).
 *
 * @category gathering
 */
export const cutStream = (bytes: AsyncIterable<Buffer>, blockBytes: number): CutStream => {
  const g = new Gathered(blockBytes + (1 << 20))
  return { parts: cut(bytes[Symbol.asyncIterator](), g, blockBytes), recycle: (b) => g.recycle(b) }
}

async function* cut(it: AsyncIterator<Buffer>, g: Gathered, blockBytes: number): AsyncGenerator<StreamPart> {
  let opening: RecordOpening | undefined
  let searched = 0
  let anyCut = false
  const block = (at: number): StreamPart => {
    const { base, bytes } = g.take(at)
    const o = opening as RecordOpening
    return { type: 'block', base, cut: base + at, bytes, state: o.state, inWrapper: o.inWrapper }
  }
  const rest = (): StreamPart => ({ type: 'rest', bytes: g.take(g.length).bytes })
  try {
    for (;;) {
      let r: IteratorResult<Buffer>
      try {
        r = await it.next()
      } catch (e) {
        if (g.length > 0) yield rest()
        throw e
      }
      if (r.done === true) {
        if (g.length > 0) yield anyCut ? block(g.length) : rest()
        return
      }
      g.append(r.value)
      releaseInflated(r.value)
      while (g.length > blockBytes) {
        opening ??= recordOpening(g.view.subarray(0, Math.min(g.length, 1 << 20)))
        const from = Math.max(searched, Math.floor((blockBytes * 3) / 4), (opening?.first ?? 0) + 1)
        const at = opening === undefined ? undefined : lastGuessStart(g.view, opening, from)
        if (at !== undefined) {
          searched = 0
          anyCut = true
          yield block(at)
          continue
        }
        if (opening !== undefined && g.length <= maxBlockFactor * blockBytes) {
          // Look again where the bytes gathered so far end (a guess's bytes may straddle it).
          searched = Math.max(from, g.length - opening.bytes.length)
          break
        }
        // Not to be cut: the rest of the stream is handed over as it comes.
        yield rest()
        for (let r = await it.next(); r.done !== true; r = await it.next())
          yield { type: 'rest', bytes: r.value }
        return
      }
    }
  } finally {
    await it.return?.()
  }
}
