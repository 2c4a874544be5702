/**
 * Splits a stream of JSON bytes into records, one at a time, whatever the export's layout:
 * a sequence of top-level values (one document, concatenated documents, NDJSON), where a value
 * is a record, an array of records, or a page wrapper `{"findings": [record, …], …}` whose
 * array is streamed element by element. Only one record is ever materialized; the wrapper and
 * its arrays are walked, never held.
 *
 * @module
 */

import { bomLength } from './ByteOrderMarks.js'
import { CutCopy, type CutMap, type CutRoot } from './CutCopy.js'
import { JsonScanner, JsonSyntaxError, needMore, type Projection } from './JsonScanner.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Malformed input, located: the byte offset in the (decompressed) stream, and the 1-based
 * line and column (in bytes) of that offset.
 *
 * @category model
 */
export interface SyntaxProblem {
  readonly offset: number
  readonly line: number
  readonly column: number
  readonly message: string
}

/**
 * Receives each record and the byte offset where it starts; returns `false` to stop reading.
 *
 * @category model
 */
export type RecordSink = (record: unknown, offset: number) => boolean

/**
 * Thrown by a {@link FastRecordReader} that leaves a record to the plain path.
 *
 * @category model
 */
export const decline: { readonly _tag: 'Decline' } = { _tag: 'Decline' }

/**
 * A fast path for records: given the scanner at a record and the record's byte offset, it reads
 * the record itself and returns whether to go on, or throws {@link decline} or a
 * `JsonSyntaxError` to leave the record to the plain path: the record is then materialized and
 * given to the {@link RecordSink}, which meets any syntax error exactly where the plain path does.
 *
 * @category model
 */
export type FastRecordReader = (scanner: JsonScanner, offset: number) => boolean

/**
 * Counts the newlines of the scanner's buffer from `from` to before `end`: how many, and the
 * offset of the last (-1: none); `undefined` leaves the count to the reader.
 *
 * @category model
 */
export type NewlineCounter = (
  scanner: JsonScanner,
  from: number,
  end: number,
) => readonly [number, number] | undefined

/**
 * Reads a run of records at once, from the scanner's position (at the top level, or in an array
 * after a comma when `inArray`), each exactly as the fast path would one at a time, and stops
 * before anything else: moves the scanner to where it stopped and says how many records it
 * read and whether it stopped right after a record in an array (else it is at or before a
 * value's start, in the same state). `base` is the absolute offset of the scanner's buffer, for
 * a run that must stop before given offsets. A run may read nothing; the reader goes on its way.
 *
 * @category model
 */
export type RecordRun = (
  scanner: JsonScanner,
  inArray: boolean,
  base: number,
) => { readonly read: number; readonly afterRecord: boolean }

/**
 * Where a reader stands before a top-level value or an array element: enough for another
 * reader to go on from there exactly as this one would (used to split a file between threads).
 * `state` is opaque; `lines` counts the newlines before `offset` and `lastNewline` is the
 * offset of the last of them (-1 when none), so errors after it are located as in one pass.
 *
 * @category model
 */
export interface ReaderPosition {
  readonly offset: number
  readonly state: number
  readonly inWrapper: boolean
  readonly lines: number
  readonly lastNewline: number
}

/**
 * How a {@link RecordReader} reads, all optional: `fast` reads a record itself where it can,
 * `run` reads runs of records at once where it can (see {@link RecordRun}), `newlines` counts
 * newlines faster for line numbers, `stopBefore` is asked before each value that starts at the
 * top level or after an array's comma, with its offset and the reader's state there (`true`
 * stops the reader before that value), and `from` is where another reader stood, to go on from
 * there. `cutFrom` is the size from which a value still being read is read as a compact copy
 * whose long unread strings are cut (see `CutCopy`; default 8 MiB, `Infinity`: never), which a
 * caller that copies records' bytes ({@link RecordReader.bytesFrom}) must not have.
 *
 * @category model
 */
export interface RecordReaderOptions {
  readonly fast?: FastRecordReader | undefined
  readonly run?: RecordRun | undefined
  readonly newlines?: NewlineCounter | undefined
  readonly stopBefore?: ((offset: number, state: number, inWrapper: boolean) => boolean) | undefined
  readonly from?: ReaderPosition | undefined
  readonly cutFrom?: number | undefined
}

