/**
 * A compact copy of one JSON value that arrives in pieces: every byte of it, except the contents
 * of long strings the reader would skip unread (a 300 MB description, say), which become `""`.
 * The reader reads the copy instead of the value, so a huge value costs one pass over its bytes
 * and memory for what is kept, not the value's size times the times it is read again.
 *
 * The copy reads exactly as the value would. The scanner checks nothing inside a string it
 * skips but where it ends (a backslash escapes the next byte), so `""` stands for any skipped
 * string; every other byte is kept, so the scanner meets any error in the copy at the same
 * place, with the same message, and {@link CutMap} gives its offset, and the newlines before it,
 * in the original bytes. Which strings the scanner skips is told here as the scanner tells it,
 * from the members it materializes (a {@link Projection}). This walk checks no grammar: where
 * it meets something that is no JSON it stops, and the reader reads on in the original bytes
 * from there, where the scanner finds the error (before anything this walk might misread).
 *
 * @module
 */
import { JsonScanner, type Projection } from './JsonScanner.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What the value is to the reader: a `record` (read through the projection), an object at the
 * top level (a record or a page wrapper, whose `findings` array the reader then streams: the
 * copy ends at its `[`), or a page wrapper's member (`"key": value`, the value skipped unless
 * it is the `findings` array, where the copy ends at its `[`).
 *
 * @category model
 */
export type CutRoot = 'record' | 'topObject' | 'wrapperMember'

/**
 * How the keys of a page wrapper are told, as the reader tells them: whether a key may be a
 * wrapper's member, and whether it is the one holding the findings.
 *
 * @category model
 */
export interface WrapperKeys {
  readonly isMember: (key: string) => boolean
  readonly isFindings: (key: string) => boolean
}

// -------------------------------------------------------------------------------------
// map
// -------------------------------------------------------------------------------------

/**
 * Where the bytes of a compact copy (and of the original bytes after it, which follow the copy
 * in the reader's buffer) came from: the original offset of a position, and the newlines of
 * the strings that were cut before it.
 *
 * @category map
 */
export class CutMap {
  constructor(
    /** The original offset of the copy's first byte. */
    readonly origin: number,
    /** The copy's length; from there on the buffer holds original bytes. */
    readonly length: number,
    /** The original offset of the byte after what the copy stands for. */
    readonly end: number,
    // Per cut, in order: the copy's position of the closing quote of the `""` it left, how
    // much further on that byte is in the original, and the newlines cut up to there (their
    // count, and the original offset of the last, -1: none).
    private readonly resumeAt: ReadonlyArray<number>,
    private readonly shift: ReadonlyArray<number>,
    private readonly cutLines: ReadonlyArray<number>,
    private readonly cutLast: ReadonlyArray<number>,
  ) {}

  /** The original offset of position `p` of the buffer (the copy, then original bytes). */
  original(p: number): number {
    if (p >= this.length) return this.end + (p - this.length)
    const k = this.cutBefore(p)
    return this.origin + p + (k < 0 ? 0 : (this.shift[k] as number))
  }

  /** The newlines cut before position `p`: how many, and the original offset of the last (-1: none). */
  cutNewlines(p: number): readonly [number, number] {
    const k = p >= this.length ? this.resumeAt.length - 1 : this.cutBefore(p)
    return k < 0 ? [0, -1] : [this.cutLines[k] as number, this.cutLast[k] as number]
  }

  /** Where the last cut's `""` closes in the copy (-1: nothing was cut): the copy is original from there. */
  lastCut(): number {
    return this.resumeAt.length === 0 ? -1 : (this.resumeAt[this.resumeAt.length - 1] as number)
  }

  // The last cut whose `""` closes at or before `p`, -1: none.
  private cutBefore(p: number): number {
    const at = this.resumeAt
    let lo = 0
    let hi = at.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((at[mid] as number) <= p) lo = mid + 1
      else hi = mid
    }
    return lo - 1
  }
}

// -------------------------------------------------------------------------------------
// copy
// -------------------------------------------------------------------------------------

