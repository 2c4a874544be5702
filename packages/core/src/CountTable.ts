/**
 * Counts by integer id in one typed array, a row of `countFields` each: what a one-pass
 * aggregation keeps per group when findings come as ids. Hundreds of thousands of groups cost
 * 36 bytes each here, against about 100 for an object of counts, and nothing for the garbage
 * collector to trace.
 *
 * @module
 */
import { grown } from './Columns.js'
import { type CountField, countFields, type MutableCounts, zeroCounts } from './Counts.js'
import { severities } from './Severity.js'

const width = countFields.length
// Each field's column in a row.
const columns = Object.fromEntries(countFields.map((f, i) => [f, i])) as Record<CountField, number>
// By index into `severities`, the column it counts in.
const severityColumns = severities.map((s) => columns[s.toLowerCase() as CountField])
// A row's `all` is its largest count: while it stays within 32 bits, so do the others.
const lastSafe = 0xffffffff

/**
 * Rows of counts by id (row 0 unused: id 0 stands for absent). A row whose `all` is 0 was never
 * added to.
 *
 * @category model
 */
export class CountTable {
  // 32-bit counts, until one would pass 2^32 - 1; then doubles for every row (exact to 2^53).
  // Two fields, not one of either type, so that counting reads one kind of array.
  private narrow = new Uint32Array(width * 1024)
  private wide: Float64Array | undefined = undefined
  private added = false

  /** Makes room for row `id`. */
  hold(id: number): void {
    const rows = this.rows()
    if ((id + 1) * width <= rows.length) return
    const capacity = Math.max(id + 1, Math.ceil((rows.length / width) * 1.5)) * width
    if (this.wide === undefined) {
      this.narrow = grown(this.narrow, new Uint32Array(capacity))
    } else this.wide = grown(this.wide, new Float64Array(capacity))
  }

  /**
   * Counts `n` findings (default one) of one severity (its index into `severities`) in row
   * `id`, held already.
   */
  add(id: number, severity: number, fix: boolean, exploit: boolean, n = 1): void {
    this.added = true
    const base = id * width
    if (this.wide === undefined && (this.narrow[base + columns.all] as number) + n <= lastSafe) {
      countInto(this.narrow, base, severity, fix, exploit, n)
      return
    }
    if (this.wide === undefined) {
      this.wide = grown(this.narrow, new Float64Array(this.narrow.length))
      this.narrow = new Uint32Array(0)
    }
    countInto(this.wide, base, severity, fix, exploit, n)
  }

  /** Whether no finding was counted. */
  isEmpty(): boolean {
    return !this.added
  }

  /** Calls `f` with each counted row's id and a fresh copy of its counts, in id order. */
  forEach(f: (id: number, counts: MutableCounts) => void): void {
    for (const id of this.ids()) f(id, this.counts(id))
  }

  /** The ids of the counted rows, in order. */
  ids(): Array<number> {
    const out: Array<number> = []
    const r = this.rows()
    for (let base = 0; base < r.length; base += width) if (r[base + columns.all] !== 0) out.push(base / width)
    return out
  }

  /** A fresh copy of row `id`'s counts (all 0 when never added to). */
  counts(id: number): MutableCounts {
    const r = this.rows()
    const base = id * width
    if (base >= r.length) return zeroCounts()
    const at = (field: CountField): number => r[base + (columns[field] as number)] as number
    // A literal of every field, as `zeroCounts` makes it: one shape for every group.
    return {
      all: at('all'),
      critical: at('critical'),
      high: at('high'),
      medium: at('medium'),
      low: at('low'),
      informational: at('informational'),
      untriaged: at('untriaged'),
      fixAvailable: at('fixAvailable'),
      exploitAvailable: at('exploitAvailable'),
    }
  }

  private rows(): Uint32Array | Float64Array {
    return this.wide ?? this.narrow
  }
}

// Adds `n` findings to the row at `base` of `r`. In practice always given the 32-bit rows, so
// it stays specialised to them; the doubles come only past 2^32 - 1 findings in one group.
const countInto = (
  r: Uint32Array | Float64Array,
  base: number,
  severity: number,
  fix: boolean,
  exploit: boolean,
  n: number,
): void => {
  // Written out, not through a helper closure: a closure made on each call was most of what the
  // chaining thread allocated (about 100 bytes a finding, and young-generation collections).
  const all = base + columns.all
  const bySeverity = base + (severityColumns[severity] as number)
  r[all] = (r[all] as number) + n
  r[bySeverity] = (r[bySeverity] as number) + n
  if (fix) r[base + columns.fixAvailable] = (r[base + columns.fixAvailable] as number) + n
  if (exploit) r[base + columns.exploitAvailable] = (r[base + columns.exploitAvailable] as number) + n
}