/**
 * The size from which a value still being read is read as a compact copy, by default: a record
 * this large is hundreds of times an ordinary one.
 *
 * @category model
 */
export const defaultCutFrom = 8 << 20

// Where the reader is between records.
const TOP = 0 // expecting a top-level value or the end
const ARRAY_FIRST = 1 // after '[': a record or ']'
const ARRAY_NEXT = 2 // after a record in an array: ',' or ']'
const ARRAY_ELEM = 3 // after ',' in an array: a record
const WRAP_NEXT = 4 // in a page wrapper after a member: ',' or '}'
const WRAP_KEY = 5 // in a page wrapper after ',': a member

// Members a page wrapper may have besides `findings`. An object whose members are all of these
// and `findings` is a page; any other member makes it a record.
// Security Hub's `GetFindings` pages spell theirs `Findings` and `NextToken`.
const wrapperKeys = new Set(['findings', 'nextToken', 'requestId', 'Findings', 'NextToken'])
// A UTF-8 byte order mark, for telling whether the first bytes may still become one.
const bom = Buffer.from([0xef, 0xbb, 0xbf])
const isFindingsKey = (key: string): boolean => key === 'findings' || key === 'Findings'
const wrapper = { isMember: (key: string) => wrapperKeys.has(key), isFindings: isFindingsKey }

// What a value that starts with byte `c` in reader state `state` is to a compact copy, if one
// may be made of it: a record, a top-level object, or a page wrapper's member.
const cutRoot = (state: number, c: number | undefined): CutRoot | undefined =>
  state === WRAP_KEY
    ? c === 0x22
      ? 'wrapperMember'
      : undefined
    : c !== 0x7b && c !== 0x5b
      ? undefined
      : state === TOP
        ? c === 0x7b
          ? 'topObject'
          : undefined
        : state === ARRAY_FIRST || state === ARRAY_ELEM
          ? 'record'
          : undefined

// Whether the key at the scanner's position (its opening quote) may spell a page wrapper's
// member: of 8 or 9 bytes, or escaped. Any other key is known to start a record without being
// decoded (an NDJSON line is probed this way); the record is read again from its start anyway.
const mayBeWrapperKey = (s: JsonScanner): boolean => {
  const b = s.buf
  const start = s.pos + 1
  // A loop of its own: keys are short, and this runs before every NDJSON record.
  let escaped = false
  for (let i = start; i < b.length; i++) {
    const c = b[i] as number
    if (c === 0x22) return escaped || i - start === 8 || i - start === 9
    if (c === 0x5c) escaped = true
  }
  return true // the slow way asks for more input
}

/**
 * The reader states in which a value starts that may be a record: the top level, and after a
 * comma in an array (of records or of a page's `findings`).
 *
 * @category model
 */
export const recordStates = { top: TOP, arrayElement: ARRAY_ELEM } as const

// -------------------------------------------------------------------------------------
// reader
// -------------------------------------------------------------------------------------

/**
 * A push-based record reader: feed it chunks with {@link RecordReader.push}, then
 * {@link RecordReader.finish}. Records go to the sink as soon as they are complete; a syntax
 * problem is returned, after which {@link RecordReader.resync} may skip to the next line when
 * the input is line-oriented.
 *
 * @category reader
 */
