/**
 * Typed columns that grow as rows are added, by doubling, and are kept once complete.
 *
 * @module
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A column of numbers, one per row.
 *
 * @category model
 */
export type Column = Int32Array | Uint32Array | Uint8Array | Float64Array

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * `to`, a larger column, with `from`'s rows copied to its start (converted when `to` holds
 * another kind of number, as 32-bit counts widened to doubles).
 *
 * @category utils
 */
export const grown = <A extends Column>(from: Column, to: A): A => {
  to.set(from)
  return to
}

/**
 * The first `rows` rows of a grown column, to be kept: the column itself (a view of it) when at
 * least half of it is used, else a copy of them. A copy of a large column is fresh memory written
 * once more, and the old and the new are both held while it is made (at a million rows, some
 * tens of MB, a tenth of a second on a machine whose page faults are slow); so at most half of
 * what is kept is room never used.
 *
 * @category utils
 */
export const trimmed = <A extends Column>(column: A, rows: number): A =>
  (2 * rows >= column.length ? column.subarray(0, rows) : column.slice(0, rows)) as A
