/**
 * Findings as words, to hand them between threads cheaply: each finding is five numbers (its
 * account, image build, pipeline and vulnerability as indexes into a table of strings sent
 * once each, and its severity, fixAvailable and exploitAvailable packed in one), so a batch is
 * one typed array moved, not thousands of objects copied, and group keys are sent once each.
 *
 * @module
 */
import { type Finding, type GroupKey, type KeyString, severities } from '@scantally/core'
import { fixCodes } from '@scantally/core/internal'
import type { FindingParts } from './FastRecord.js'
import type { FindingIdSink } from './FindingIdSink.js'
import {
  exploitValues,
  fixValues,
  PACK_EXPLOIT_MASK,
  PACK_EXPLOIT_SHIFT,
  PACK_FIX_MASK,
  PACK_FIX_SHIFT,
  PACK_SEVERITY_SHIFT,
} from './RecordLayout.js'
import type { RecordLocation } from './RecordLocation.js'

/** Words per finding. */
export const WORDS_PER_FINDING = 5

const fixes = fixValues
const exploits = exploitValues
// A packed fix (0: absent, k: `fixes[k - 1]`) as a code of core's `fixCodes`, and whether a
// packed exploit is YES: the two vocabularies are told apart by value, not by their order.
const fixCodeOf = Uint8Array.from([0, ...fixes.map((v) => fixCodes.indexOf(v))])
const exploitYes = [false, ...exploits.map((v) => v === 'YES')]
const sinkColumns: ReadonlyArray<GroupKey> = [
  'accountId',
  'imageBuildVersionArn',
  'imagePipelineArn',
  'vulnerabilityId',
]

// Severity, fixAvailable and exploitAvailable (indexes, -1: absent) in one word, as the walker
// packs them.
const packed = (severity: number, fix: number, exploit: number): number =>
  (severity << PACK_SEVERITY_SHIFT) | ((fix + 1) << PACK_FIX_SHIFT) | ((exploit + 1) << PACK_EXPLOIT_SHIFT)

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

/**
 * The encoding side: gives strings ids (0 stands for absent) and remembers the strings that
 * are new since the last {@link FindingEncoder.take}.
 *
 * @category model
 */
export class FindingEncoder {
  // Ids of strings the reader did not intern. Those it did are found by its own id alone and
  // not held here: with hundreds of thousands of image builds, the strings are most of a
  // thread's memory, and once sent they are of no use to it.
  private readonly ids = new Map<string, number>()
  // Ids by the reader's own ids of strings (see `add`), so that those skip the map: 0 when unknown.
  private byKnown = new Int32Array(1024)
  private fresh: Array<string> = []
  // Ids given so far.
  private count = 0
  private readonly words = new WordList()

