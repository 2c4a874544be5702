/**
 * The chaining thread's side of a read split between threads: the findings of each batch a
 * piece sent, de-duplicated in file order by the fingerprints the piece computed, made from
 * their words with the sending thread's dictionary, located when asked, and tallied.
 *
 * @module
 */
import type { Finding, GroupKey, InspectorMappingOptions } from '@scantally/core'
import { KeyString } from '@scantally/core/internal'
import type { FindingArnSet } from './FindingArnSet.js'
import type { FindingIdSink } from './FindingIdSink.js'
import { type FindingDecoder, SharedStrings, WORDS_PER_FINDING } from './FindingWords.js'
import type { RangeBatch, RangeMessage } from './RangeReader.js'
import { type ExportFile, noteLocation, type RecordLocation } from './RecordLocation.js'
import { type ReaderPosition, recordStates } from './RecordReader.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A message of a piece as it arrived, with the dictionary of the thread that sent it, which
 * already holds the strings of its batches.
 *
 * @category model
 */
export interface Arrival {
  readonly message: RangeMessage
  readonly decoder: FindingDecoder
}

/**
 * The counters of a read that a split read adds to.
 *
 * @category model
 */
export interface SplitTally {
  read: number
  counted: number
  notActive: number
  duplicate: number
  noImageLinkage: number
}

/**
 * Where the record of bytes `start` to `end` of the input lies; `lent` when the location is
 * taken at once (by a {@link FindingIdSink}), so a record's bytes, and the location itself, may
 * be lent: valid for that call only.
 *
 * @category model
 */
export type Locator = (start: number, end: number, lent: boolean) => RecordLocation

/**
 * What decoding needs: the set findings are de-duplicated in, the counters to add to, whether
 * findings keep their ARNs, and the sink that takes them as ids instead of objects (only when
 * they keep no ARN).
 *
 * @category model
 */
export interface DecodeOptions {
  readonly seen: FindingArnSet
  readonly tally: SplitTally
  readonly findingArns: boolean
  readonly into?: FindingIdSink | undefined
}

/**
 * Where the reader threads' dictionaries hold their strings, once: none when findings go to a
 * sink as ids (the sink's dictionaries hold them, and the threads' copies are let go once looked
 * up).
 *
 * @category constructors
 */
export const sharedStringsFor = (options: DecodeOptions): SharedStrings | undefined =>
  options.into !== undefined && !options.findingArns ? undefined : new SharedStrings()

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Records located as byte ranges of an unchanged file.
 *
 * @category constructors
 */
export const inFile = (file: ExportFile): Locator => {
  // A location lent for a call is this one object, its range set anew: a sink takes the
  // numbers, and an object a finding (a million of them) was most of what serve's load made
  // for its collector.
  const lentAt = { _tag: 'InFile' as const, file, start: 0, end: 0 }
  return (start, end, lent) => {
    if (!lent) return { _tag: 'InFile', file, start, end }
    lentAt.start = start
    lentAt.end = end
    return lentAt
  }
}

/**
 * A record whose bytes are in memory that is let go later: lent as a view of it (to a sink that
 * copies what it keeps at once), or else copied out of it.
 *
 * @category constructors
 */
export const copiedRecord = (bytes: Uint8Array, lent: boolean): RecordLocation => ({
  _tag: 'Copied',
  bytes: lent ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : Buffer.from(bytes),
})

/**
 * Records copied into a batch (see `RangeTask.copyRecords`), its spans being ranges of them.
 *
 * @category constructors
 */
export const copiedIn =
  (records: Uint8Array): Locator =>
  (start, end, lent) =>
    copiedRecord(records.subarray(start, end), lent)

/**
 * A resolver of pipelines by image build that asks `resolvePipeline` once per build (the
 * resolver is a function of this thread), or `undefined` without one or when findings keep no
 * pipeline (`keys`, default: every key): then nothing is asked, nor a build remembered.
 *
 * @category constructors
 */
