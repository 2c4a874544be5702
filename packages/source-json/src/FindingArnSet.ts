/**
 * A set of finding ARNs for de-duplication that stays small: it keeps a 64-bit fingerprint per
 * ARN (two independent 32-bit hashes) in an open-addressing table, about 16 bytes a finding
 * instead of the ARN itself. Two different ARNs share a fingerprint with probability about
 * n²/2⁶⁵ (below one in a hundred thousand at ten million findings).
 *
 * @module
 */

const fmix = (h: number): number => {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/**
 * The fingerprint set. `add` says whether the ARN was new.
 *
 * @category model
 */
export class FindingArnSet {
  private table = new Uint32Array(2 * 1024)
  private size = 0

  /** How many distinct ARNs were added. */
  get count(): number {
    return this.size
  }

  /** Adds an ARN; `false` when it was already there. */
  add(arn: string): boolean {
    let a = 0x811c9dc5
    let b = 0x9747b28c ^ arn.length
    for (let i = 0; i < arn.length; i++) {
      const c = arn.charCodeAt(i)
      a = Math.imul(a ^ c, 0x01000193)
      b = Math.imul(b ^ c, 0x5bd1e995)
      b ^= b >>> 15
    }
    a = fmix(a)
    b = (fmix(b) | 1) >>> 0 // never 0: a slot whose second word is 0 is empty
    if ((this.size + 1) * 2 > this.table.length / 2) this.grow()
    return this.insert(a, b)
  }

  private insert(a: number, b: number): boolean {
    const t = this.table
    const mask = t.length / 2 - 1
    for (let i = a & mask; ; i = (i + 1) & mask) {
      const sa = t[2 * i] as number
      const sb = t[2 * i + 1] as number
      if (sb === 0) {
        t[2 * i] = a
        t[2 * i + 1] = b
        this.size++
        return true
      }
      if (sa === a && sb === b) return false
    }
  }

  private grow(): void {
    const old = this.table
    this.table = new Uint32Array(old.length * 2)
    this.size = 0
    for (let i = 0; i < old.length; i += 2)
      if (old[i + 1] !== 0) this.insert(old[i] as number, old[i + 1] as number)
  }
}
