/**
 * The compiled record walker (`assembly/record.ts`, built to `dist/record.wasm`): one instance
 * per reader, holding a copy of the scanner's buffer in its memory, refreshed when the buffer
 * changes (once a chunk, since records are read from one buffer until it is used up), and the
 * table of the group keys it interned (their hashes, not their bytes).
 *
 * @module
 */
import { readFileSync } from 'node:fs'
import type { JsonScanner } from './JsonScanner.js'
import {
  ENTRY_BYTES,
  ENTRY_HASH,
  ENTRY_LENGTH,
  ENTRY_PLACE,
  LITERAL_BYTES,
  LITERAL_TABLE,
  literals,
  MEMORY_BASE,
  R_LAST_NEWLINE,
  R_RUN_AFTER_RECORD,
  R_RUN_COUNTED,
  R_RUN_NO_LINKAGE,
  R_RUN_NOT_ACTIVE,
  R_RUN_READ,
  RESULT_WORDS,
} from './RecordLayout.js'

const page = 65536

interface Exports {
  readonly memory: WebAssembly.Memory
  readonly record: (at: number, end: number, complete: number) => number
  readonly newlines: (from: number, to: number) => number
  readonly options: (allowed: number, unlinked: number, keys: number) => void
  readonly run: (at: number, end: number, complete: number, stopAt: number, inArray: number) => number
  readonly INPUT: WebAssembly.Global
  readonly RUN: WebAssembly.Global
  readonly ENTRIES: WebAssembly.Global
}

/**
 * What a run of records read (`FastRecord.run`): records in all, those not active and those
 * without image linkage; the counted findings are `counted` times `RUN_WORDS` words (account,
 * image build, pipeline and vulnerability ids, packed severity, fix and exploit, and the ARN's
 * fingerprint: see `RecordLayout.ts`) of `runWords` from `runAt`; `afterRecord`: it stopped right
 * after a record in an array.
 */
export interface RunCounts {
  read: number
  notActive: number
  noImageLinkage: number
  counted: number
  afterRecord: boolean
}

let compiled: WebAssembly.Module | undefined

const compile = (): WebAssembly.Module => {
  compiled ??= new WebAssembly.Module(readFileSync(new URL('./record.wasm', import.meta.url)))
  return compiled
}

/**
 * A walker instance. After {@link WasmRecord.walk}, {@link WasmRecord.words} holds what the
 * walker read and decided (see `RecordLayout.ts` for the words), at addresses that are the
 * scanner's offsets plus {@link WasmRecord.at}.
 */
export class WasmRecord {
  private readonly exports: Exports
  /** Where the input starts in the module's memory. */
  readonly base: number
  /** The address of the scanner's buffer's first byte in the last walk. */
  at = 0
  /** The walker's results. */
  words: Int32Array
  /** The same, unsigned (fingerprints). */
  prints: Uint32Array
  /** The module's whole memory as words, for {@link WasmRecord.runAt}. */
  runWords: Uint32Array
  private bytes: Uint8Array
  // The same as a Buffer, for decoding strings in place.
  private memory: Buffer
  private mirrored: Buffer | undefined = undefined
  private scanner: JsonScanner | undefined = undefined
  private epoch = -1
  // The size of each of the two regions a reader may read into (0: none handed out yet).
  private regionBytes = 0
  /** The word of {@link WasmRecord.runWords} the findings of the last run start at. */
  readonly runAt: number
  /** What the last {@link WasmRecord.run} read. */
  readonly runCounts: RunCounts = { read: 0, notActive: 0, noImageLinkage: 0, counted: 0, afterRecord: false }

  constructor() {
    this.exports = new WebAssembly.Instance(compile(), {}).exports as unknown as Exports
    this.base = this.exports.INPUT.value as number
    this.runAt = (this.exports.RUN.value as number) / 4
    this.words = new Int32Array(0)
    this.prints = new Uint32Array(0)
    this.runWords = new Uint32Array(0)
    this.bytes = new Uint8Array(0)
    this.memory = Buffer.alloc(0)
    this.reserve(this.base)
    // The literals, each an offset and a length in the table and its bytes after it.
    const table = new DataView(this.exports.memory.buffer)
    let at = LITERAL_BYTES
    literals.forEach((l, i) => {
      const b = Buffer.from(l, 'latin1')
      if (at + b.length > MEMORY_BASE) throw new Error('record walker: literals do not fit')
      this.bytes.set(b, at)
      table.setUint32(LITERAL_TABLE + 4 * i, at | (b.length << 16), true)
      at += b.length
    })
  }

  /**
   * One of two buffers (`k` 0 or 1) of `size` bytes inside the module's memory, for a reader
   * that fills its own buffers: what it reads there is walked in place, not copied. The first
   * call fixes the regions' size; a larger one gets `undefined` (the reader then uses a buffer
   * of its own, which is copied). A view is valid until the next call.
   */
  region(k: 0 | 1, size: number): Buffer | undefined {
    if (this.regionBytes === 0) {
      this.regionBytes = size
      this.reserve(this.base + 2 * size + 16)
    }
    if (size > this.regionBytes) return undefined
    return Buffer.from(this.exports.memory.buffer, this.base + k * this.regionBytes, size)
  }

  // Where the scanner's buffer is in the module's memory: in place when it is a view of it,
  // else a copy at `base`, made when the buffer changed.
  private locate(s: JsonScanner): number {
    const b = s.buf
    if (b.buffer === this.exports.memory.buffer) return b.byteOffset
    if (b !== this.mirrored || s.epoch !== this.epoch || s !== this.scanner) this.mirror(s)
    return this.base
  }

