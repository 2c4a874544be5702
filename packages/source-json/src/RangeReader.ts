/**
 * One thread's part of a split read: reads a file from a position where a record (may) start,
 * record by record, until it stands exactly at one of the later guessed record starts (a
 * boundary), the end of the file, or anything it does not read itself. It reports what it
 * counted in batches: each counted finding as the index of its field combination and the
 * fingerprint of its ARN, so that the thread that chains the parts de-duplicates in file order.
 *
 * It stops before an invalid record, a page nested in an array, or malformed JSON, and says
 * where: the chaining thread reads from there on itself, as a one-pass read would, so errors,
 * skipped records and their positions come out exactly the same.
 *
 * @module
 */
import { closeSync, openSync, readSync } from 'node:fs'
import type { Classified, GroupKey, InspectorMappingOptions } from '@scantally/core'
import * as E from 'fp-ts/lib/Either.js'
import { FastRecord } from './FastRecord.js'
import { fingerprintInto } from './FindingArnSet.js'
import { FindingEncoder, WORDS_PER_FINDING, WordList } from './FindingWords.js'
import { errorText } from './Input.js'
import type { JsonScanner } from './JsonScanner.js'
import { classifyRecord, nestedPage, recordProjection } from './Record.js'
import { outcomes, RUN_END, RUN_PRINT, RUN_START, RUN_WORDS } from './RecordLayout.js'
import { decline, type ReaderPosition, RecordReader } from './RecordReader.js'
import type { RunCounts } from './WasmRecord.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A guessed record start: its offset and the reader state a record there would be read in.
 *
 * @category model
 */
export interface Boundary {
  readonly offset: number
  readonly state: number
  readonly inWrapper: boolean
}

/**
 * Bytes of a stream held in memory shared between threads: those from offset `base` of the
 * stream on. A part read from a block reads it as if it were the file, up to `base` plus its
 * length.
 *
 * @category model
 */
export interface Block {
  readonly bytes: Uint8Array
  readonly base: number
}

/**
 * What one part reads: the file (of `size` bytes when the read began) or a block of a stream
 * (`block`, then `path` is only a name), where to start (`from`,
 * the file's start when absent), the later guessed starts it stops at, and the mapping options
 * (without a pipeline resolver: functions stay on the chaining thread, which resolves).
 *
 * @category model
 */
export interface RangeTask {
  readonly path: string
  readonly size: number
  readonly from?: ReaderPosition
  readonly ends: ReadonlyArray<Boundary>
  readonly statuses?: InspectorMappingOptions['statuses']
  readonly includeUnlinked?: boolean
  readonly chunkSize: number
  /** Whether the findings' ARNs are sent (else only their fingerprints). */
  readonly findingArns: boolean
  /** The group keys findings keep (default: every one). */
  readonly keys?: ReadonlyArray<GroupKey>
  /** Whether each counted finding's record is located (its byte range sent). */
  readonly locate?: boolean
  /**
   * Whether each counted finding's record is also copied into its batch (see
   * {@link RangeBatch}), for a stream that cannot be read again: with `locate`.
   */
  readonly copyRecords?: boolean
  /** The stream's bytes the part reads, instead of the file's. */
  readonly block?: Block
}

/**
 * The findings counted in one stretch of a part, as words (see `FindingWords`) with the
 * strings its thread's dictionary first used since its last batch; finding `i` has the fingerprint `prints[4i..4i+3]` (all
 * zero when it has no ARN) and, when ARNs are sent, the ARN `arns[i]` (`''` when none); when
 * records are located, its record is bytes `spans[2i]` to `spans[2i+1]` of the file (else
 * `spans` is empty); when records are copied, `records` holds their bytes one after another,
 * and `spans` are ranges of it instead. `at` is where the part stands after the batch, relative
 * to its start for `lines`.
 *
 * @category model
 */
export interface RangeBatch {
  readonly type: 'batch'
  readonly words: Uint32Array
  readonly strings: ReadonlyArray<string>
  readonly prints: Uint32Array
  readonly arns: ReadonlyArray<string>
  readonly spans: Float64Array
  readonly records?: Uint8Array
  readonly read: number
  readonly notActive: number
  readonly noImageLinkage: number
  readonly bytes: number
  readonly at: ReaderPosition
}