export class RecordReader {
  private readonly s = new JsonScanner()
  private state = TOP
  private inWrapper = false
  /** Absolute offset of `s.buf[0]`. */
  private base = 0
  /** Newlines before `base`, and the absolute offset of the last of them. */
  private lines = 0
  private lastNewline = -1
  private stopped = false
  private failedAt = -1
  private skippingLine = false
  // A value the buffer ended in is read again only once twice its bytes are buffered, so that a
  // huge one costs a linear number of reads and copies, not one per chunk: the chunks held until
  // then, and how many bytes from the value's start that takes.
  private held: Array<Buffer> = []
  private heldBytes = 0
  private needBytes = 0
  // A value past `cutFrom` bytes is walked into a compact copy as its bytes arrive (`cut`), then
  // read from the copy, which starts the buffer while `region` says where its bytes came from.
  private readonly cutFrom: number
  private cut: CutCopy | undefined = undefined
  private region: CutMap | undefined = undefined
  /** Whether any top-level value (even a broken one) was seen: an input without is empty. */
  sawValue = false
  // Whether the reader is at its input's very start, where a UTF-8 byte order mark is skipped.
  private atStart: boolean
  // Where the value being read started, and the state there.
  private mark = 0
  private markState = TOP
  private markWrapper = false
  private readonly fast: FastRecordReader | undefined
  private readonly run: RecordRun | undefined
  private readonly newlines: NewlineCounter | undefined
  private readonly stopBefore: RecordReaderOptions['stopBefore']
  // The last count of newlines: of the buffer of this epoch, up to `countedTo`.
  private countedEpoch = -1
  private countedTo = 0
  private countedLines = 0
  private countedLast = -1

  /**
   * Starts reading at the beginning of an input, or where another reader stood
   * (`options.from`), with the hooks of `options`.
   */
  constructor(
    private readonly projection: Projection,
    private readonly sink: RecordSink,
    options: RecordReaderOptions = {},
  ) {
    this.fast = options.fast
    this.run = options.run
    this.newlines = options.newlines
    this.stopBefore = options.stopBefore
    this.cutFrom = options.cutFrom ?? defaultCutFrom
    const from = options.from
    this.atStart = (from?.offset ?? 0) === 0
    if (from !== undefined) {
      this.base = from.offset
      this.state = from.state
      this.inWrapper = from.inWrapper
      this.lines = from.lines
      this.lastNewline = from.lastNewline
      this.sawValue = true
    }
  }

  /**
   * Where the value last started (the one a sink stopped at, or a problem was found in), as a
   * position another reader can go on from.
   */
  lastStart(): ReaderPosition {
    const [n, last] = this.newlinesBefore(this.mark)
    const lines = this.lines + n
    const lastNewline = last >= 0 ? last : this.lastNewline
    return {
      offset: this.absolute(this.mark),
      state: this.markState,
      inWrapper: this.markWrapper,
      lines,
      lastNewline,
    }
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.absolute(this.s.pos)
  }

  // The original offset of position `p` of the buffer.
  private absolute(p: number): number {
    return this.region === undefined ? this.base + p : this.region.original(p)
  }

  /**
   * A copy of the bytes from the absolute offset `start` (still buffered) to what is consumed:
   * the record's own bytes only when nothing is cut (`cutFrom: Infinity`).
   */
  bytesFrom(start: number): Buffer {
    return Buffer.from(this.s.buf.subarray(start - this.base, this.s.pos))
  }

  /**
   * The bytes from absolute offset `start` to `end`, still buffered and not cut (a record just
   * read, with `cutFrom: Infinity`), in place: valid until the reader reads on.
   */
  view(start: number, end: number): Buffer {
    const from = start - this.base
    if (this.region !== undefined || from < 0 || end - this.base > this.s.buf.length)
      throw new Error(`bytes ${start} to ${end} are no longer buffered`)
    return this.s.buf.subarray(from, end - this.base)
  }

  /** Appends a chunk and reads every record it completes. */
  push(chunk: Buffer): SyntaxProblem | undefined {
    if (this.stopped) return undefined
    this.compact()
    if (this.cut !== undefined) return this.feedCut(chunk)
    const s = this.s
    if (this.needBytes > 0) {
      this.held.push(chunk)
      this.heldBytes += chunk.length
      if (s.buf.length + this.heldBytes < this.needBytes) return undefined
      this.release()
    } else s.buf = s.buf.length === 0 ? chunk : Buffer.concat([s.buf, chunk])
    return this.drain()
  }

  // Appends the held chunks to the buffer.
  private release(): void {
    const s = this.s
    if (this.held.length > 0) s.buf = Buffer.concat([s.buf, ...this.held])
    this.held = []
    this.heldBytes = 0
    this.needBytes = 0
  }