// What a value's strings are to the scanner: skipped (a string may be cut), materialized whole,
// or an object read through a projection (its keys are decoded to look them up).
const SKIP = 0
const WHOLE = 1
type Context = Projection | typeof SKIP | typeof WHOLE

// Where the walk is.
const VALUE = 0 // before a value
const AFTER = 1 // after a value: ',' or the closing bracket
const KEY = 2 // after ',' in an object: a key
const FIRST_KEY = 3 // after '{': a key or '}'
const FIRST_ELEM = 4 // after '[': a value or ']'
const COLON = 5 // after a key
const STRING = 6 // in a string
const SCALAR = 7 // in a number or literal

// What a string is: one the scanner skips, one it reads, a key it decodes.
const SKIPPED = 0
const READ = 1
const DECODED = 2

/** Skipped strings up to this long are kept as they are: cutting them would save nothing. */
const keepUpTo = 256

const maxDepth = 1000

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09

// The bytes a number or a literal may be made of; anything else ends it.
const isScalarByte = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) ||
  (c >= 0x61 && c <= 0x7a) ||
  (c >= 0x41 && c <= 0x5a) ||
  c === 0x2d ||
  c === 0x2b ||
  c === 0x2e

/**
 * Makes a {@link CutMap}-ed compact copy of one value, fed its original bytes chunk by chunk
 * from the value's first byte. Mutable, owned by the reader that feeds it.
 *
 * @category copy
 */
export class CutCopy {
  private out: Buffer = Buffer.allocUnsafe(1 << 16)
  private outLength = 0
  /** Original bytes fed and walked so far. */
  private consumed = 0
  // The containers the walk is in: their closing bracket and the context of their members.
  private readonly closes: Array<number> = []
  private readonly contexts: Array<Context> = []
  private mode = VALUE
  private valueContext: Context
  // The string being walked: what it is, where it starts in this chunk (-1: in an earlier one),
  // whether the byte at the walk is escaped, whether its contents are being cut, and a key's
  // bytes from earlier chunks.
  private kind = SKIPPED
  private stringStart = -1
  private escaped = false
  private cutting = false
  private keyParts: Array<Buffer> = []
  private isKeyString = false
  // The page wrapper's members: whether every key so far may be one, and whether the value
  // after the colon is the findings array if it is an array.
  private wrapperSoFar: boolean
  private findingsNext = false
  // The cuts made, and the newlines cut so far.
  private readonly resumeAt: Array<number> = []
  private readonly shift: Array<number> = []
  private readonly cutLines: Array<number> = []
  private readonly cutLast: Array<number> = []
  private linesCut = 0
  private lastCut = -1
  private readonly keyScanner = new JsonScanner()

  constructor(
    private readonly root: CutRoot,
    projection: Projection,
    private readonly wrapper: WrapperKeys,
    /** The original offset of the value's first byte. */
    private readonly origin: number,
  ) {
    this.valueContext = projection
    this.wrapperSoFar = root === 'topObject'
    if (root === 'wrapperMember') this.mode = KEY
    this.keyScanner.eof = true
  }