/**
 * How a part ended: standing at boundary `index` of its `ends`; at the end of the file
 * (`sawValue` false when it held no value at all); or stopped before what the chaining thread
 * must read itself, at `at`.
 *
 * @category model
 */
export type RangeEnd =
  | { readonly type: 'boundary'; readonly index: number; readonly at: ReaderPosition }
  | { readonly type: 'eof'; readonly sawValue: boolean }
  | { readonly type: 'stopped'; readonly at: ReaderPosition; readonly reason: string }

/**
 * A message from a part.
 *
 * @category model
 */
export type RangeMessage = RangeBatch | RangeEnd

/**
 * Bytes of a stream as they arrive, for a part that reads a whole stream on one thread: how
 * many are waiting, whether the stream has ended, and `take`, which copies up to `length` of
 * them to `target` at `at` (and lets them go), returning how many it copied.
 *
 * @category model
 */
export interface ArrivingBytes {
  readonly waiting: number
  readonly ended: boolean
  readonly take: (target: Buffer, at: number, length: number) => number
}

// -------------------------------------------------------------------------------------
// reader
// -------------------------------------------------------------------------------------

const scratch = new Uint32Array(4)

// A part posts what it counted once it has read this much since its last batch (and when it
// ends), whatever its chunks: a message costs about as much as reading a few records.
const batchBytes = 1 << 20

/**
 * One part being read: each {@link RangeRun.step} reads a chunk and posts what it counted;
 * `false` once the part has ended (its {@link RangeEnd} posted). `close` gives up early.
 *
 * @category model
 */
export interface RangeRun {
  readonly step: () => boolean
  readonly close: () => void
  /** The bytes the next step reads when they are there (the part's chunk, or more for a long value). */
  readonly wants: () => number
  /** Ends the part where it stands, as stopped for `reason` (its input failed). */
  readonly abandon: (reason: string) => void
}

/**
 * The fast path's reader for the parts of a task, made once per thread: its WebAssembly memory
 * (buffers, interned strings) then serves every part the thread reads, one after another.
 *
 * @category reader
 */
export const rangeRecord = (task: Omit<RangeTask, 'from' | 'ends'>): FastRecord =>
  new FastRecord({ ...mappingOf(task), findingArns: task.findingArns, keys: task.keys })

// The mapping options a task carries, without the members it leaves out.
const mappingOf = (task: Omit<RangeTask, 'from' | 'ends'>): InspectorMappingOptions => ({
  ...(task.statuses === undefined ? {} : { statuses: task.statuses }),
  ...(task.includeUnlinked === undefined ? {} : { includeUnlinked: task.includeUnlinked }),
})

/**
 * Memory that records are copied into (see {@link RangeTask.copyRecords}), used again once the
 * thread that took a batch gives it back: a batch's worth of fresh memory each time would be
 * zeroed and faulted in anew, and would count against the taking thread's heap until collected.
 *
 * @category model
 */
export class RecordMemory {
  private readonly free: Array<Uint8Array> = []

  /** Memory of at least `least` bytes (a batch's worth at least). */
  take(least: number): Uint8Array {
    const i = this.free.findIndex((b) => b.length >= least)
    if (i >= 0) return this.free.splice(i, 1)[0] as Uint8Array
    return new Uint8Array(Math.max(2 * batchBytes, least))
  }

  /** Memory no batch uses any more: kept for the next batches, unless grown for a huge record. */
  give(memory: Uint8Array): void {
    if (memory.length <= 4 * batchBytes) this.free.push(memory)
  }
}

// What a part counted since its last batch, however each record was read, and the batch made
// of it.
class PartTally {
  private readonly prints = new WordList()
  private arns: Array<string> = []
  private spans: Array<number> = []
  private read = 0
  private notActive = 0
  private noImageLinkage = 0
  /** Bytes read from the file since the last batch. */
  bytes = 0

  // The counted records' bytes since the last batch, when they are copied.
  private records: Uint8Array | undefined
  private recordBytes = 0