  /**
   * The bytes read but not consumed yet (the start of a value the buffer ends in), for a caller
   * that fills buffers of its own: it copies them to the start of its next buffer, appends new
   * input and hands the whole over with {@link RecordReader.pushWhole}.
   */
  pending(): Buffer {
    this.compact()
    return this.s.buf
  }

  /** Reads on from a buffer that begins with {@link RecordReader.pending}'s bytes. */
  pushWhole(buf: Buffer): SyntaxProblem | undefined {
    if (this.stopped) return undefined
    this.compact()
    if (this.cut !== undefined) return this.feedCut(buf)
    this.s.buf = buf
    return this.drain()
  }

  /** Marks the end of input and reads what is left; a value still open is a problem. */
  finish(): SyntaxProblem | undefined {
    if (this.stopped) return undefined
    this.compact()
    this.endCut(Buffer.alloc(0))
    this.release()
    this.s.eof = true
    return this.drain()
  }

  /**
   * Reads every byte it holds, short of the end of input: for an input that failed before its
   * end, whose bytes before the failure come first (a syntax error in them is reported before
   * the failure, however the bytes were chunked).
   */
  readHeld(): SyntaxProblem | undefined {
    if (this.stopped) return undefined
    this.compact()
    this.endCut(Buffer.alloc(0))
    this.release()
    return this.drain()
  }

  // Walks a chunk into the compact copy; once the value is copied, reads on from the copy.
  private feedCut(chunk: Buffer): SyntaxProblem | undefined {
    const end = (this.cut as CutCopy).feed(chunk)
    if (end < 0) return undefined
    this.endCut(chunk.subarray(end))
    return this.drain()
  }

  // Ends the compact copy being made, if any: the buffer becomes the copy and then `rest`.
  private endCut(rest: Buffer): void {
    const cut = this.cut
    if (cut === undefined) return
    this.cut = undefined
    this.region = cut.map()
    this.s.buf = Buffer.concat([cut.copy(), rest])
    this.s.pos = 0
    this.mark = 0
  }

  // After the value at the position failed to end in the buffer: walks it into a compact copy
  // when it is large enough and one may be made of it; `true` when it is.
  private startCut(): boolean {
    const s = this.s
    if (this.region !== undefined || s.buf.length - s.pos < this.cutFrom) return false
    const root = cutRoot(this.state, s.buf[s.pos])
    if (root === undefined) return false
    this.compact()
    const cut = new CutCopy(root, this.projection, wrapper, this.base)
    this.cut = cut
    this.mark = 0
    const bytes = s.buf
    s.buf = Buffer.alloc(0)
    const end = cut.feed(bytes)
    if (end >= 0) this.endCut(bytes.subarray(end))
    return true
  }

  /** Goes on reading what is buffered, after a {@link RecordReader.resync}. */
  resume(): SyntaxProblem | undefined {
    return this.stopped ? undefined : this.drain()
  }

  /**
   * After a problem in a top-level value that began at the start of a line (NDJSON), skips to
   * the next line and goes on; returns `false`, leaving the reader stopped, when the problem is
   * inside an array or a page, where there is no safe point to resume from.
   */
  resync(): boolean {
    const s = this.s
    const at = this.failedAt
    const lineStart =
      at === 0 ? this.base === 0 || this.lastNewline === this.base - 1 : s.buf[at - 1] === 0x0a
    if (this.state !== TOP || at < 0 || !lineStart) return false
    // The next line may start inside a compact copy: it is read on from only where the copy
    // holds the original bytes, after the last string cut (a cut string's newlines are gone).
    const r = this.region
    if (r !== undefined) {
      const nl = s.buf.indexOf(0x0a, at)
      if (r.cutNewlines(r.length)[0] > 0 || (nl >= 0 && nl < r.length && r.lastCut() > nl)) return false
    }
    s.pos = at
    this.stopped = false
    this.skippingLine = true
    return true
  }

