/**
 * Findings as words, to hand them between threads cheaply: each finding is five numbers (its
 * account, image build, pipeline and vulnerability as indexes into a table of strings sent
 * once each, and its severity, fixAvailable and exploitAvailable packed in one), so a batch is
 * one typed array moved, not thousands of objects copied, and group keys are sent once each.
 *
 * A caller that only counts may leave fields out (a fold): findings equal in the fields kept
 * are then one combination, sent once, and each finding is the one word of its combination's
 * index, so that the receiving side counts combinations instead of making findings.
 *
 * @module
 */
import { type Finding, type KeyString, severities } from '@scantally/core'
import type { FindingParts } from './FastRecord.js'
import { exploitValues, fixValues } from './WasmRecord.js'

/** Words per finding. */
export const WORDS_PER_FINDING = 5

/**
 * The fields of a finding a fold may leave out, as bits of a mask of those kept (the account,
 * severity, fixAvailable and exploitAvailable are always kept).
 *
 * @category model
 */
export const foldBits = { imageBuildVersionArn: 2, imagePipelineArn: 4, vulnerabilityId: 8 } as const

const fixes = fixValues
const exploits = exploitValues

// Severity, fixAvailable and exploitAvailable (indexes, -1: absent) in one word.
const packed = (severity: number, fix: number, exploit: number): number =>
  severity * 16 + (fix + 1) * 4 + exploit + 1

/**
 * A growing list of 32-bit words, taken out as a typed array of its own (to be moved to
 * another thread), with no number boxed on the way.
 *
 * @category model
 */
export class WordList {
  private words = new Uint32Array(4096)
  /** Words in the list. */
  length = 0

  private room(n: number): Uint32Array {
    if (this.length + n > this.words.length) {
      const grown = new Uint32Array(Math.max(this.words.length * 2, this.length + n))
      grown.set(this.words.subarray(0, this.length))
      this.words = grown
    }
    return this.words
  }

  push(w: number): void {
    this.room(1)[this.length++] = w
  }

  /** Appends the four words of `from` at `at`. */
  push4(from: Uint32Array, at: number): void {
    const w = this.room(4)
    const n = this.length
    w[n] = from[at] as number
    w[n + 1] = from[at + 1] as number
    w[n + 2] = from[at + 2] as number
    w[n + 3] = from[at + 3] as number
    this.length = n + 4
  }

  /** The words so far, as a new array, leaving the list empty. */
  take(): Uint32Array {
    const out = this.words.slice(0, this.length)
    this.length = 0
    return out
  }
}

// The hash of the five words at `at` of `t` (each word mixed in, then the bits spread, since
// the table takes its low bits).
const hash = (t: Uint32Array, at: number): number => {
  let h = Math.imul(t[at] as number, 0x9e3779b1)
  h = Math.imul(h ^ (t[at + 1] as number), 0x85ebca6b)
  h = Math.imul(h ^ (t[at + 2] as number), 0xc2b2ae35)
  h = Math.imul(h ^ (t[at + 3] as number), 0x27d4eb2f)
  h = Math.imul(h ^ (t[at + 4] as number), 0x165667b1)
  return h ^ (h >>> 16)
}

// Distinct five-word combinations, each with its index in order of first use: an open-addressing
// table over the words themselves (a Map would need a string made per finding).
class Combinations {
  words = new Uint32Array(5 * 1024)
  private slots = new Int32Array(2048) // index + 1, 0 when free
  size = 0

  /** The index of the combination at `w[0..4]`, added as the next one when new. */
  indexOf(w: Uint32Array): number {
    const mask = this.slots.length - 1
    const t = this.words
    for (let i = hash(w, 0) & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i] as number
      if (s === 0) {
        this.slots[i] = this.size + 1
        return this.insert(w)
      }
      const at = (s - 1) * 5
      if (
        t[at] === w[0] &&
        t[at + 1] === w[1] &&
        t[at + 2] === w[2] &&
        t[at + 3] === w[3] &&
        t[at + 4] === w[4]
      )
        return s - 1
    }
  }

  private insert(w: Uint32Array): number {
    if ((this.size + 1) * 5 > this.words.length) {
      const grown = new Uint32Array(this.words.length * 2)
      grown.set(this.words)
      this.words = grown
    }
    this.words.set(w, this.size * 5)
    const index = this.size++
    // At most half full, so that probes stay short.
    if (this.size * 2 > this.slots.length) {
      this.slots = new Int32Array(this.slots.length * 2)
      const mask = this.slots.length - 1
      for (let c = 0; c < this.size; c++) {
        let i = hash(this.words, c * 5) & mask
        while (this.slots[i] !== 0) i = (i + 1) & mask
        this.slots[i] = c + 1
      }
    }
    return index
  }
}

/**
 * The encoding side: gives strings ids (0 stands for absent) and remembers the strings that
 * are new since the last {@link FindingEncoder.take}.
 *
 * @category model
 */
export class FindingEncoder {
  private readonly ids = new Map<string, number>()
  // Ids by the reader's own ids of strings (see `add`), so that those skip the map: 0 when unknown.
  private byKnown = new Int32Array(1024)
  private fresh: Array<string> = []
  private readonly words = new WordList()
  private readonly combinations: Combinations | undefined
  private sent = 0
  private readonly one = new Uint32Array(5)

  private readonly keep: number

  /** `fold`: a mask of {@link foldBits} to fold findings by, or absent to send each in full. */
  constructor(fold?: number) {
    this.keep = fold ?? 0xf
    this.combinations = fold === undefined ? undefined : new Combinations()
  }