  /**
   * With `copies`, records are copied (see {@link RangeTask.copyRecords}): `view` gives the bytes
   * of the file from `start` to `end` while they are still read, `memory` where they are copied.
   */
  constructor(
    private readonly findingArns: boolean,
    private readonly locate: boolean,
    private readonly encoder: FindingEncoder,
    private readonly copies?: {
      readonly view: (start: number, end: number) => Uint8Array
      readonly memory: RecordMemory
    },
  ) {
    // A part the chain passed was left before its last batch: its findings are not sent.
    encoder.dropFindings()
    if (copies !== undefined) this.records = copies.memory.take(0)
  }

  // Notes where the record of bytes `start` to `end` of the file is: that range, or where its
  // copy is put in the batch.
  private located(start: number, end: number): void {
    const copies = this.copies
    if (copies === undefined) {
      this.spans.push(start, end)
      return
    }
    const bytes = copies.view(start, end)
    let records = this.records as Uint8Array
    const at = this.recordBytes
    if (at + bytes.length > records.length) {
      const grown = copies.memory.take(Math.max(2 * records.length, at + bytes.length))
      grown.set(records.subarray(0, at))
      copies.memory.give(records)
      this.records = records = grown
    }
    records.set(bytes, at)
    this.recordBytes = at + bytes.length
    this.spans.push(at, this.recordBytes)
  }

  /** A record the plain path mapped, bytes `start` to `end` of the file. */
  plain(c: Classified, start: number, end: number): void {
    this.read++
    if (c._tag === 'Excluded') {
      if (c.reason === 'notActive') this.notActive++
      else this.noImageLinkage++
      return
    }
    const f = c.finding
    // Located first: a record that cannot be is then not half added.
    if (this.locate) this.located(start, end)
    this.encoder.add(f)
    const n = this.prints.length
    scratch[3] = 0
    if (f.findingArn !== undefined) fingerprintInto(f.findingArn, scratch, 0)
    this.prints.push4(scratch, 0)
    if (this.findingArns) this.arns[n / 4] = f.findingArn ?? ''
  }

  /**
   * The record `fast` just read (bytes `start` to `end` of the file), in parts, with no object
   * made; `false` when it declined.
   */
  fast(fast: FastRecord, start: number, end: number): boolean {
    const o = fast.outcome()
    if (o === outcomes.declined) return false
    this.read++
    if (o === outcomes.notActive) this.notActive++
    else if (o === outcomes.noImageLinkage) this.noImageLinkage++
    else {
      if (this.locate) this.located(start, end)
      this.encoder.addParts(fast.parts, fast.ids)
      this.prints.push4(fast.print, 0)
      if (this.findingArns) this.arns[this.prints.length / 4 - 1] = fast.parts.findingArn ?? ''
    }
    return true
  }

  /** The records of the run `fast` just read from a buffer at offset `base` of the file. */
  run(fast: FastRecord, c: RunCounts, base: number): void {
    this.read += c.read
    this.notActive += c.notActive
    this.noImageLinkage += c.noImageLinkage
    const words = fast.runWords
    // Decoded once per string: the encoder remembers the reader's id, so the string is not kept.
    const stringOf = (id: number): string => fast.decodeInterned(id)
    // A record's addresses in the walker's memory, as offsets of the file.
    const offset = base - fast.runInput
    for (let i = 0, at = fast.runAt; i < c.counted; i++, at += RUN_WORDS) {
      if (this.locate)
        this.located(offset + (words[at + RUN_START] as number), offset + (words[at + RUN_END] as number))
      this.encoder.addIds(words, at, stringOf)
      this.prints.push4(words, at + RUN_PRINT)
    }
  }

  /** The batch of what was counted since the last, standing `at`; `undefined` when nothing was. */
  take(at: ReaderPosition): RangeBatch | undefined {
    if (this.prints.length === 0 && this.read === 0 && this.bytes === 0) return undefined
    const { words, strings } = this.encoder.take()
    const batch: RangeBatch = {
      type: 'batch',
      words,
      strings,
      prints: this.prints.take(),
      arns: this.arns,
      spans: Float64Array.from(this.spans),
      ...(this.records === undefined ? {} : { records: this.takeRecords(this.records) }),
      read: this.read,
      notActive: this.notActive,
      noImageLinkage: this.noImageLinkage,
      bytes: this.bytes,
      at,
    }
    this.arns = []
    this.spans = []
    this.read = this.notActive = this.noImageLinkage = this.bytes = 0
    return batch
  }

