/**
 * Splitting CSV text into records fast in the regular case that exports are written in
 * (RFC 4180): every record with the header's number of fields, each field quoted (`"` doubled
 * inside) or plain (no quote, no carriage return), records ended by `\r\n` or `\n`. It decodes
 * only the cells asked for, where `csv-parse` runs a state machine over every byte of all 55
 * columns of Inspector's report (30 MB/s). Anything else is irregular: a stray or unclosed quote,
 * a carriage return outside a quoted field but in a line end, a record of another length (an
 * empty line too), a record longer than {@link maxRecordBytes}. The splitter then stops before
 * that record and `csv-parse` reads the rest (see `CsvReport.csvReportItems`), so its errors,
 * line numbers and policies stay the reference.
 *
 * @module
 */
import { bomLength } from './ByteOrderMarks.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Takes a record split off: its cells (only those asked for decoded, the header's all; the
 * array is lent for the call, then used again), the absolute byte offset after it and its
 * record delimiter, and the 1-based line it ends on (as `csv-parse` counts them in `info.bytes`
 * and `info.lines`).
 *
 * @category model
 */
export type SplitRecord = (cells: ReadonlyArray<string | undefined>, end: number, line: number) => void

/**
 * Where the splitter stopped before an irregular record: the bytes from it on (with what is
 * still to come, for `csv-parse`), its absolute offset, the lines before it, and the header
 * record's bytes and lines (none when the header itself is irregular).
 *
 * @category model
 */
export interface SplitStop {
  readonly rest: Buffer
  readonly offset: number
  readonly lines: number
  readonly header: { readonly bytes: Buffer; readonly lines: number; readonly fields: number } | undefined
}

// -------------------------------------------------------------------------------------
// splitting
// -------------------------------------------------------------------------------------

/**
 * The longest record split here; a longer one is left to `csv-parse`, which reads it in pieces.
 *
 * @category splitting
 */
export const maxRecordBytes = 16 << 20

const QUOTE = 0x22
const COMMA = 0x2c
const LF = 0x0a
const CR = 0x0d

// A record that the bytes buffered do not complete yet, or one that is irregular.
const incomplete = -1
const irregular = -2

/**
 * Splits the chunks of a CSV text into records, the first being the header.
 *
 * @category splitting
 */
export class CsvSplitter {
  private buf: Buffer = Buffer.alloc(0)
  // Absolute offset of buf[0], and the lines ended before it.
  private base = 0
  private lines = 0
  private fields = -1
  private wanted: ReadonlyArray<boolean> = []
  private header: SplitStop['header']
  private started = false
  // The first carriage return at or after the last field looked at (-1: none in the buffer),
  // and those in the quoted fields of the record being split.
  private cr = -1
  private quotedCRs = 0
  private readonly cells: Array<string | undefined> = []
  /** Where it stopped, once it met an irregular record. */
  stop: SplitStop | undefined

  /**
   * A splitter that decodes, in every record after the header, only the cells of the columns
   * `wantedOf` the header's cells marks `true`.
   */
  constructor(private readonly wantedOf: (header: ReadonlyArray<string>) => ReadonlyArray<boolean>) {}

  /** Hands `each` the records `chunk` completes (`last`: no input follows); none once stopped. */
  push(chunk: Buffer, last: boolean, each: SplitRecord): void {
    if (this.stop !== undefined) return
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk])
    if (!this.started) {
      // A UTF-8 byte order mark is skipped, as `csv-parse` does with `bom: true`.
      if (this.buf.length < 3 && !last) return
      this.started = true
      this.base = bomLength(this.buf)
      this.buf = this.buf.subarray(this.base)
    }
    this.cr = this.buf.indexOf(CR)
    const cells = this.cells
    let p = 0
    for (;;) {
      if (p === this.buf.length) break
      cells.length = 0
      this.quotedCRs = 0
      const end = this.record(p, last, cells)
      if (end === incomplete) {
        if (this.buf.length - p > maxRecordBytes) this.halt(p)
        break
      }
      if (end === irregular || (this.fields >= 0 && cells.length !== this.fields)) {
        this.halt(p)
        break
      }
      this.lines += this.newlines(p, end) + this.quotedCRs
      if (this.fields < 0) {
        this.fields = cells.length
        this.header = {
          bytes: Buffer.from(this.buf.subarray(p, end)),
          lines: this.lines,
          fields: cells.length,
        }
        this.wanted = this.wantedOf(cells as ReadonlyArray<string>)
      }
      // The last record, with no line end, ends on the line after those ended before it.
      const open = this.buf[end - 1] !== LF
      each(cells, this.base + end, this.lines + (open ? 1 : 0))
      p = end
    }
    if (this.stop === undefined) {
      this.base += p
      this.buf = this.buf.subarray(p)
    }
  }

  // Stops before the record at p.
  private halt(p: number): void {
    this.stop = {
      rest: this.buf.subarray(p),
      offset: this.base + p,
      lines: this.lines,
      header: this.header,
    }
  }

  // Line ends in [p, end): a record holds no carriage return but in `\r\n`.
  private newlines(p: number, end: number): number {
    let n = 0
    for (let i = this.buf.indexOf(LF, p); i >= 0 && i < end; i = this.buf.indexOf(LF, i + 1)) n++
    return n
  }

  // Splits the record at p into `cells`: the offset after its record delimiter, `incomplete` or
  // `irregular`.
  private record(p: number, last: boolean, cells: Array<string | undefined>): number {
    const b = this.buf
    const n = b.length
    const header = this.fields < 0
    // An empty line is a record of one empty field to `csv-parse`: its rules decide it.
    if (b[p] === LF || b[p] === CR) return irregular
    for (;;) {
      const take = header || this.wanted[cells.length] === true
      let after: number
      if (p < n && b[p] === QUOTE) {
        // A quoted field: to the quote not doubled.
        let q = p + 1
        let doubled = false
        let close = -1
        for (;;) {
          const i = b.indexOf(QUOTE, q)
          if (i < 0 || i + 1 >= n) {
            if (i >= 0 && last) close = i
            break
          }
          if (b[i + 1] !== QUOTE) {
            close = i
            break
          }
          doubled = true
          q = i + 2
        }
        if (close < 0) return last ? irregular : incomplete
        // `csv-parse` counts a line for each carriage return in a quoted field too (and one for a
        // `\r\n` that ends a record).
        if (this.cr >= 0 && this.cr <= p) this.cr = b.indexOf(CR, p + 1)
        while (this.cr >= 0 && this.cr < close) {
          this.quotedCRs++
          this.cr = b.indexOf(CR, this.cr + 1)
        }
        if (take) {
          const s = b.toString('utf8', p + 1, close)
          cells.push(doubled ? s.replaceAll('""', '"') : s)
        } else cells.push(undefined)
        after = close + 1
      } else {
        // A plain field: to the next comma or line end; a quote in it is irregular.
        let i = p
        while (i < n) {
          const c = b[i] as number
          if (c === COMMA || c === LF || c === CR) break
          if (c === QUOTE) return irregular
          i++
        }
        if (i === n && !last) return incomplete
        cells.push(take ? b.toString('utf8', p, i) : undefined)
        after = i
      }
      // After a field: a comma, a record delimiter, or the end of the text.
      if (after === n) return last ? n : incomplete
      const c = b[after]
      if (c === COMMA) {
        p = after + 1
        continue
      }
      if (c === LF) return after + 1
      if (c === CR) {
        if (after + 1 === n) return last ? irregular : incomplete
        return b[after + 1] === LF ? after + 2 : irregular
      }
      return irregular
    }
  }
}