  /**
   * Walks `chunk` (the next original bytes), copying what is kept. Returns where in it the copy
   * ends: after the value, or where the walk met something that is no JSON (the reader reads on
   * from there); -1 when the chunk is walked and the value goes on.
   */
  feed(chunk: Buffer): number {
    const c = chunk
    const n = c.length
    const at = this.origin + this.consumed // the original offset of c[0]
    let copyFrom = 0
    let i = 0
    let end = -1
    // A string opened by the chunk's last byte is walked too: a skipped one is cut from there.
    walk: while (i < n || (this.mode === STRING && this.stringStart >= 0)) {
      if (this.mode === STRING) {
        const q = this.stringEnd(c, i)
        if (!this.cutting && this.kind === SKIPPED && (q < 0 || q - this.stringStart - 1 > keepUpTo)) {
          // Cut: the copy keeps the opening quote, then the closing one.
          this.append(c, copyFrom, this.stringStart + 1)
          this.cutting = true
        }
        if (this.cutting) {
          this.countCut(c, i, q < 0 ? n : q, at)
          if (q < 0) {
            copyFrom = n
            this.stringStart = -1
            break
          }
          this.cutting = false
          // The closing quote is the next byte copied.
          this.noteCut(at + q - this.origin)
          copyFrom = q
        } else if (q < 0) {
          if (this.kind === DECODED)
            this.keyParts.push(Buffer.from(c.subarray(Math.max(this.stringStart, 0))))
          this.stringStart = -1
          break
        }
        i = q + 1
        if (this.stringEnded(c, i)) {
          end = i
          break
        }
        continue
      }
      const b = c[i] as number
      switch (this.mode) {
        case SCALAR:
          if (isScalarByte(b)) i++
          else if (this.afterValue()) {
            end = i
            break walk
          }
          continue
        case COLON:
          if (isSpace(b)) i++
          else if (b === 0x3a) {
            i++
            this.mode = VALUE
          } else {
            end = i
            break walk
          }
          continue
        case AFTER: {
          if (isSpace(b)) {
            i++
            continue
          }
          const close = this.closes[this.closes.length - 1] as number
          if (b === 0x2c) {
            i++
            if (close === 0x7d) this.mode = KEY
            else {
              this.mode = VALUE
              this.valueContext = this.contexts[this.contexts.length - 1] as Context
            }
          } else if (b === close) {
            i++
            if (this.leave()) {
              end = i
              break walk
            }
          } else {
            end = i
            break walk
          }
          continue
        }
        case FIRST_KEY:
        case KEY:
          if (isSpace(b)) i++
          else if (b === 0x7d && this.mode === FIRST_KEY) {
            i++
            if (this.leave()) {
              end = i
              break walk
            }
          } else if (b === 0x22) {
            this.startKey(i)
            i++
          } else {
            end = i
            break walk
          }
          continue
        default: {
          // VALUE, FIRST_ELEM
          if (isSpace(b)) {
            i++
            continue
          }
          if (b === 0x5d && this.mode === FIRST_ELEM) {
            i++
            if (this.leave()) {
              end = i
              break walk
            }
            continue
          }
          if (this.findingsNext && b === 0x5b) {
            end = i + 1
            break walk
          }
          this.findingsNext = false
          if (b === 0x7b || b === 0x5b) {
            if (this.closes.length >= maxDepth) {
              end = i
              break walk
            }
            this.closes.push(b === 0x7b ? 0x7d : 0x5d)
            this.contexts.push(this.valueContext)
            this.mode = b === 0x7b ? FIRST_KEY : FIRST_ELEM
          } else if (b === 0x22) {
            this.isKeyString = false
            this.startString(i, this.valueContext === SKIP ? SKIPPED : READ)
          } else this.mode = SCALAR
          i++
        }
      }
    }
    if (end < 0) {
      this.append(c, copyFrom, n)
      this.consumed += n
      return -1
    }
    this.append(c, copyFrom, end)
    this.consumed += end
    return end
  }

  /** The copy so far (all of it once {@link CutCopy.feed} says where it ends). */
  copy(): Buffer {
    return this.out.subarray(0, this.outLength)
  }

  /** Where the copy's bytes came from (see {@link CutMap}); the copy is complete once this is asked. */
  map(): CutMap {
    // A string cut up to the end of the input: the copy ends in its opening quote.
    if (this.cutting) this.noteCut(this.consumed)
    this.cutting = false
    const { resumeAt, shift, cutLines, cutLast } = this
    return new CutMap(
      this.origin,
      this.outLength,
      this.origin + this.consumed,
      resumeAt,
      shift,
      cutLines,
      cutLast,
    )
  }

  // A cut ends at the copy's length, where the original is `original` bytes into the value:
  // noted when it cut anything.
  private noteCut(original: number): void {
    const shift = original - this.outLength
    const before = this.shift.length === 0 ? 0 : (this.shift[this.shift.length - 1] as number)
    if (shift === before) return
    this.resumeAt.push(this.outLength)
    this.shift.push(shift)
    this.cutLines.push(this.linesCut)
    this.cutLast.push(this.lastCut)
  }