  // The records copied since the last batch, in memory of their own (to be moved to another
  // thread); the next batch's are copied into new memory as large.
  private takeRecords(records: Uint8Array): Uint8Array {
    const n = this.recordBytes
    this.recordBytes = 0
    this.records = (this.copies as { readonly memory: RecordMemory }).memory.take(0)
    return records.subarray(0, n)
  }
}

// The later guessed record starts a part stops at, passed in file order.
class Boundaries {
  private next = 0
  /** The index of the boundary the part stopped at (-1: none yet). */
  reached = -1

  constructor(private readonly ends: ReadonlyArray<Boundary>) {}

  // Moves past the boundaries before `offset`.
  private pass(offset: number): Boundary | undefined {
    const ends = this.ends
    while (this.next < ends.length && (ends[this.next] as Boundary).offset < offset) this.next++
    return ends[this.next]
  }

  /** The offset of the first boundary at or after `offset` (infinity: none). */
  limit(offset: number): number {
    return this.pass(offset)?.offset ?? Number.POSITIVE_INFINITY
  }

  /** Whether a value at `offset` in that state is a boundary: then the part stops before it. */
  readonly stopBefore = (offset: number, state: number, inWrapper: boolean): boolean => {
    const b = this.pass(offset)
    if (b === undefined || b.offset !== offset || b.state !== state || b.inWrapper !== inWrapper) return false
    this.reached = this.next
    return true
  }
}

// The reader of a part: records the plain path maps (stopping at anything a one-pass read
// must report itself), records the fast path reads one at a time and, when no ARN is sent, runs
// of records the walker reads at once (each with its byte range), up to the next boundary.
const partReader = (
  task: RangeTask,
  fast: FastRecord,
  tally: PartTally,
  boundaries: Boundaries,
  onAnomaly: (what: string) => void,
): RecordReader => {
  const mapping = mappingOf(task)
  // A sink is called once the reader has consumed its record: the record ends where it stands.
  let reader: RecordReader | undefined
  const end = (): number => (reader as RecordReader).offset
  const plain = (record: unknown, start: number): boolean => {
    if (nestedPage(record) !== undefined) {
      onAnomaly('a page nested in an array')
      return false
    }
    const c = classifyRecord(record, mapping)
    if (E.isLeft(c)) {
      onAnomaly('an invalid record')
      return false
    }
    tally.plain(c.right, start, end())
    return true
  }
  const one = (s: JsonScanner, start: number): boolean => {
    fast.read(s)
    if (!tally.fast(fast, start, end())) throw decline
    return true
  }
  const run = (s: JsonScanner, inArray: boolean, base: number): RunCounts => {
    const c = fast.run(s, inArray, boundaries.limit(base + s.pos) - base)
    tally.run(fast, c, base)
    return c
  }
  reader = new RecordReader(recordProjection, plain, {
    fast: one,
    run: task.findingArns ? undefined : run,
    newlines: fast.newlines,
    stopBefore: boundaries.stopBefore,
    from: task.from,
    // Located records are sent as they are.
    cutFrom: task.locate === true ? Number.POSITIVE_INFINITY : undefined,
  })
  return reader
}

// The chunks of a part's file (or block), from where the part starts, read into two buffers in
// the walker's memory in turn (so the walker reads them in place): the pending start of a value
// is copied from the one read before, new bytes read after it. A value longer than a buffer gets
// one of its own.
class PartChunks {
  private fd: number | undefined
  private turn: 0 | 1 = 0
  private position: number

  constructor(
    private readonly task: RangeTask,
    private readonly fast: FastRecord,
    private readonly arriving: ArrivingBytes | undefined,
  ) {
    this.position = task.from?.offset ?? 0
  }

