/**
 * Where export bytes come from: files, the files of a directory (those matching `include`
 * globs, when given), or standard input (`-`), gunzipped on the fly when they start with the
 * gzip magic bytes, whatever their name.
 *
 * @module
 */
import { open, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { createGunzip } from 'node:zlib'
import * as E from 'fp-ts/lib/Either.js'
import { detach } from './Detach.js'
import { beforeInflating } from './MallocThresholds.js'
import { readFailed, type SourceError } from './SourceError.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One input to read: its name (the path, or `-`) and how to open its raw bytes.
 *
 * @category model
 */
export interface Input {
  readonly name: string
  /** The file's path; absent for standard input. */
  readonly path?: string
  /** Found in a directory rather than named: skipped (not an error) when it is not an export. */
  readonly listed?: boolean
  /**
   * `open` gives the same bytes each time it is called (an object pinned to its version): a
   * gzipped one is then read on a thread of its own, as a gzipped file is, its bytes sent there
   * (unless records are located).
   */
  readonly again?: boolean
  /** Opens the raw bytes, from the start or (files only) where a split read stopped. */
  readonly open: (resume?: ResumeAt) => AsyncIterable<Buffer>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Expands the input arguments: a directory stands for its regular files (not recursive,
 * dotfiles skipped, sorted by name so runs are repeatable; with `include` globs, only the files
 * whose name matches one of them), `-` for `stdin`. A path that does not exist is an error,
 * never silently nothing. Files named as arguments are read whatever `include` says.
 *
 * @category constructors
 */
export const listInputs = async (
  args: ReadonlyArray<string>,
  stdin: AsyncIterable<Buffer>,
  chunkSize: number,
  include: ReadonlyArray<string> = [],
): Promise<E.Either<SourceError, ReadonlyArray<Input>>> => {
  const file = (path: string, listed: boolean): Input => ({
    name: path,
    path,
    listed,
    open: (resume) => readUnchanged(path, chunkSize, resume),
  })
  const patterns = include.map(globPattern)
  const included = (name: string): boolean => patterns.length === 0 || patterns.some((p) => p.test(name))
  const out: Array<Input> = []
  for (const arg of args) {
    if (arg === '-') {
      out.push({ name: '-', open: () => stdin })
      continue
    }
    try {
      const s = await stat(arg)
      if (!s.isDirectory()) {
        out.push(file(arg, false))
        continue
      }
      const entries = await readdir(arg, { withFileTypes: true })
      const names = entries
        .filter((d) => !d.name.startsWith('.') && (d.isFile() || d.isSymbolicLink()) && included(d.name))
        .map((d) => d.name)
        .sort()
      for (const name of names) out.push(file(join(arg, name), true))
    } catch (e) {
      return E.left(readFailed(arg, errorText(e)))
    }
  }
  return E.right(out)
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The regular expression of a file-name glob: `*` any run of characters, `?` one character,
 * `[abc]` / `[a-z]` / `[!a]` a class, `{a,b}` either; everything else stands for itself. The
 * whole name must match.
 *
 * @category utils
 */
export const globPattern = (glob: string): RegExp => {
  let re = ''
  let braces = 0
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string
    if (c === '*') re += '.*'
    else if (c === '?') re += '.'
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2)
      if (close < 0) re += '\\['
      else {
        const body = glob.slice(i + 1, close).replace(/\\/g, '\\\\')
        re += body.startsWith('!') ? `[^${body.slice(1)}]` : `[${body}]`
        i = close
      }
    } else if (c === '{') {
      braces++
      re += '(?:'
    } else if (c === '}' && braces > 0) {
      braces--
      re += ')'
    } else if (c === ',' && braces > 0) re += '|'
    else re += c.replace(/[.+^$()|\\\]{}]/g, '\\$&')
  }
  return new RegExp(`^${re}${')'.repeat(braces)}$`)
}

/**
 * Where a read of a file resumes, and the file as it was when first opened (a read split
 * between threads, then finished in one pass, is checked against the same file throughout).
 *
 * @category model
 */
export interface ResumeAt {
  readonly start: number
  readonly size: bigint
  readonly mtimeNs: bigint
}

/**
 * The message of a file that changed while it was read.
 *
 * @category utils
 */