export const pipelineResolver = (
  resolvePipeline: InspectorMappingOptions['resolvePipeline'],
  keys?: ReadonlyArray<GroupKey>,
): ((build: KeyString) => KeyString | undefined) | undefined => {
  if (resolvePipeline === undefined || (keys !== undefined && !keys.includes('imagePipelineArn')))
    return undefined
  const pipelines = new Map<KeyString, KeyString | undefined>()
  return (build) => {
    if (pipelines.has(build)) return pipelines.get(build)
    const p = resolvePipeline(build)
    const valid = p !== undefined && KeyString.is(p) ? p : undefined
    pipelines.set(build, valid)
    return valid
  }
}

// -------------------------------------------------------------------------------------
// decoding
// -------------------------------------------------------------------------------------

/**
 * De-duplicates and makes the findings the pieces send, in file order, one piece after another.
 *
 * @category decoding
 */
export class PieceDecoder {
  // What `FindingArnSet.touch` returned, kept so that its reads are not left out.
  private sink = 0

  constructor(
    private readonly options: DecodeOptions,
    private readonly pipelineOf: ((build: KeyString) => KeyString | undefined) | undefined,
    private readonly locate: Locator | undefined,
  ) {}

  /**
   * The findings of a batch, de-duplicated and made, its counters added to the tally; none when
   * they went to the sink (see {@link DecodeOptions}).
   */
  decode(m: RangeBatch, decoder: FindingDecoder): Array<Finding> {
    const { seen, tally: t, findingArns } = this.options
    const sink = findingArns ? undefined : this.options.into
    const locate = m.records === undefined ? this.locate : copiedIn(m.records)
    t.read += m.read
    t.notActive += m.notActive
    t.noImageLinkage += m.noImageLinkage
    const p = m.prints
    this.sink ^= seen.touch(p, p.length / 4)
    const out: Array<Finding> = []
    for (let i = 0, w = 0; w < m.words.length; i++, w += WORDS_PER_FINDING) {
      const print = p[i * 4 + 3] !== 0
      if (
        print &&
        !seen.addFingerprint(
          p[i * 4] as number,
          p[i * 4 + 1] as number,
          p[i * 4 + 2] as number,
          p[i * 4 + 3] as number,
        )
      ) {
        t.duplicate++
        continue
      }
      t.counted++
      if (sink !== undefined) {
        const at = locate?.(m.spans[2 * i] as number, m.spans[2 * i + 1] as number, true)
        decoder.toSink(m.words, w, sink, at, this.pipelineOf)
        continue
      }
      const arn = findingArns && print ? m.arns[i] : undefined
      const f = decoder.finding(m.words, w, arn, this.pipelineOf)
      if (locate !== undefined)
        noteLocation(f, locate(m.spans[2 * i] as number, m.spans[2 * i + 1] as number, false))
      out.push(f)
    }
    return out
  }
}

/**
 * Where the chain stands, as a position of the whole input: a piece counts lines from its own
 * start, so the lines before it are added, and its last newline, when it has seen none, is the
 * one before it.
 *
 * @category decoding
 */
export class ChainPosition {
  private lines = 0
  private lastNewline = -1

  /** A position a piece reported, as a position of the input. */
  absolute(at: ReaderPosition): ReaderPosition {
    return {
      ...at,
      lines: this.lines + at.lines,
      lastNewline: at.lastNewline >= 0 ? at.lastNewline : this.lastNewline,
    }
  }

  /** The chain moves on to the piece starting at `at` (a position of the input). */
  enter(at: ReaderPosition): void {
    this.lines = at.lines
    this.lastNewline = at.lastNewline
  }
}

/**
 * The position at the start of an input.
 *
 * @category decoding
 */
export const inputStart: ReaderPosition = {
  offset: 0,
  state: recordStates.top,
  inWrapper: false,
  lines: 0,
  lastNewline: -1,
}
