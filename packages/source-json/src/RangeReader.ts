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
import type { Classified, InspectorMappingOptions } from '@scantally/core'
import * as E from 'fp-ts/lib/Either.js'
import { FastRecord } from './FastRecord.js'
import { fingerprintInto } from './FindingArnSet.js'
import { FindingEncoder, WordList } from './FindingWords.js'
import { errorText } from './Input.js'
import type { JsonScanner } from './JsonScanner.js'
import { classifyRecord, nestedPage, recordProjection } from './Record.js'
import { outcomes, RUN_PRINT, RUN_WORDS } from './RecordLayout.js'
import { decline, type ReaderPosition, RecordReader } from './RecordReader.js'

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
 * What one part reads: the file (of `size` bytes when the read began), where to start (`from`,
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
}

/**
 * The findings counted in one stretch of a part, as words (see `FindingWords`) with the
 * strings first used in this batch; finding `i` has the fingerprint `prints[4i..4i+3]` (all
 * zero when it has no ARN) and, when ARNs are sent, the ARN `arns[i]` (`''` when none). `at` is
 * where the part stands after the batch, relative to its start for `lines`.
 *
 * @category model
 */
export interface RangeBatch {
  readonly type: 'batch'
  readonly words: Uint32Array
  readonly strings: ReadonlyArray<string>
  readonly prints: Uint32Array
  readonly arns: ReadonlyArray<string>
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
}

/**
 * The fast path's reader for the parts of a task, made once per thread: its WebAssembly memory
 * (buffers, interned strings) then serves every part the thread reads, one after another.
 *
 * @category reader
 */
export const rangeRecord = (task: Omit<RangeTask, 'from' | 'ends'>): FastRecord =>
  new FastRecord({ ...mappingOf(task), findingArns: task.findingArns })

// The mapping options a task carries, without the members it leaves out.
const mappingOf = (task: Omit<RangeTask, 'from' | 'ends'>): InspectorMappingOptions => ({
  ...(task.statuses === undefined ? {} : { statuses: task.statuses }),
  ...(task.includeUnlinked === undefined ? {} : { includeUnlinked: task.includeUnlinked }),
})

/**
 * Starts reading one part, which posts batches and then exactly one {@link RangeEnd}, a chunk
 * per step: a thread of its own runs it to the end, the chaining thread one step at a time.
 * `fast` is the thread's reader (see {@link rangeRecord}), used by one part at a time.
 *
 * @category reader
 */
