/**
 * Positions of a list of strings sorted by their strings in key order (UTF-16 code units, as
 * `compareKeys` and the built-in string sort), by three-way radix quicksort: each pass splits a
 * range of keys by one code unit, and the units every key of a range shares are passed over in
 * one scan, so a prefix the keys share (every image build ARN of an account begins alike, for
 * fifty-odd characters) costs one pass over them, not a comparison of it in every one of n·log n
 * comparisons. Positions are sorted in place of a list that names them, so no table of key to
 * position is needed afterwards.
 *
 * @module
 */

// Below this many keys, a range is finished by insertion, comparing whole strings.
const small = 12

// The code unit at `d`, or -1 past the end (a key sorts before every key it is a prefix of).
const unitAt = (s: string, d: number): number => (d < s.length ? s.charCodeAt(d) : -1)

/**
 * Sorts `positions` (indices into `keys`) in place so that their keys are in ascending key
 * order. Equal keys keep no particular order among themselves.
 *
 * @category utils
 */
export const sortByKey = (positions: Array<number>, keys: ReadonlyArray<string>): void => {
  const keyAt = (i: number): string => keys[positions[i] as number] as string
  const swap = (i: number, j: number): void => {
    const p = positions[i] as number
    positions[i] = positions[j] as number
    positions[j] = p
  }
  // Ranges left to sort: start, end (exclusive) and the code unit their keys share up to.
  const stack: Array<number> = [0, positions.length, 0]
  while (stack.length > 0) {
    let d = stack.pop() as number
    const hi = stack.pop() as number
    const lo = stack.pop() as number
    if (hi - lo <= small) {
      for (let i = lo + 1; i < hi; i++) for (let j = i; j > lo && keyAt(j - 1) > keyAt(j); j--) swap(j, j - 1)
      continue
    }
    // Past the units every key of the range shares, in one pass that reads each key's own
    // units in a row (a partitioning pass per shared unit would visit every key once a unit);
    // it ends at the first key that differs at `d`.
    const first = keyAt(lo)
    let shared = first.length - d
    for (let i = lo + 1; i < hi && shared > 0; i++) {
      const k = keyAt(i)
      const end = Math.min(shared, k.length - d)
      let c = 0
      while (c < end && k.charCodeAt(d + c) === first.charCodeAt(d + c)) c++
      shared = c
    }
    if (shared > 0) d += shared
    // The median of three units as pivot: keys already sorted or reversed split evenly.
    const a = unitAt(keyAt(lo), d)
    const b = unitAt(keyAt((lo + hi) >>> 1), d)
    const c = unitAt(keyAt(hi - 1), d)
    const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c))
    let lt = lo
    let gt = hi - 1
    let i = lo
    while (i <= gt) {
      const u = unitAt(keyAt(i), d)
      if (u < pivot) swap(lt++, i++)
      else if (u > pivot) swap(i, gt--)
      else i++
    }
    stack.push(lo, lt, d, gt + 1, hi, d)
    // Keys that ended at `d` are equal: nothing left to tell them apart.
    if (pivot >= 0) stack.push(lt, gt + 1, d + 1)
  }
}