  /** Opens the file, once (a block or arriving bytes need no opening). */
  open(): number {
    if (this.task.block !== undefined || this.arriving !== undefined) return -1
    this.fd ??= openSync(this.task.path, 'r')
    return this.fd
  }

  /** Whether the whole file (as large as when the read began), or stream, has been read. */
  get done(): boolean {
    const a = this.arriving
    return a === undefined ? this.position >= this.task.size : a.ended && a.waiting === 0
  }

  /** The bytes the next chunk after `pending` bytes reads. */
  wants(pending: number): number {
    // As much again as is pending, at least a chunk: a huge record is read again a few times,
    // not once per chunk.
    return Math.min(Math.max(this.task.chunkSize, pending), this.task.size - this.position)
  }

  /** The next chunk after `pending`, with it; empty when the file ended early. */
  next(pending: Buffer): Buffer {
    const task = this.task
    const fd = this.open()
    const want = this.wants(pending.length)
    const target =
      this.fast.region(this.turn, Math.max(2 * task.chunkSize, pending.length + want)) ??
      Buffer.allocUnsafe(pending.length + want)
    this.turn = this.turn === 0 ? 1 : 0
    pending.copy(target, 0)
    const block = task.block
    const n =
      this.arriving !== undefined
        ? this.arriving.take(target, pending.length, want)
        : block === undefined
          ? readSync(fd, target, pending.length, want, this.position)
          : copyFrom(block, target, pending.length, want, this.position)
    this.position += n
    return n === 0 ? target.subarray(0, 0) : target.subarray(0, pending.length + n)
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
  }
}

// Copies `length` bytes of a block from stream offset `position` to `target` at `at`.
const copyFrom = (block: Block, target: Buffer, at: number, length: number, position: number): number => {
  const from = position - block.base
  const bytes = block.bytes.subarray(from, from + length)
  target.set(bytes, at)
  return bytes.length
}

/**
 * Starts reading one part, which posts batches and then exactly one {@link RangeEnd}, a chunk
 * per step: a thread of its own runs it to the end, the chaining thread one step at a time.
 * `fast` is the thread's reader (see {@link rangeRecord}) and `encoder` its dictionary of
 * strings, each used by one part at a time: a thread's batches, whatever their part, continue
 * one dictionary, so a string is sent once per thread, not once per part. With `arriving`, the
 * part reads a stream's bytes as they arrive instead of the file's (its `size` is then
 * unbounded): a step is taken once {@link RangeRun.wants} bytes wait, or the stream has ended.
 * Records copied are copied into `memory`.
 *
 * @category reader
 */
export const startRange = (
  task: RangeTask,
  post: (m: RangeMessage) => void,
  fast: FastRecord = rangeRecord(task),
  encoder: FindingEncoder = new FindingEncoder(),
  arriving?: ArrivingBytes,
  memory?: RecordMemory,
): RangeRun => {
  const copies =
    task.copyRecords === true
      ? {
          view: (start: number, end: number) => reader.view(start, end),
          memory: memory ?? new RecordMemory(),
        }
      : undefined
  const tally = new PartTally(task.findingArns, task.locate === true, encoder, copies)
  const boundaries = new Boundaries(task.ends)
  let anomaly: string | undefined
  const reader = partReader(task, fast, tally, boundaries, (what) => {
    anomaly = what
  })
  const chunks = new PartChunks(task, fast, arriving)
  let ended = false

  const flush = (): void => {
    const batch = tally.take(reader.lastStart())
    if (batch !== undefined) post(batch)
  }
  const end = (m: RangeEnd): false => {
    flush()
    post(m)
    ended = true
    chunks.close()
    return false
  }
  const stopped = (reason: string): RangeEnd => ({ type: 'stopped', at: reader.lastStart(), reason })

  const step = (): boolean => {
    if (ended) return false
    try {
      chunks.open()
      if (chunks.done) {
        const problem = reader.finish()
        return end(
          problem !== undefined || anomaly !== undefined
            ? stopped(anomaly ?? problem?.message ?? '')
            : { type: 'eof', sawValue: reader.sawValue },
        )
      }
      const pending = reader.pending()
      const chunk = chunks.next(pending)
      // The file shrank: the chaining thread reads on from here and finds out how.
      if (chunk.length === 0) return end(stopped('the file ended early'))
      tally.bytes += chunk.length - pending.length
      const problem = reader.pushWhole(chunk)
      if (boundaries.reached >= 0)
        return end({ type: 'boundary', index: boundaries.reached, at: reader.lastStart() })
      if (problem !== undefined || anomaly !== undefined)
        return end(stopped(anomaly ?? problem?.message ?? ''))
      if (tally.bytes >= batchBytes) flush()
      return true
    } catch (e) {
      return end(stopped(errorText(e)))
    }
  }
  return {
    step,
    close: () => chunks.close(),
    wants: () => chunks.wants(reader.pending().length),
    abandon: (reason) => {
      if (!ended) end(stopped(reason))
    },
  }
}