  /**
   * Walks the record at the scanner's position and decides what it is (the words from
   * `R_OUTCOME`): the address after it, `NEED` or `DECLINE`.
   */
  walk(s: JsonScanner): number {
    const at = this.locate(s)
    this.at = at
    return this.exports.record(at + s.pos, at + s.buf.length, s.eof ? 1 : 0)
  }

  /**
   * Sets the mapping options the walker decides with: the allowed statuses, by index, and the
   * group keys a counted finding keeps (image build, pipeline, vulnerability id).
   */
  options(
    allowed: ReadonlyArray<boolean>,
    includeUnlinked: boolean,
    keep: { readonly build: boolean; readonly pipeline: boolean; readonly vulnerabilityId: boolean },
  ): void {
    this.exports.options(
      allowed.reduce((bits, ok, i) => (ok ? bits | (1 << i) : bits), 0),
      includeUnlinked ? 1 : 0,
      (keep.build ? 1 : 0) | (keep.pipeline ? 2 : 0) | (keep.vulnerabilityId ? 4 : 0),
    )
  }

  /**
   * Reads a run of records at the scanner's position, in an array after a comma (`inArray`)
   * or at the top level, up to (not into) a value starting at or after the scanner offset
   * `stopAt`; moves the scanner to where it stopped and leaves what it read in
   * {@link WasmRecord.runCounts} and the words from {@link WasmRecord.runAt}.
   */
  run(s: JsonScanner, inArray: boolean, stopAt: number): RunCounts {
    const at = this.locate(s)
    this.at = at
    const end = at + s.buf.length
    const stop = stopAt >= s.buf.length ? end + 1 : at + stopAt
    s.pos = this.exports.run(at + s.pos, end, s.eof ? 1 : 0, stop, inArray ? 1 : 0) - at
    const w = this.words
    const c = this.runCounts
    c.read = w[R_RUN_READ] as number
    c.notActive = w[R_RUN_NOT_ACTIVE] as number
    c.noImageLinkage = w[R_RUN_NO_LINKAGE] as number
    c.counted = w[R_RUN_COUNTED] as number
    c.afterRecord = w[R_RUN_AFTER_RECORD] === 1
    return c
  }

  /**
   * The interned string of id `id`, decoded from where its bytes were when the walker last gave
   * that id: only an id the last `read` or `run` gave can be decoded (the walker keeps no copy
   * of a key's bytes, and the input is replaced by the next call).
   */
  internedString(id: number): string {
    const m = this.exports.memory.buffer
    const entry = new DataView(m, this.entryAt(id), ENTRY_BYTES)
    const place = entry.getInt32(ENTRY_PLACE, true)
    return Buffer.from(m, place, entry.getInt32(ENTRY_LENGTH, true)).toString('utf8')
  }

  /**
   * The string whose bytes are at addresses [start, end) of the module's memory, as the last
   * `walk` or `run` left them (in the input, or unescaped in the walker's arena), decoded as the
   * plain scanner decodes: latin1 when every byte is ASCII, else UTF-8.
   */
  text(start: number, end: number, ascii: boolean): string {
    return this.memory.toString(ascii ? 'latin1' : 'utf8', start, end)
  }

  /**
   * The first of the two 64-bit hashes the walker knows interned key `id` by (the one that
   * places it in the table), so that a test can check that keys it crafted to share it do.
   */
  internedHash(id: number): bigint {
    return new DataView(this.exports.memory.buffer, this.entryAt(id), ENTRY_BYTES).getBigUint64(
      ENTRY_HASH,
      true,
    )
  }

  // The address of interned key `id`'s entry (see `internedEntry` in the layout).
  private entryAt(id: number): number {
    return (this.exports.ENTRIES.value as number) + id * ENTRY_BYTES
  }

  /**
   * The newlines of the scanner's buffer from `from` to before `end` (their count and the offset
   * of the last, -1: none), when the walker holds that buffer; else `undefined`.
   */
  newlines(s: JsonScanner, from: number, end: number): readonly [number, number] | undefined {
    const b = s.buf
    let at: number
    if (b.buffer === this.exports.memory.buffer) at = b.byteOffset
    else if (b === this.mirrored && s.epoch === this.epoch && s === this.scanner) at = this.base
    else return undefined
    const n = this.exports.newlines(at + from, at + end)
    const last = this.words[R_LAST_NEWLINE] as number
    return [n, last < 0 ? -1 : last - at]
  }

  // Grows the memory to at least `bytes` (views of it are made anew when it grows).
  private reserve(bytes: number): void {
    const memory = this.exports.memory
    if (bytes > memory.buffer.byteLength) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / page))
    if (this.bytes.buffer !== memory.buffer || this.bytes.length === 0) {
      this.words = new Int32Array(memory.buffer, 0, RESULT_WORDS)
      this.prints = new Uint32Array(memory.buffer, 0, RESULT_WORDS)
      this.runWords = new Uint32Array(memory.buffer)
      this.bytes = new Uint8Array(memory.buffer)
      this.memory = Buffer.from(memory.buffer)
    }
  }

  private mirror(s: JsonScanner): void {
    const b = s.buf
    // Sixteen bytes of slack: vector loads stop before the end, but stay inside the memory.
    this.reserve(this.base + b.length + 16)
    this.bytes.set(b, this.base)
    this.mirrored = b
    this.scanner = s
    this.epoch = s.epoch
  }
}
