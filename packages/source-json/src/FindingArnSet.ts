/**
 * A set of finding ARNs for de-duplication that stays small: it keeps a 128-bit fingerprint per
 * ARN in open-addressing tables, 16 bytes a slot (about 20 to 40 bytes a finding with the
 * tables' slack) instead of the ARN itself. The fingerprint is two 64-bit hashes, each made of
 * two 32-bit lanes with their own seeds, multipliers and murmur3 finalizers. Two different ARNs
 * share a fingerprint with probability about n²/2¹²⁹: below 10⁻²⁴ at ten million findings, so a
 * duplicate wrongly dropped is astronomically unlikely, while an exact set would keep every ARN
 * (about 100 bytes each, a gigabyte at ten million).
 *
 * @module
 */
import {
  FP_FINAL_MUL_0,
  FP_FINAL_MUL_1,
  FP_FINAL_MUL_2,
  FP_FINAL_MUL_3,
  FP_LANE_MUL_0,
  FP_LANE_MUL_1,
  FP_LANE_MUL_2,
  FP_LANE_MUL_3,
  FP_MIX_MUL_0,
  FP_MIX_MUL_1,
  FP_SEED_0,
  FP_SEED_1,
  FP_SEED_2,
  FP_SEED_3,
} from './RecordLayout.js'

const fmix = (h: number): number => {
  h ^= h >>> 16
  h = Math.imul(h, FP_MIX_MUL_0)
  h ^= h >>> 13
  h = Math.imul(h, FP_MIX_MUL_1)
  return (h ^ (h >>> 16)) >>> 0
}

// Slots are four words; a slot whose last word is 0 is empty (so that word is never 0).
const WORDS = 4

const scratch = new Uint32Array(WORDS)

/**
 * Writes the 128-bit fingerprint of an ARN into `out` at `at` (four words, the last never 0),
 * so that a reader on another thread can fingerprint ARNs and hand over only the words. The ARN
 * is a string, or (`start` to `end` of) bytes holding an ASCII one: ASCII bytes fingerprint as
 * the string they spell, so a reader need not decode an ARN only to de-duplicate it.
 *
 * A deliberate twin of the walker's `fingerprint` in `assembly/record.ts` (see
 * docs/architecture.md): the constants come from the layout table, and `FastRecord.test.ts`
 * checks both give the same print.
 *
 * @category utils
 */
export const fingerprintInto = (
  arn: string | Uint8Array,
  out: Uint32Array,
  at: number,
  start = 0,
  end = arn.length,
): void => {
  const n = end - start
  const text = typeof arn === 'string' ? arn : undefined
  const bytes = typeof arn === 'string' ? undefined : arn
  const unit = (i: number): number =>
    text === undefined ? ((bytes as Uint8Array)[i] as number) : text.charCodeAt(i)
  let a = FP_SEED_0 ^ n
  let b = FP_SEED_1 ^ n
  let c = FP_SEED_2 ^ n
  let d = FP_SEED_3 ^ n
  // Two units a step, as one 32-bit word (the first in the low half), the last alone.
  for (let i = start; i < end; i += 2) {
    const u = i + 1 < end ? unit(i) | (unit(i + 1) << 16) : unit(i)
    a = Math.imul(a ^ u, FP_LANE_MUL_0)
    b = Math.imul(b ^ u, FP_LANE_MUL_1)
    b ^= b >>> 15
    c = Math.imul((c + u) | 0, FP_LANE_MUL_2)
    c = (c << 13) | (c >>> 19)
    d = Math.imul(d ^ u, FP_LANE_MUL_3)
    d ^= d >>> 13
  }
  // Each lane's finalizer takes in another lane, so every word depends on every lane.
  out[at] = fmix(a ^ Math.imul(c, FP_FINAL_MUL_0))
  out[at + 1] = fmix(b ^ Math.imul(d, FP_FINAL_MUL_1))
  out[at + 2] = fmix(c ^ Math.imul(a, FP_FINAL_MUL_2))
  out[at + 3] = (fmix(d ^ Math.imul(b, FP_FINAL_MUL_3)) | 1) >>> 0
}

// The set is SHARDS tables, a fingerprint's chosen by the top bits of its second word (its slot
// by the first). Each grows on its own, so growing holds one shard's old table beside its new
// one, not the whole set's: at ten million findings the set is 268 MB, and a process adding
// them to one table that doubled peaked at 510 MB, against 340 MB in sixteen.
const SHARD_BITS = 4
const SHARDS = 1 << SHARD_BITS
const SHARD_SHIFT = 32 - SHARD_BITS
const INITIAL_SLOTS = 64