/**
 * A split read's pieces: the settings of every piece's read, and the guessed record starts
 * the file is cut at. Piece 0 runs from the file's start to the first of them, piece `k` from
 * start `k - 1` on.
 *
 * @category model
 */
export interface PieceTask {
  readonly read: Omit<RangeTask, 'from' | 'ends'>
  readonly ends: ReadonlyArray<Boundary>
}

/**
 * A message of piece `piece`.
 *
 * @category model
 */
export interface PieceMessage {
  readonly piece: number
  readonly message: RangeMessage
}

/**
 * The read of piece `k`: from its guessed start until it stands at a later one.
 *
 * @category reader
 */
export const pieceRange = (task: PieceTask, k: number): RangeTask => {
  const b = task.ends[k - 1]
  return b === undefined
    ? { ...task.read, ends: task.ends }
    : {
        ...task.read,
        from: { offset: b.offset, state: b.state, inWrapper: b.inWrapper, lines: 0, lastNewline: -1 },
        ends: task.ends.slice(k),
      }
}

/**
 * Reads pieces on this thread until none is left: each taken from `claims[0]` (the next piece
 * no thread has taken), and left off once the chain of pieces stands past it (`claims[1]`,
 * the piece the chaining thread is at): then nothing of it would be used.
 *
 * @category reader
 */
export const readPieces = (
  task: PieceTask,
  claims: Int32Array,
  post: (m: PieceMessage) => void,
  slot?: number,
  ahead = maxAhead,
): void => {
  const fast = rangeRecord(task.read)
  const encoder = new FindingEncoder()
  const send = (piece: number, message: RangeMessage): void => {
    if (slot !== undefined && message.type === 'batch')
      Atomics.add(claims, slot, message.words.length / WORDS_PER_FINDING)
    post({ piece, message })
  }
  for (;;) {
    const k = Atomics.add(claims, 0, 1)
    if (k > task.ends.length) return
    const run = startRange(pieceRange(task, k), (message) => send(k, message), fast, encoder)
    while (k >= Atomics.load(claims, 1) && roomAhead(claims, slot, ahead, k) && run.step());
    run.close()
  }
}

/**
 * At most this many findings a thread has sent are left for the chaining thread to take, while
 * the thread reads a piece ahead of the chain: past them it waits, so that a chaining thread
 * slower than its readers (hundreds of thousands of groups to count into) does not hold half
 * the file's findings in messages. At 65,536 a reader waited while the chaining thread read a
 * piece of its own, often enough to make a million-finding document 8% slower (2.0-2.2 s against
 * 1.8-1.9 s); at 262,144 it does not, for 20-27 MB more at the peak.
 *
 * @category reader
 */
export const maxAhead = 1 << 18

// Waits while this thread, reading piece `k` ahead of the chain, has `ahead` findings not yet
// taken (`claims[slot]`, taken off by the chaining thread, which then wakes it); true to go on.
// The piece the chain stands in is never held up, so the chain always moves.
const roomAhead = (claims: Int32Array, slot: number | undefined, ahead: number, k: number): boolean => {
  if (slot === undefined) return true
  for (;;) {
    const waiting = Atomics.load(claims, slot)
    if (waiting < ahead || k <= Atomics.load(claims, 1)) return true
    Atomics.wait(claims, slot, waiting, 20)
  }
}