  private startString(i: number, kind: number): void {
    this.mode = STRING
    this.kind = kind
    this.stringStart = i
    this.escaped = false
  }

  // A key: decoded where the scanner looks it up (an object read through a projection, or the
  // wrapper's own members), else skipped or read as the scanner does.
  private startKey(i: number): void {
    const context = this.contexts[this.contexts.length - 1]
    this.isKeyString = true
    const decoded = context === undefined || (context !== SKIP && context !== WHOLE)
    this.startString(i, decoded ? DECODED : context === SKIP ? SKIPPED : READ)
    if (!decoded) this.valueContext = context as Context
  }

  // A string ended at c[i - 1]: a value, or a key (then its colon is next). `true` when the copy
  // ends there: the value copied ended, or the scanner will fail on the key.
  private stringEnded(c: Buffer, i: number): boolean {
    if (!this.isKeyString) return this.afterValue()
    if (this.kind !== DECODED) {
      this.mode = COLON
      return false
    }
    const tail = c.subarray(Math.max(this.stringStart, 0), i)
    const bytes = this.keyParts.length === 0 ? tail : Buffer.concat([...this.keyParts, tail])
    this.keyParts = []
    return !this.keyed(bytes)
  }

  // The key just decoded sets the context of its value; `false` when the scanner will fail on it.
  private keyed(bytes: Buffer): boolean {
    const s = this.keyScanner
    s.buf = bytes
    s.pos = 0
    let key: string
    try {
      key = s.string()
    } catch {
      return false
    }
    this.mode = COLON
    const depth = this.closes.length
    if (depth === 0) {
      // A page wrapper's member: skipped, unless it is the findings array.
      this.valueContext = SKIP
      this.findingsNext = this.wrapper.isFindings(key)
      return true
    }
    const sub = (this.contexts[depth - 1] as Projection)[key]
    this.valueContext = sub === undefined ? SKIP : sub === true ? WHOLE : sub
    if (depth === 1 && this.root === 'topObject') {
      const findings = this.wrapper.isFindings(key)
      this.findingsNext = this.wrapperSoFar && findings
      this.wrapperSoFar = this.wrapperSoFar && this.wrapper.isMember(key) && !findings
    }
    return true
  }

  // A value ended: on to ',' or the closing bracket; `true` when it was the value copied.
  private afterValue(): boolean {
    if (this.closes.length === 0) return true
    this.mode = AFTER
    return false
  }

  // Out of the container just closed; `true` when it was the value copied.
  private leave(): boolean {
    this.closes.pop()
    this.contexts.pop()
    return this.afterValue()
  }

  // The closing quote of the string being walked, from `p` in chunk `c` (-1: not in it), as the
  // scanner finds it: the first quote not escaped by the backslash before it.
  private stringEnd(c: Buffer, from: number): number {
    const n = c.length
    let p = from
    for (;;) {
      if (this.escaped) {
        if (p >= n) return -1
        p++
        this.escaped = false
      }
      const q = c.indexOf(0x22, p)
      const to = q < 0 ? n : q
      let k = to - 1
      while (k >= p && c[k] === 0x5c) k--
      const odd = (to - 1 - k) % 2 === 1
      if (q < 0) {
        this.escaped = odd
        return -1
      }
      if (!odd) return q
      p = q + 1
    }
  }

  // Counts the newlines of c[from, to), which are being cut; `at` is c[0]'s original offset.
  private countCut(c: Buffer, from: number, to: number, at: number): void {
    for (let k = c.indexOf(0x0a, from); k >= 0 && k < to; k = c.indexOf(0x0a, k + 1)) {
      this.linesCut++
      this.lastCut = at + k
    }
  }

  private append(c: Buffer, from: number, to: number): void {
    const length = to - from
    if (length <= 0) return
    if (this.outLength + length > this.out.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.out.length, this.outLength + length))
      this.out.copy(grown, 0, 0, this.outLength)
      this.out = grown
    }
    c.copy(this.out, this.outLength, from, to)
    this.outLength += length
  }
}
