/**
 * Counts by integer id in one typed array, a row of `countFields` each: what a one-pass
 * aggregation keeps per group when findings come as ids. Hundreds of thousands of groups cost
 * 36 bytes each here, against about 100 for an object of counts, and nothing for the garbage
 * collector to trace.
 *
 * @module
 */
import { type CountField, countFields, type MutableCounts, zeroCounts } from './Counts.js'
import { severities } from './Severity.js'

const width = countFields.length
const column = (field: CountField): number => countFields.indexOf(field)
const allColumn = column('all')
const fixColumn = column('fixAvailable')
const exploitColumn = column('exploitAvailable')
// By index into `severities`, the column it counts in.
const severityColumns = severities.map((s) => column(s.toLowerCase() as CountField))
// A row's `all` is its largest count: while it stays within 32 bits, so do the others.
const lastSafe = 0xffffffff

/**
 * Rows of counts by id (row 0 unused: id 0 stands for absent). A row whose `all` is 0 was never
 * added to.
 *
 * @category model
 */
export class CountTable {
  // 32-bit counts until one would pass 2^32 - 1, then doubles for every row (exact to 2^53).
  private rows: Uint32Array | Float64Array = new Uint32Array(width * 1024)
  private added = false

  /** Makes room for row `id`. */
  hold(id: number): void {
    if ((id + 1) * width <= this.rows.length) return
    const capacity = Math.max(id + 1, Math.ceil((this.rows.length / width) * 1.5))
    this.resize(capacity, this.rows instanceof Float64Array)
  }

  /**
   * Counts `n` findings (default one) of one severity (its index into `severities`) in row
   * `id`, held already.
   */
  add(id: number, severity: number, fix: boolean, exploit: boolean, n = 1): void {
    const base = id * width
    if ((this.rows[base + allColumn] as number) + n > lastSafe && this.rows instanceof Uint32Array)
      this.resize(this.rows.length / width, true)
    this.bump(base + allColumn, n)
    this.bump(base + (severityColumns[severity] as number), n)
    if (fix) this.bump(base + fixColumn, n)
    if (exploit) this.bump(base + exploitColumn, n)
    this.added = true
  }

  /** Whether no finding was counted. */
  isEmpty(): boolean {
    return !this.added
  }

  /** Calls `f` with each counted row's id and a fresh copy of its counts, in id order. */
  forEach(f: (id: number, counts: MutableCounts) => void): void {
    const r = this.rows
    for (let base = 0; base < r.length; base += width)
      if (r[base + allColumn] !== 0) f(base / width, this.counts(base / width))
  }

  /** The ids of the counted rows, in order. */
  ids(): Array<number> {
    const out: Array<number> = []
    const r = this.rows
    for (let base = 0; base < r.length; base += width) if (r[base + allColumn] !== 0) out.push(base / width)
    return out
  }

  /** A fresh copy of row `id`'s counts (all 0 when never added to). */
  counts(id: number): MutableCounts {
    const c = zeroCounts()
    const r = this.rows
    const base = id * width
    if (base < r.length)
      for (let i = 0; i < width; i++) c[countFields[i] as CountField] = r[base + i] as number
    return c
  }

  private bump(at: number, n: number): void {
    this.rows[at] = (this.rows[at] as number) + n
  }

  private resize(capacity: number, wide: boolean): void {
    const rows = wide ? new Float64Array(capacity * width) : new Uint32Array(capacity * width)
    rows.set(this.rows)
    this.rows = rows
  }
}
