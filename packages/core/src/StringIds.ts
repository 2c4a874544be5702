/**
 * Ids for strings: each string's place in a list, found again through an open-addressing table
 * of the strings' hashes. A reader interns every group key it meets; with hundreds of thousands
 * of image builds, a `Map` from string to id took most of the time of the thread that chains a
 * split read (0.3 s of a million findings), about twice as long as this table, which also keeps
 * two words a slot where the `Map` kept about seven.
 *
 * The hash is not keyed, so input made to collide could make probe runs long: a run longer
 * than {@link maxProbes} switches the table to a `Map` for good, which costs what a `Map` costs
 * and never more.
 *
 * @module
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The longest probe run the table takes before it leaves the work to a `Map`. */
export const maxProbes = 64

// A hash of a string's UTF-16 units, two a step (the second in the high half: the shift after
// each product brings the high bits down, or a unit there would never reach the low ones), with
// murmur3's finalizer so that strings that differ in one unit differ in their low bits (the
// table's index).
const hashOf = (s: string): number => {
  let h = 0x9747b28c ^ s.length
  const n = s.length
  let i = 0
  for (; i + 1 < n; i += 2) {
    h = Math.imul(h ^ (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16)), 0x01000193)
    h ^= h >>> 15
  }
  if (i < n) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

/**
 * A dictionary over a list of strings: {@link StringIds.intern} gives a string's index in
 * {@link StringIds.list}, appending it when it is not there. Strings the list held before it
 * was given here are not looked up (a placeholder at index 0, say); one equal to them is
 * appended again.
 *
 * @category model
 */
export class StringIds {
  // Per slot, the index of its string in the list plus one (0: empty), and that string's hash.
  private slots = new Int32Array(16)
  private hashes = new Int32Array(16)
  private used = 0
  // Set once a probe run grew too long: from then on, the only index.
  private map: Map<string, number> | undefined = undefined

  /** `hash` is for tests: one that collides makes long probe runs. */
  constructor(
    readonly list: Array<string> = [],
    private readonly hash: (s: string) => number = hashOf,
  ) {}

  /** Whether a probe run grew too long, so that a `Map` holds the ids now. */
  get inMap(): boolean {
    return this.map !== undefined
  }

  /** The index of `s` in {@link StringIds.list}, appended when new. */
  intern(s: string): number {
    if (this.map !== undefined) return this.inMapIntern(s)
    const h = this.hash(s)
    const slots = this.slots
    const mask = slots.length - 1
    let at = h & mask
    for (let probes = 0; ; probes++) {
      const slot = slots[at] as number
      if (slot === 0) break
      if (this.hashes[at] === h && this.list[slot - 1] === s) return slot - 1
      if (probes === maxProbes) {
        this.toMap()
        return this.inMapIntern(s)
      }
      at = (at + 1) & mask
    }
    const index = this.list.push(s) - 1
    slots[at] = index + 1
    this.hashes[at] = h
    if (++this.used * 2 > slots.length) this.grow()
    return index
  }

  /** Lets the table go (the list stays the caller's); strings interned after this are new. */
  clear(): void {
    this.slots = new Int32Array(16)
    this.hashes = new Int32Array(16)
    this.used = 0
    this.map = undefined
  }

  private inMapIntern(s: string): number {
    const map = this.map as Map<string, number>
    const known = map.get(s)
    if (known !== undefined) return known
    const index = this.list.push(s) - 1
    map.set(s, index)
    return index
  }

  // Every string the table found, into a map; the table is let go.
  private toMap(): void {
    const map = new Map<string, number>()
    for (const slot of this.slots) if (slot !== 0) map.set(this.list[slot - 1] as string, slot - 1)
    this.map = map
    this.slots = new Int32Array(0)
    this.hashes = new Int32Array(0)
  }

  // Twice the slots, each string placed again by its kept hash.
  private grow(): void {
    const oldSlots = this.slots
    const oldHashes = this.hashes
    const slots = new Int32Array(oldSlots.length * 2)
    const hashes = new Int32Array(slots.length)
    const mask = slots.length - 1
    for (let k = 0; k < oldSlots.length; k++) {
      const slot = oldSlots[k] as number
      if (slot === 0) continue
      const h = oldHashes[k] as number
      let at = h & mask
      while (slots[at] !== 0) at = (at + 1) & mask
      slots[at] = slot
      hashes[at] = h
    }
    this.slots = slots
    this.hashes = hashes
  }
}