  // Drops consumed bytes, keeping the line count of what is dropped.
  private compact(): void {
    const s = this.s
    const keep = s.pos
    // A compact copy is read whole, or not at all: the reader never stops inside one.
    if (keep === 0 || (this.region !== undefined && keep < this.region.length)) return
    const b = s.buf
    const [n, last] = this.newlinesBefore(keep)
    this.lines += n
    if (last >= 0) this.lastNewline = last
    this.base = this.absolute(keep)
    this.region = undefined
    s.buf = keep >= b.length ? Buffer.alloc(0) : b.subarray(keep)
    s.pos = 0
    // The value being read starts where it did: a reader waiting for more of it (held chunks)
    // may be asked where before it reads again.
    this.mark -= keep
  }

  private drain(): SyntaxProblem | undefined {
    const s = this.s
    if (this.atStart && !this.skipByteOrderMark()) return undefined
    for (;;) {
      if (this.stopped) return undefined
      if (this.skippingLine) {
        const nl = s.buf.indexOf(0x0a, s.pos)
        if (nl < 0) {
          s.pos = s.buf.length
          return undefined
        }
        s.pos = nl + 1
        this.skippingLine = false
      }
      // Past a compact copy: its bytes are let go, the rest is original.
      if (this.region !== undefined && s.pos >= this.region.length) this.compact()
      if (
        this.run !== undefined &&
        this.region === undefined &&
        (this.state === TOP || this.state === ARRAY_ELEM)
      ) {
        const ran = this.run(s, this.state === ARRAY_ELEM, this.base)
        if (ran.read > 0 && this.state === TOP) this.sawValue = true
        if (ran.afterRecord) this.state = ARRAY_NEXT
      }
      const c = s.ws() // so that a failure is located at the value, not at the whitespace before it
      const mark = s.pos
      this.mark = mark
      this.markState = this.state
      this.markWrapper = this.inWrapper
      if (
        c >= 0 &&
        this.stopBefore !== undefined &&
        (this.state === TOP || this.state === ARRAY_ELEM) &&
        this.stopBefore(this.absolute(mark), this.state, this.inWrapper)
      ) {
        this.stopped = true
        return undefined
      }
      try {
        if (!this.step()) return undefined
      } catch (e) {
        if (e === needMore) {
          s.pos = mark
          if (this.startCut()) {
            if (this.cut !== undefined) return undefined
            continue
          }
          this.needBytes = 2 * (s.buf.length - mark)
          return undefined
        }
        if (e instanceof JsonSyntaxError) {
          this.stopped = true
          this.failedAt = mark
          return this.problem(e.at, e.message)
        }
        throw e
      }
    }
  }

  // Past a UTF-8 byte order mark that starts the input (the format was told past one, and RFC
  // 8259 lets a parser ignore it; editors and PowerShell write one): `false` while the bytes
  // buffered may still be the start of one.
  private skipByteOrderMark(): boolean {
    const s = this.s
    const b = s.buf
    if (b.length < bom.length && !s.eof && bom.subarray(0, b.length).equals(b)) return false
    this.atStart = false
    if (s.pos === 0) s.pos = bomLength(b)
    return true
  }

  // One move of the state machine; `false` when the buffer is exhausted between records.
  private step(): boolean {
    const s = this.s
    const c = s.ws()
    if (c < 0) {
      if (s.eof && this.state !== TOP)
        throw new JsonSyntaxError(s.buf.length, 'unexpected end of input (truncated?)')
      return false
    }
    switch (this.state) {
      case TOP:
        this.sawValue = true
        if (c === 0x5b) {
          this.inWrapper = false
          return this.pass(ARRAY_FIRST)
        }
        if (c === 0x7b) return this.probe()
        return this.record(TOP)
      case ARRAY_FIRST:
        if (c === 0x5d) return this.closeArray()
        return this.record(ARRAY_NEXT)
      case ARRAY_NEXT:
        if (c === 0x2c) return this.pass(ARRAY_ELEM)
        if (c === 0x5d) return this.closeArray()
        throw s.unexpected(s.pos, "',' or ']'")
      case ARRAY_ELEM:
        return this.record(ARRAY_NEXT)
      case WRAP_NEXT:
        if (c === 0x2c) return this.pass(WRAP_KEY)
        if (c === 0x7d) return this.pass(TOP)
        throw s.unexpected(s.pos, "',' or '}'")
      default: {
        // WRAP_KEY: a member of a page wrapper, read whole before the state moves on.
        const key = s.key()
        if (isFindingsKey(key) && s.next() === 0x5b) return this.pass(ARRAY_FIRST)
        s.skip()
        this.state = WRAP_NEXT
        return true
      }
    }
  }

