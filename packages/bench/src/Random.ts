/**
 * A small seeded pseudo-random generator (sfc32), so a seed always gives the same export byte
 * for byte, on any machine and Node version.
 *
 * @module
 */

/**
 * A seeded source of numbers with the few draws the generator needs.
 *
 * @category model
 */
export class Random {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    this.a = 0x9e3779b9
    this.b = 0x243f6a88
    this.c = 0xb7e15162
    this.d = seed >>> 0
    for (let i = 0; i < 16; i++) this.next()
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** A uniform float in [0, 1). */
  float(): number {
    return this.next() / 4294967296
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n)
  }

  /** A uniform element of a non-empty array. */
  pick<A>(as: ReadonlyArray<A>): A {
    return as[this.int(as.length)] as A
  }

  /** An integer in [0, n) skewed towards 0 (a few values are common, most are rare). */
  skewed(n: number): number {
    const u = this.float()
    return Math.min(n - 1, Math.floor(n * u * u * u))
  }

  /** Lowercase hex digits. */
  hex(length: number): string {
    let s = ''
    while (s.length < length) s += this.next().toString(16).padStart(8, '0')
    return s.slice(0, length)
  }
}