  private id(v: string | undefined, known: number): number {
    if (v === undefined) return 0
    if (known >= 0 && known < this.byKnown.length) {
      const id = this.byKnown[known] as number
      if (id !== 0) return id
    }
    // A string the reader knows by an id of its own is new here when that id is: it is not
    // looked up (a string also added by value may then have two ids, which decode alike).
    let id = known >= 0 ? undefined : this.ids.get(v)
    if (id === undefined) {
      id = ++this.count
      if (known < 0) this.ids.set(v, id)
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
    const w = this.words
    w.push(account)
    w.push(build)
    w.push(pipeline)
    w.push(vulnerabilityId)
    w.push(small)
  }

  /** Adds a finding (its ARN aside). */
  add(f: Finding): void {
    this.push(
      this.id(f.awsAccountId, -1),
      this.id(f.imageBuildVersionArn, -1),
      this.id(f.imagePipelineArn, -1),
      this.id(f.vulnerabilityId, -1),
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
    this.push(
      this.id(p.account, known[0] as number),
      this.id(p.build, known[1] as number),
      this.id(p.pipeline, known[2] as number),
      this.id(p.vulnerabilityId, known[3] as number),
      packed(p.severity, p.fix, p.exploit),
    )
  }

  /**
   * Adds a finding given as the reader's ids of its account, image build, pipeline and
   * vulnerability id (-1: absent) and its packed severity, fix and exploit, as a run leaves it
   * from word `at` of `words`; `stringOf` gives the string of a reader's id.
   */
  addIds(words: Uint32Array, at: number, stringOf: (id: number) => string): void {
    this.push(
      this.known(words[at] as number, stringOf),
      this.known(words[at + 1] as number, stringOf),
      this.known(words[at + 2] as number, stringOf),
      this.known(words[at + 3] as number, stringOf),
      words[at + 4] as number,
    )
  }

  // The id of the string the reader's id `known` stands for (0 for 0xffffffff, absent).
  private known(known: number, stringOf: (id: number) => string): number {
    if (known === 0xffffffff) return 0
    const id = known < this.byKnown.length ? (this.byKnown[known] as number) : 0
    return id !== 0 ? id : this.id(stringOf(known), known)
  }

  /**
   * Forgets the findings added since the last take, keeping the strings: they are still owed to
   * the decoder, with the next take.
   */
  dropFindings(): void {
    this.words.take()
  }

  /** The findings added since the last take, and the strings first used since then. */
  take(): { readonly words: Uint32Array; readonly strings: ReadonlyArray<string> } {
    const out = { words: this.words.take(), strings: this.fresh }
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
  // Per column, the sink's id of each of this dictionary's strings (0: not asked yet), and per
  // image build, the id of the pipeline resolved for it plus one (0: not asked yet): each string
  // is looked up once per thread, not once per finding.
  private readonly sinkIds: Array<Int32Array<ArrayBuffer>> = sinkColumns.map(() => new Int32Array(0))
  private resolved = new Int32Array(0)

  /** A dictionary of its own, or one whose strings are held once in `shared` with others'. */
  constructor(private readonly shared?: SharedStrings) {}

  /** Appends the strings a batch first used. */
  learn(strings: ReadonlyArray<string>): void {
    const shared = this.shared
    for (const s of strings) this.strings.push(shared === undefined ? s : shared.held(s))
  }

  /**
   * Hands the finding at word `at` of `words` to `sink` as ids of its dictionaries, its record
   * `location` with it, and the pipeline `pipelineOf` gives its image build when it has none (as
   * {@link FindingDecoder.finding} would make it).
   */
  toSink(
    words: Uint32Array,
    at: number,
    sink: FindingIdSink,
    location: RecordLocation | undefined,
    pipelineOf?: (build: KeyString) => KeyString | undefined,
  ): void {
    const small = words[at + 4] as number
    // An image build's string is kept only while a resolver may still ask for its pipeline.
    const build = this.sinkId(sink, 1, words[at + 1] as number, pipelineOf !== undefined)
    const pipelineWord = words[at + 2] as number
    const pipeline =
      pipelineWord !== 0 || build === 0 || pipelineOf === undefined
        ? this.sinkId(sink, 2, pipelineWord)
        : this.resolvedId(sink, words[at + 1] as number, pipelineOf)
    sink.add(
      this.sinkId(sink, 0, words[at] as number),
      build,
      pipeline,
      this.sinkId(sink, 3, words[at + 3] as number),
      small >>> PACK_SEVERITY_SHIFT,
      fixCodeOf[(small >>> PACK_FIX_SHIFT) & PACK_FIX_MASK] as number,
      exploitYes[(small >>> PACK_EXPLOIT_SHIFT) & PACK_EXPLOIT_MASK] === true,
      location,
    )
  }

  // The sink's id in column `c` of this dictionary's string `word` (0: absent); the string is
  // let go once looked up (the sink holds it), unless `keep`.
  private sinkId(sink: FindingIdSink, c: number, word: number, keep = false): number {
    if (word === 0) return 0
    let ids = this.sinkIds[c] as Int32Array<ArrayBuffer>
    if (word >= ids.length) ids = this.sinkIds[c] = this.grown(ids)
    const known = ids[word] as number
    if (known !== 0) return known
    const id = sink.intern(sinkColumns[c] as GroupKey, this.strings[word] as string)
    ids[word] = id
    if (!keep) this.strings[word] = undefined
    return id
  }

  // The sink's id of the pipeline `pipelineOf` gives the image build `word` (0: none).
  private resolvedId(
    sink: FindingIdSink,
    word: number,
    pipelineOf: (build: KeyString) => KeyString | undefined,
  ): number {
    if (word >= this.resolved.length) this.resolved = this.grown(this.resolved)
    const known = this.resolved[word] as number
    if (known !== 0) return known - 1
    const pipeline = pipelineOf(this.strings[word] as KeyString)
    const id = pipeline === undefined ? 0 : sink.intern('imagePipelineArn', pipeline)
    this.resolved[word] = id + 1
    // Its sink id is known (it was looked up first) and its pipeline now: nothing asks for it again.
    this.strings[word] = undefined
    return id
  }

  // A table as long as the dictionary (or twice as long as it was), the known ids kept.
  private grown(ids: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
    const out = new Int32Array(Math.max(this.strings.length, ids.length * 2))
    out.set(ids)
    return out
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
      severity: severities[small >>> PACK_SEVERITY_SHIFT] as Finding['severity'],
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
    const fix = (small >>> PACK_FIX_SHIFT) & PACK_FIX_MASK
    if (fix !== 0) f.fixAvailable = fixes[fix - 1] as (typeof fixes)[number]
    const exploit = (small >>> PACK_EXPLOIT_SHIFT) & PACK_EXPLOIT_MASK
    if (exploit !== 0) f.exploitAvailable = exploits[exploit - 1] as (typeof exploits)[number]
    return f
  }
}

/**
 * The strings of the dictionaries of one read's threads, each held once: every thread sends
 * the image builds it meets, so without this the chaining thread would hold a copy of each
 * build per thread (and make group keys of copies that hash afresh).
 *
 * @category model
 */
export class SharedStrings {
  private readonly strings = new Map<string, string>()

  /** The one copy of `s` (`s` itself when it is new). */
  held(s: string): string {
    const h = this.strings.get(s)
    if (h !== undefined) return h
    this.strings.set(s, s)
    return s
  }
}