  private id(v: string | undefined, known: number): number {
    if (v === undefined) return 0
    if (known >= 0 && known < this.byKnown.length) {
      const id = this.byKnown[known] as number
      if (id !== 0) return id
    }
    let id = this.ids.get(v)
    if (id === undefined) {
      id = this.ids.size + 1
      this.ids.set(v, id)
      this.fresh.push(v)
    }
    if (known >= 0) {
      while (known >= this.byKnown.length) {
        const grown = new Int32Array(this.byKnown.length * 2)
        grown.set(this.byKnown)
        this.byKnown = grown
      }
      this.byKnown[known] = id
    }
    return id
  }

  private push(
    account: number,
    build: number,
    pipeline: number,
    vulnerabilityId: number,
    small: number,
  ): void {
    if (this.combinations === undefined) {
      const w = this.words
      w.push(account)
      w.push(build)
      w.push(pipeline)
      w.push(vulnerabilityId)
      w.push(small)
      return
    }
    const w = this.one
    w[0] = account
    w[1] = build
    w[2] = pipeline
    w[3] = vulnerabilityId
    w[4] = small
    this.words.push(this.combinations.indexOf(w))
  }

  /** Adds a finding (its ARN aside). */
  add(f: Finding): void {
    const k = this.keep
    this.push(
      this.id(f.awsAccountId, -1),
      k & 2 ? this.id(f.imageBuildVersionArn, -1) : 0,
      k & 4 ? this.id(f.imagePipelineArn, -1) : 0,
      k & 8 ? this.id(f.vulnerabilityId, -1) : 0,
      packed(
        severities.indexOf(f.severity),
        f.fixAvailable === undefined ? -1 : fixes.indexOf(f.fixAvailable),
        f.exploitAvailable === undefined ? -1 : exploits.indexOf(f.exploitAvailable),
      ),
    )
  }

  /**
   * Adds a finding the fast path left in parts; `known` holds the reader's ids of its account,
   * image build, pipeline and vulnerability id, each the same for equal strings through the
   * read (-1: none).
   */
  addParts(p: FindingParts, known: Int32Array): void {
    const k = this.keep
    this.push(
      this.id(p.account, known[0] as number),
      k & 2 ? this.id(p.build, known[1] as number) : 0,
      k & 4 ? this.id(p.pipeline, known[2] as number) : 0,
      k & 8 ? this.id(p.vulnerabilityId, known[3] as number) : 0,
      packed(p.severity, p.fix, p.exploit),
    )
  }

  /**
   * The findings added since the last take (five words each, or when folding the index of each
   * one's combination), the strings first used by them, and the combinations first used by them.
   */
  take(): {
    readonly words: Uint32Array
    readonly strings: ReadonlyArray<string>
    readonly combinations: Uint32Array
  } {
    const c = this.combinations
    const out = {
      words: this.words.take(),
      strings: this.fresh,
      combinations: c === undefined ? new Uint32Array(0) : c.words.slice(this.sent * 5, c.size * 5),
    }
    this.sent = c?.size ?? 0
    this.fresh = []
    return out
  }
}

/**
 * The decoding side of one {@link FindingEncoder}: strings are appended as batches bring them.
 *
 * @category model
 */
export class FindingDecoder {
  private readonly strings: Array<string | undefined> = [undefined]
  /** The combinations a folding encoder sent, five words each. */
  combinations = new Uint32Array(5 * 1024)
  private size = 0

  /** Appends the strings and combinations a batch first used. */
  learn(strings: ReadonlyArray<string>, combinations: Uint32Array): void {
    for (const s of strings) this.strings.push(s)
    if (combinations.length === 0) return
    if (this.size + combinations.length > this.combinations.length) {
      const grown = new Uint32Array(Math.max(this.combinations.length * 2, this.size + combinations.length))
      grown.set(this.combinations.subarray(0, this.size))
      this.combinations = grown
    }
    this.combinations.set(combinations, this.size)
    this.size += combinations.length
  }

  /**
   * The finding at word `at` of `words`, with its ARN when given, and the pipeline `pipelineOf`
   * gives its image build when it has none.
   */
  finding(
    words: Uint32Array,
    at: number,
    findingArn: string | undefined,
    pipelineOf?: (build: KeyString) => KeyString | undefined,
  ): Finding {
    // Made directly, members in the order `findingOf` gives them: this runs once per finding.
    const t = this.strings
    const small = words[at + 4] as number
    const f: { -readonly [K in keyof Finding]: Finding[K] } = {
      awsAccountId: t[words[at] as number] as Finding['awsAccountId'],
      severity: severities[small >>> 4] as Finding['severity'],
    }
    const build = t[words[at + 1] as number] as KeyString | undefined
    if (build !== undefined) f.imageBuildVersionArn = build
    const pipeline =
      (t[words[at + 2] as number] as KeyString | undefined) ??
      (build === undefined ? undefined : pipelineOf?.(build))
    if (pipeline !== undefined) f.imagePipelineArn = pipeline
    const vulnerabilityId = t[words[at + 3] as number] as KeyString | undefined
    if (vulnerabilityId !== undefined) f.vulnerabilityId = vulnerabilityId
    if (findingArn !== undefined) f.findingArn = findingArn as KeyString
    const fix = (small >>> 2) & 3
    if (fix !== 0) f.fixAvailable = fixes[fix - 1] as (typeof fixes)[number]
    const exploit = small & 3
    if (exploit !== 0) f.exploitAvailable = exploits[exploit - 1] as (typeof exploits)[number]
    return f
  }
}