/**
 * The fingerprint set. `add` says whether the ARN was new.
 *
 * @category model
 */
export class FindingArnSet {
  private tables = FindingArnSet.empty()
  private sizes = new Int32Array(SHARDS)
  private size = 0

  private static empty(): Array<Uint32Array> {
    return Array.from({ length: SHARDS }, () => new Uint32Array(WORDS * INITIAL_SLOTS))
  }

  /** How many distinct ARNs were added. */
  get count(): number {
    return this.size
  }

  /**
   * Makes room for `n` ARNs in all, so that a caller that can estimate them (from a file's size)
   * spares the set its rehashing as it grows; the set still grows past them.
   */
  reserve(n: number): void {
    const each = Math.ceil(n / SHARDS)
    for (let s = 0; s < SHARDS; s++) {
      let slots = (this.tables[s] as Uint32Array).length / WORDS
      while (each * 4 > slots * 3) slots *= 2
      // Once, to the size needed: doubling step by step would rehash every step.
      if (slots * WORDS > (this.tables[s] as Uint32Array).length) this.grow(s, slots * WORDS)
    }
  }

  /** Empties the set and lets its tables go, for a set whose read is over. */
  release(): void {
    this.tables = FindingArnSet.empty()
    this.sizes.fill(0)
    this.size = 0
  }

  /** Adds an ARN; `false` when it was already there. */
  add(arn: string): boolean {
    fingerprintInto(arn, scratch, 0)
    return this.addFingerprint(
      scratch[0] as number,
      scratch[1] as number,
      scratch[2] as number,
      scratch[3] as number,
    )
  }

  /**
   * Touches the slots where the fingerprints `prints[4i..4i+3]` (for i below `n`) would go: a
   * caller about to add many does this first, so that the memory reads, independent of each
   * other, overlap, and the adds that follow find their slots in the cache. Returns a value of
   * no meaning (so that the reads are not left out).
   */
  touch(prints: Uint32Array, n: number): number {
    const tables = this.tables
    let any = 0
    for (let i = 0; i < n; i++) {
      const t = tables[(prints[i * 4 + 1] as number) >>> SHARD_SHIFT] as Uint32Array
      any ^= t[((prints[i * 4] as number) & (t.length / WORDS - 1)) * WORDS + 3] as number
    }
    return any
  }

  /** Adds an ARN by its fingerprint (from {@link fingerprintInto}); `false` when it was already there. */
  addFingerprint(w0: number, w1: number, w2: number, w3: number): boolean {
    const s = w1 >>> SHARD_SHIFT
    // Grown at three quarters full: linear probing stays short, memory stays near 16 bytes/slot.
    if (((this.sizes[s] as number) + 1) * 4 > ((this.tables[s] as Uint32Array).length / WORDS) * 3)
      this.grow(s)
    if (!FindingArnSet.insert(this.tables[s] as Uint32Array, w0, w1, w2, w3)) return false
    this.sizes[s] = (this.sizes[s] as number) + 1
    this.size++
    return true
  }

  // Puts the fingerprint in table t; `false` when it was there already.
  private static insert(t: Uint32Array, w0: number, w1: number, w2: number, w3: number): boolean {
    const mask = t.length / WORDS - 1
    for (let i = w0 & mask; ; i = (i + 1) & mask) {
      const o = i * WORDS
      const s3 = t[o + 3] as number
      if (s3 === 0) {
        t[o] = w0
        t[o + 1] = w1
        t[o + 2] = w2
        t[o + 3] = w3
        return true
      }
      if (s3 === w3 && t[o] === w0 && t[o + 1] === w1 && t[o + 2] === w2) return false
    }
  }

  private grow(s: number, words = (this.tables[s] as Uint32Array).length * 2): void {
    const old = this.tables[s] as Uint32Array
    const t = new Uint32Array(words)
    for (let o = 0; o < old.length; o += WORDS)
      if (old[o + 3] !== 0)
        FindingArnSet.insert(
          t,
          old[o] as number,
          old[o + 1] as number,
          old[o + 2] as number,
          old[o + 3] as number,
        )
    this.tables[s] = t
  }
}