export const changedWhileRead = (before: bigint, after: bigint, read: bigint, modified: boolean): string =>
  `changed while it was read (size ${before} when opened, ${after} at the end, ${read} bytes read${
    modified ? ', modified meanwhile' : ''
  })`

/**
 * The bytes of a file (from `resume.start` on, when given), checked against the file as it was
 * when opened: if its size or modification time changed, or fewer or more bytes than its size
 * were read, the read fails ("changed while it was read") instead of handing over a shorter
 * file, or a mix of two versions, as if it were the file.
 *
 * @category utils
 */
export async function* readUnchanged(
  path: string,
  chunkSize: number,
  resume?: ResumeAt,
): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r')
  try {
    const opened = await handle.stat({ bigint: true })
    const before = resume === undefined ? opened : { size: resume.size, mtimeNs: resume.mtimeNs }
    const start = resume?.start ?? 0
    let read = BigInt(start)
    for await (const chunk of handle.createReadStream({
      highWaterMark: chunkSize,
      autoClose: false,
      start,
    })) {
      read += BigInt((chunk as Buffer).length)
      // Node's file stream reads each chunk into a buffer of its own, which its reader may give back.
      ownBuffers.add((chunk as Buffer).buffer)
      yield chunk as Buffer
    }
    const after = await handle.stat({ bigint: true })
    if (after.size !== before.size || after.mtimeNs !== before.mtimeNs || read !== before.size)
      throw new Error(changedWhileRead(before.size, after.size, read, after.mtimeNs !== before.mtimeNs))
  } finally {
    await handle.close()
  }
}

/**
 * A turn of the event loop: a reader that steps through its input on a thread's only loop
 * awaits one between steps, so that what waits for that loop (zlib's callbacks, other threads'
 * messages) comes in meanwhile.
 *
 * @category utils
 */
export const eventLoopTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * How many findings `bytes` of exports likely hold, for room made ahead of a read: a low guess
 * (exports run 1 to 3 KB a finding), so that the room is rarely more than the read needs.
 *
 * @category utils
 */
export const likelyFindings = (bytes: number): number => Math.floor(bytes / 4096)

/**
 * Whether bytes begin with the gzip magic number (`1f 8b`): gzip is told from content, never
 * from a file's name.
 *
 * @category utils
 */
export const startsWithGzipMagic = (head: Uint8Array): boolean => head[0] === 0x1f && head[1] === 0x8b

/**
 * At most this many findings are made room for ahead (a de-duplication table of 64 MiB).
 *
 * @category utils
 */
export const maxReserved = 3 << 20

/**
 * The bytes a file holds once decoded, as far as it tells, for room made ahead of a read: a
 * gzipped file's size as its last member's trailer records it (modulo 2^32, so a low guess for a
 * file of several members or over 4 GiB inflated), never less than the file's own; else the
 * file's size; 0 when it cannot be read (the read reports that).
 *
 * @category utils
 */
export const decodedSize = async (path: string): Promise<number> => {
  const file = await open(path, 'r').catch(() => undefined)
  if (file === undefined) return 0
  try {
    const { size } = await file.stat()
    if (size < 18) return size
    const head = Buffer.alloc(2)
    const tail = Buffer.alloc(4)
    await file.read(head, 0, 2, 0)
    if (!startsWithGzipMagic(head)) return size
    await file.read(tail, 0, 4, size - 4)
    return Math.max(size, tail.readUInt32LE(0))
  } catch {
    return 0
  } finally {
    await file.close()
  }
}

/**
 * The message of anything thrown by Node's I/O.
 *
 * @category utils
 */
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/**
 * The decoded bytes of an input: its raw bytes, gunzipped when they begin with the gzip magic
 * bytes `1f 8b` (unless `gzip` is false: the rest of a file whose start was read already;
 * several gzip members in a row are read one after the other). `onRaw` sees
 * the size of every raw chunk, for the report; `onGzip` is called when the bytes are gunzipped. Read errors (and corrupt gzip data) are thrown
 * by the iteration; the reader turns them into data.
 *
 * @category utils
 */