  private closeArray(): boolean {
    return this.pass(this.inWrapper ? WRAP_NEXT : TOP)
  }

  // Past the byte at the position (a bracket or a comma) into `state`.
  private pass(state: number): boolean {
    this.s.pos++
    this.state = state
    return true
  }

  private record(next: number): boolean {
    const s = this.s
    const start = s.pos
    if (this.fast !== undefined) {
      const goOn = this.tryFast(start)
      if (goOn !== undefined) {
        this.state = next
        if (!goOn) this.stopped = true
        return true
      }
      s.pos = start
    }
    const value = s.value(this.projection)
    this.state = next
    if (!this.sink(value, this.absolute(start))) this.stopped = true
    return true
  }

  private tryFast(start: number): boolean | undefined {
    try {
      return (this.fast as FastRecordReader)(this.s, this.absolute(start))
    } catch (e) {
      if (e === decline || e instanceof JsonSyntaxError) return undefined
      throw e
    }
  }

  // A top-level object: a page wrapper when its members up to `findings: [` are wrapper
  // members, else a record, re-read from its start. Pages put `findings` first or after
  // `nextToken`, and records start with record members, so this looks at a member or two.
  private probe(): boolean {
    const s = this.s
    const start = s.pos
    s.pos++
    let members = 0
    for (;;) {
      let c = s.next()
      if (c === 0x7d) {
        if (members === 0) break
        s.pos++
        return true // a page without findings
      }
      if (c !== 0x22) throw s.unexpected(s.pos, 'a string key')
      if (!mayBeWrapperKey(s)) break
      const key = s.key()
      if (!wrapperKeys.has(key)) break
      if (isFindingsKey(key)) {
        if (s.next() !== 0x5b) break
        this.inWrapper = true
        return this.pass(ARRAY_FIRST)
      }
      s.skip()
      members++
      c = s.next()
      if (c === 0x2c) s.pos++
      else if (c !== 0x7d) throw s.unexpected(s.pos, "',' or '}'")
    }
    s.pos = start
    return this.record(TOP)
  }

  // The newlines before position `end` of the buffer: how many, and the original offset of the
  // last (-1: none), those of strings cut from a compact copy included.
  private newlinesBefore(end: number): readonly [number, number] {
    const [n, last] = this.bufferNewlines(end)
    const r = this.region
    if (r === undefined) return [n, last >= 0 ? this.base + last : -1]
    const [cutN, cutLast] = r.cutNewlines(end)
    return [n + cutN, Math.max(last >= 0 ? r.original(last) : -1, cutLast)]
  }

  // The newlines of the buffer before `end`: how many, and the offset of the last (-1: none).
  // A count for the same buffer up to an earlier end is gone on from (a batch's position, then
  // the compaction after it), so each byte is counted once.
  private bufferNewlines(end: number): readonly [number, number] {
    const s = this.s
    let from = 0
    let n = 0
    let last = -1
    if (this.countedEpoch === s.epoch && this.countedTo <= end) {
      from = this.countedTo
      n = this.countedLines
      last = this.countedLast
    }
    const counted = this.newlines?.(s, from, end)
    if (counted !== undefined) {
      n += counted[0]
      if (counted[1] >= 0) last = counted[1]
    } else {
      const b = s.buf
      for (let i = b.indexOf(0x0a, from); i >= 0 && i < end; i = b.indexOf(0x0a, i + 1)) {
        n++
        last = i
      }
    }
    this.countedEpoch = s.epoch
    this.countedTo = end
    this.countedLines = n
    this.countedLast = last
    return [n, last]
  }

  private problem(at: number, message: string): SyntaxProblem {
    const [n, last] = this.newlinesBefore(at)
    const line = this.lines + 1 + n
    const lastNewline = last >= 0 ? last : this.lastNewline
    const offset = this.absolute(at)
    return { offset, line, column: offset - lastNewline, message }
  }
}