export const startRange = (
  task: RangeTask,
  post: (m: RangeMessage) => void,
  fast: FastRecord = rangeRecord(task),
): RangeRun => {
  const mapping = mappingOf(task)
  const encoder = new FindingEncoder()
  const prints = new WordList()
  let arns: Array<string> = []
  let read = 0
  let notActive = 0
  let noImageLinkage = 0
  let bytes = 0
  let anomaly: string | undefined

  // `print`: the fingerprint of the finding's ARN, when the fast path made it.
  const tally = (c: Classified, print?: Uint32Array): void => {
    read++
    if (c._tag === 'Excluded') {
      if (c.reason === 'notActive') notActive++
      else noImageLinkage++
      return
    }
    const f = c.finding
    encoder.add(f)
    const n = prints.length
    const p = print !== undefined && print[3] !== 0 ? print : scratch
    if (p === scratch) {
      scratch[3] = 0
      if (f.findingArn !== undefined) fingerprintInto(f.findingArn, scratch, 0)
    }
    prints.push4(p, 0)
    if (task.findingArns) arns[n / 4] = f.findingArn ?? ''
  }

  const take = (record: unknown): boolean => {
    if (nestedPage(record) !== undefined) {
      anomaly = 'a page nested in an array'
      return false
    }
    const c = classifyRecord(record, mapping)
    if (E.isLeft(c)) {
      anomaly = 'an invalid record'
      return false
    }
    tally(c.right)
    return true
  }
  // The fast path's findings go to the encoder in parts, with no object made.
  const takeFast = (s: JsonScanner): boolean => {
    fast.read(s)
    const o = fast.outcome()
    if (o === outcomes.declined) throw decline
    read++
    if (o === outcomes.notActive) notActive++
    else if (o === outcomes.noImageLinkage) noImageLinkage++
    else {
      encoder.addParts(fast.parts, fast.ids)
      const p = fast.print
      prints.push4(p, 0)
      if (task.findingArns) arns[prints.length / 4 - 1] = fast.parts.findingArn ?? ''
    }
    return true
  }

  const reader = new RecordReader(recordProjection, take, takeFast, task.from)
  reader.newlines = fast.newlines
  let next = 0
  let reached = -1
  // Runs of records, read in the walker and counted here: only when no ARN is sent.
  const stringOf = (id: number): string => fast.internedString(id)
  if (!task.findingArns)
    reader.run = (s, inArray, base) => {
      const ends = task.ends
      while (next < ends.length && (ends[next] as Boundary).offset < base + s.pos) next++
      const c = fast.run(s, inArray, (ends[next]?.offset ?? Number.POSITIVE_INFINITY) - base)
      read += c.read
      notActive += c.notActive
      noImageLinkage += c.noImageLinkage
      const words = fast.runWords
      for (let i = 0, at = fast.runAt; i < c.counted; i++, at += RUN_WORDS) {
        encoder.addIds(words, at, stringOf)
        prints.push4(words, at + RUN_PRINT)
      }
      return c
    }
  reader.stopBefore = (offset, state, inWrapper) => {
    const ends = task.ends
    while (next < ends.length && (ends[next] as Boundary).offset < offset) next++
    const b = ends[next]
    if (b === undefined || b.offset !== offset || b.state !== state || b.inWrapper !== inWrapper) return false
    reached = next
    return true
  }

  const flush = (): void => {
    if (prints.length === 0 && read === 0 && bytes === 0) return
    const { words, strings } = encoder.take()
    const batch: RangeBatch = {
      type: 'batch',
      words,
      strings,
      prints: prints.take(),
      arns,
      read,
      notActive,
      noImageLinkage,
      bytes,
      at: reader.lastStart(),
    }
    post(batch)
    arns = []
    read = notActive = noImageLinkage = bytes = 0
  }

  let turn: 0 | 1 = 0
  let fd: number | undefined
  let position = task.from?.offset ?? 0
  let ended = false

  const close = (): void => {
    if (fd !== undefined) closeSync(fd)
    fd = undefined
  }
  const end = (m: RangeEnd): false => {
    flush()
    post(m)
    ended = true
    close()
    return false
  }
  const stopped = (reason: string): RangeEnd => ({ type: 'stopped', at: reader.lastStart(), reason })

  const step = (): boolean => {
    if (ended) return false
    try {
      fd ??= openSync(task.path, 'r')
      if (position >= task.size) {
        const problem = reader.finish()
        return end(
          problem !== undefined || anomaly !== undefined
            ? stopped(anomaly ?? problem?.message ?? '')
            : { type: 'eof', sawValue: reader.sawValue },
        )
      }
      // Two buffers in the walker's memory, filled in turn (so the walker reads them in place):
      // the pending start of a value is copied from the one read before, new bytes read after
      // it. A value longer than a buffer gets one of its own.
      const pending = reader.pending()
      const want = Math.min(task.chunkSize, task.size - position)
      const target =
        fast.region(turn, Math.max(2 * task.chunkSize, pending.length + want)) ??
        Buffer.allocUnsafe(pending.length + want)
      turn = turn === 0 ? 1 : 0
      pending.copy(target, 0)
      const n = readSync(fd, target, pending.length, want, position)
      // The file shrank: the chaining thread reads on from here and finds out how.
      if (n === 0) return end(stopped('the file ended early'))
      position += n
      bytes += n
      const problem = reader.pushWhole(target.subarray(0, pending.length + n))
      if (reached >= 0) return end({ type: 'boundary', index: reached, at: reader.lastStart() })
      if (problem !== undefined || anomaly !== undefined)
        return end(stopped(anomaly ?? problem?.message ?? ''))
      if (bytes >= batchBytes) flush()
      return true
    } catch (e) {
      return end(stopped(errorText(e)))
    }
  }
  return { step, close }
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
export const readPieces = (task: PieceTask, claims: Int32Array, post: (m: PieceMessage) => void): void => {
  const fast = rangeRecord(task.read)
  for (;;) {
    const k = Atomics.add(claims, 0, 1)
    if (k > task.ends.length) return
    const run = startRange(pieceRange(task, k), (message) => post({ piece: k, message }), fast)
    while (k >= Atomics.load(claims, 1) && run.step());
    run.close()
  }
}