export async function* decodedBytes(
  raw: AsyncIterable<Buffer>,
  onRaw: (bytes: number) => void,
  gzip = true,
  onGzip: () => void = () => undefined,
): AsyncGenerator<Buffer> {
  const it = raw[Symbol.asyncIterator]()
  let head: Buffer = Buffer.alloc(0)
  let done = false
  // Enough bytes to look for the magic number (a stream may hand them over one at a time).
  while (head.length < 2 && !done) {
    const r = await it.next()
    if (r.done === true) done = true
    else {
      const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array)
      onRaw(chunk.length)
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk])
    }
  }
  async function* rest(): AsyncGenerator<Buffer> {
    try {
      if (head.length > 0) yield head
      while (!done) {
        const r = await it.next()
        if (r.done === true) done = true
        else {
          const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array)
          onRaw(chunk.length)
          yield chunk
        }
      }
    } finally {
      // A reader that stops early closes the file.
      if (!done) await it.return?.()
    }
  }
  if (!gzip || !startsWithGzipMagic(head)) {
    yield* rest()
    return
  }
  onGzip()
  yield* gunzipped(rest())
}

// Inflated bytes held ahead of the reader: the inflating (on libuv's threads) runs while the
// reader parses what came before.
const inflatedAhead = 4 << 20

// The compressed bytes are fed to zlib in pieces of this size, cut at fixed places in the
// stream: zlib hands over nothing a failing write inflated, so what comes before an error must
// not depend on how the bytes were read (a file read whole on a thread, or in chunks of another
// size, must fail after the same bytes). Each piece is a round trip through zlib's thread pool
// and the event loop of a thread that is also reading records: with 16 KiB pieces a gzipped
// million-finding export took 1.8x the time of 1 MiB ones.
const pieceBytes = 1 << 20

/**
 * The inflated bytes of gzip data (several members in a row are read one after the other),
 * and then its error, if any: every byte inflated from the 1 MiB pieces of compressed data
 * before the one holding the damage is handed over before the error, whatever the reader's
 * pace and however the compressed bytes arrive. (A stream's reader loses what the stream
 * buffered when it fails, so the compressed bytes are fed in here only as the inflated ones are
 * taken, and the inflated ones are taken as they come.)
 *
 * @category utils
 */
export async function* gunzipped(raw: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield* inflated(pieces(raw, pieceBytes))
}

/**
 * Bytes cut again into pieces of `size` bytes at fixed places of the stream (the last one
 * shorter), whatever the chunks they arrive in; copied only where a piece spans chunks.
 *
 * @category utils
 */
export async function* pieces(raw: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let pending: Array<Buffer> = []
  let held = 0
  for await (const arrived of raw) {
    let chunk = arrived
    while (held + chunk.length >= size) {
      const need = size - held
      // A chunk that is a piece as it is is not looked at again once handed over: its reader may
      // give its memory back.
      if (held === 0 && need === chunk.length) {
        yield chunk
        chunk = noBytes
        break
      }
      yield held === 0 ? chunk.subarray(0, need) : owned(Buffer.concat([...pending, chunk.subarray(0, need)]))
      pending = []
      held = 0
      chunk = chunk.subarray(need)
    }
    if (chunk.length > 0) {
      pending.push(chunk)
      held += chunk.length
    }
  }
  if (held > 0) yield pending.length === 1 ? (pending[0] as Buffer) : owned(Buffer.concat(pending))
}

const noBytes = Buffer.alloc(0)

// A buffer made here, which no one else holds.
const owned = (b: Buffer): Buffer => {
  ownBuffers.add(b.buffer)
  return b
}

/**
 * Gives the memory of an inflated chunk (of `decodedBytes` on gzip data) back at once, once its
 * reader has copied it and keeps no view of it or of the chunks before it. Node's zlib stream
 * inflates into a buffer of 1 MiB, hands over slices of it, and takes a fresh one once it is
 * full; a full one is otherwise freed only by its thread's garbage collector, which V8 starts
 * after about 64 MB of such memory (and a thread that inflates allocates little else). Only a
 * chunk that ends such a full buffer lets it go (the buffer is detached: every view of it is then
 * empty), as nothing writes into that buffer again. Any other chunk is left as it is.
 *
 * @example
 * ```ts
 * import { createReadStream } from 'node:fs'
 * import { decodedBytes, releaseInflated } from '@scantally/source-json'
 *
 * // Counts the lines of a file, gzipped or not, holding no inflated MiB longer than it takes.
 * const lines = async (path: string): Promise<number> => {
 *   let n = 0
 *   for await (const chunk of decodedBytes(createReadStream(path), () => {})) {
 *     for (const byte of chunk) if (byte === 10) n++
 *     releaseInflated(chunk)
 *   }
 *   return n
 * }
 * ```
 *
 * @category utils
 */
export const releaseInflated = (chunk: Uint8Array): void => {
  const buffer = chunk.buffer
  if (chunk.byteOffset + chunk.byteLength === buffer.byteLength && filled.delete(buffer)) detach(buffer)
}

/**
 * Inflated bytes moved to this thread from the one that inflated them (see `GunzipThread`), as a
 * chunk that `releaseInflated` frees once taken when it ends its memory.
 *
 * @category utils
 */
export const adoptInflated = (bytes: Uint8Array): Buffer => {
  const chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (chunk.byteOffset + chunk.length === chunk.buffer.byteLength) filled.add(chunk.buffer)
  return chunk
}

/**
 * Whether an inflated chunk of `gunzipped` ends one of zlib's output buffers: zlib has filled
 * it and writes into it no more.
 *
 * @category utils
 */
export const endsOutputBuffer = (chunk: Uint8Array): boolean =>
  chunk.buffer.byteLength === inflatedBytes && chunk.byteOffset + chunk.byteLength === inflatedBytes

// The buffers zlib filled to their end, whose last chunk `releaseInflated` may detach.
const filled = new WeakSet<ArrayBufferLike>()

// Compressed bytes zlib has taken in: their memory is given back at once when the piece is a
// whole buffer that this module's file reads (or its pieces) made, which no one else holds; a
// view of a caller's buffer, or of one still being cut into pieces, is left alone.
const releaseCompressed = (piece: Buffer): void => {
  const buffer = piece.buffer
  if (piece.byteOffset === 0 && piece.length === buffer.byteLength && ownBuffers.delete(buffer))
    detach(buffer)
}

// The buffers `readUnchanged` and `pieces` made, whose memory no one else holds.
const ownBuffers = new WeakSet<ArrayBufferLike>()

// The size of zlib's output buffers: the chunks a full one was sliced into are let go by `releaseInflated`.
const inflatedBytes = 1 << 20

async function* inflated(raw: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  beforeInflating()
  const gunzip = createGunzip({ chunkSize: inflatedBytes })
  const queue: Array<Buffer> = []
  let queued = 0
  let ended = false
  let failed: { readonly error: unknown } | undefined
  // A read error of the compressed bytes: the error once what was inflated before it is taken.
  let unreadable: { readonly error: unknown } | undefined
  // One side waits for the other: the reader for bytes, the feeder for room.
  let wake: (() => void) | undefined
  const notify = (): void => {
    wake?.()
    wake = undefined
  }
  const wait = (): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve
    })
  gunzip.on('data', (chunk: Buffer) => {
    const buffer = chunk.buffer
    if (buffer.byteLength === inflatedBytes && chunk.byteOffset + chunk.length === inflatedBytes)
      filled.add(buffer)
    queue.push(chunk)
    queued += chunk.length
    notify()
  })
  gunzip.on('error', (error) => {
    failed ??= unreadable ?? { error }
    notify()
  })
  gunzip.on('end', () => {
    if (unreadable !== undefined) failed ??= unreadable
    else ended = true
    notify()
  })
  const settled = (event: 'drain' | 'close'): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        gunzip.off(event, done)
        gunzip.off('close', done)
        resolve()
      }
      gunzip.once(event, done)
      gunzip.once('close', done)
    })
  let stop = false
  const feeding = (async () => {
    try {
      for await (const chunk of raw) {
        if (stop || failed !== undefined) return
        // A transform calls a write's callback once it has consumed the chunk whole (Node's stream
        // contract): zlib holds the piece until then, and no one holds it after.
        if (!gunzip.write(chunk, () => releaseCompressed(chunk))) await settled('drain')
        while (queued > inflatedAhead && !stop && failed === undefined) await wait()
      }
    } catch (error) {
      unreadable = { error }
    }
    if (!stop) gunzip.end()
  })()
  try {
    for (;;) {
      const chunk = queue.shift()
      if (chunk !== undefined) {
        queued -= chunk.length
        if (queued <= inflatedAhead) notify()
        yield chunk
        continue
      }
      if (failed !== undefined) throw failed.error
      if (ended) return
      await wait()
    }
  } finally {
    stop = true
    notify()
    gunzip.destroy()
    await feeding
  }
}
