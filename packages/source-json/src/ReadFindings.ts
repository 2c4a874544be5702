/**
 * Reads finding exports into normalized findings, streaming: records are read, validated,
 * mapped and de-duplicated one at a time, handed out in batches (one per chunk read), and
 * accounted for in an {@link IngestReport}. A read is core's {@link FindingSource}, failing with a
 * {@link SourceError}: errors are data, the iteration ends and `result` says why; nothing is
 * thrown across this API.
 *
 * @module
 */

import { open, stat } from 'node:fs/promises'
import {
  concatIngestReports,
  emptyIngestReport,
  type Finding,
  type FindingSource,
  type Folded,
  foldSource,
  fromInspectorFinding,
  type GroupKey,
  type IngestReport,
  type InspectorMappingOptions,
  makeFindingSource,
} from '@scantally/core'
import {
  collectSource,
  fromCombinationRow,
  type IngestTally,
  ingestRecord,
  ingestRow,
  makeIngestTally,
  type SeenBefore,
  skipRecord,
  tallyClassified,
  tallyReport,
} from '@scantally/core/internal'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type CutStream, cutStream } from './Blocks.js'
import {
  csvRowItems,
  isRawRow,
  ndjsonRowItems,
  type RawRow,
  type RowItem,
  type RowProblem,
} from './CombinationRows.js'
import { csvReportItems, isCsvProblem, isCsvRecord } from './CsvReport.js'
import { FastRecord } from './FastRecord.js'
import { FindingArnSet } from './FindingArnSet.js'
import type { FindingIdSink } from './FindingIdSink.js'
import { fileFormat, formatsTried, sniffStream } from './Format.js'
import { inflatedStream } from './InflatedStream.js'
import {
  type InflatingFile,
  InflatingFiles,
  type InflatingInput,
  readInflatingFile,
} from './InflatingFiles.js'
import {
  decodedBytes,
  decodedSize,
  errorText,
  type Input,
  likelyFindings,
  listInputs,
  maxReserved,
  type ResumeAt,
  startsWithGzipMagic,
} from './Input.js'
import type { JsonScanner } from './JsonScanner.js'
import { classifyRecord, nestedPage, recordKind, recordProjection } from './Record.js'
import { type ExportFile, noteLocation } from './RecordLocation.js'
import { decline, type ReaderPosition, RecordReader, type SyntaxProblem } from './RecordReader.js'
import {
  emptyInput,
  invalidRecord,
  invalidRow,
  malformedCsv,
  malformedJson,
  readFailed,
  type SourceError,
  unknownFormat,
} from './SourceError.js'
import { planFile, readSplit, type SplitPlan } from './SplitRead.js'
import { readStreamSplit, type StreamEnd } from './StreamSplit.js'
import type { RunCounts } from './WasmRecord.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What to do with bad input: `strict` stops at the first invalid record or malformed file and
 * gives no result (the error instead); `skip` goes on and lists every skipped record in the
 * report.
 *
 * @category model
 */
export type Policy = 'strict' | 'skip'

/**
 * Options of a read: the Inspector mapping options (counted statuses, pipeline resolver,
 * whether unlinked findings count), the {@link Policy} (default `strict`), what `-` reads
 * (default `process.stdin`), and the size of the chunks files are read in (default 1 MiB).
 *
 * @category model
 */
export interface ReadOptions extends InspectorMappingOptions {
  readonly policy?: Policy
  readonly stdin?: AsyncIterable<Buffer>
  readonly chunkSize?: number
  /** Called as input is read, with the bytes read so far (compressed bytes for gzip), for progress displays. */
  readonly onProgress?: (bytesRead: number) => void
  /**
   * How records are read: `fast` (the default) finds the members it needs on the bytes and leaves
   * any record it does not handle to `plain`, which materializes each record's projected members
   * and validates them with the codecs. Both give the same findings, report and errors.
   */
  readonly parser?: 'fast' | 'plain'
  /**
   * Threads a large file is read on (default 1: this thread only). With more, a regular,
   * uncompressed file of at least {@link ReadOptions.splitBytes} is cut at record starts and
   * its parts read at once; a stream (gzip, standard input, an object) is cut into blocks as it
   * arrives, read by that many threads while this one inflates and chains. On this thread only,
   * such a file is read as one part, in place in the walker's memory (the `fast` parser).
   * Findings, report and errors are the same as in one pass.
   */
  readonly workers?: number
  /**
   * The size from which a file is split between {@link ReadOptions.workers}, or read as one
   * part on one (default 32 MiB).
   */
  readonly splitBytes?: number
  /**
   * The size a stream is cut into blocks at for {@link ReadOptions.workers} (default 8 MiB); a
   * stream shorter than one block is read in one pass.
   */
  readonly blockBytes?: number
  /**
   * Whether findings keep their `findingArn` (default `true`). A caller that only counts (the
   * read de-duplicates already) sets `false`: findings then come without it, and a split read
   * hands over a fingerprint per finding instead of its ARN.
   */
  readonly findingArns?: boolean
  /**
   * The group keys the findings need (default: every one; the account is always kept). A caller
   * that knows its query leaves the others off the fast path's findings, which saves interning
   * values it never reads: with hundreds of thousands of image builds, most of a read's cost.
   * Records the plain path reads keep every key.
   */
  readonly keys?: ReadonlyArray<GroupKey> | undefined
  /**
   * Whether to note where each counted finding's record lies (see `recordLocation`), for a
   * reader that reads records back whole (default `false`). A split read's threads then send
   * each counted record's byte range with it (a one-pass read takes records one at a time, not in runs).
   */
  readonly locate?: boolean
  /**
   * The size from which a record still being read is read as a compact copy, whose long strings
   * the engine does not read are cut as they arrive (default 8 MiB): a huge record then costs one
   * pass and memory for what is kept. Records are never cut when {@link ReadOptions.locate} is set.
   */
  readonly cutBytes?: number
  /**
   * Whether gzipped files are each read whole on a thread of their own, several at once, when
   * there are {@link ReadOptions.workers} to spare (default: with two workers or more; see
   * `InflatingFiles`); with two workers, the first file is read so on the calling thread, and
   * with one (set `true`; the `fast` parser, records not located) every file is, by the same
   * reader, sooner and in less memory than in one pass. Their findings, report and errors are
   * a one-pass read's either way.
   */
  readonly fileThreads?: boolean
  /**
   * Where a split read, or gzipped files read a file per thread, put their counted findings as
   * ids (with their locations when `locate`), instead of handing them out as objects: the
   * batches then hold only the findings read otherwise, and the report is the same. Used only
   * when {@link ReadOptions.findingArns} is `false`; the sink takes findings in the order they
   * would have been handed out.
   */
  readonly into?: FindingIdSink
  /** Globs a directory's files must match to be read (default: every file); named files are always read. */
  readonly include?: ReadonlyArray<string>
  /**
   * Called with each file found in a directory that is not an export (in no known format, empty,
   * or JSON whose first record is no finding), which is skipped rather than an error.
   */
  readonly onSkippedInput?: (name: string, reason: string) => void
}

/**
 * A read of exports in progress: core's {@link FindingSource} whose error is a
 * {@link SourceError} (the file, and where in it). Under `strict`, a `Left` result means the
 * findings handed out so far must not be presented as a result.
 *
 * @category model
 */
export type ExportSource<A = ReadonlyArray<Finding>> = FindingSource<SourceError, A>

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Reads the inputs (paths of files or directories, or `-` for standard input) as batches of
 * findings. Each batch holds the findings of one chunk of input; no batch is empty.
 *
 * @category constructors
 */
export const readFindingBatches = (inputs: ReadonlyArray<string>, options: ReadOptions = {}): ExportSource =>
  readInputBatches(
    () =>
      listInputs(
        inputs,
        options.stdin ?? process.stdin,
        options.chunkSize ?? defaultChunkSize,
        options.include ?? [],
      ),
    inputs.join(', '),
    options,
  )

/**
 * Reads inputs listed by `list` (when the read starts) as one read, de-duplicating across them:
 * for inputs other than local files (objects in a store, say), each an {@link Input} whose
 * `open` streams its bytes. `name` names the whole read in an error nothing else names.
 *
 * @category constructors
 */
export const readInputBatches = (
  list: () => Promise<E.Either<SourceError, ReadonlyArray<Input>>>,
  name: string,
  options: ReadOptions = {},
): ExportSource => {
  const ctx = makeContext(options)
  return makeFindingSource(() => readAll(list, ctx), {
    failed: (e) => readFailed(name, errorText(e)),
    soFar: () => ctx.report,
  })
}

const defaultChunkSize = 1 << 20

/**
 * Reads the inputs as findings, one at a time (see {@link readFindingBatches}).
 *
 * @category constructors
 */
export const readFindings = (
  inputs: ReadonlyArray<string>,
  options: ReadOptions = {},
): ExportSource<Finding> => {
  const batches = readFindingBatches(inputs, options)
  return {
    result: batches.result,
    async *[Symbol.asyncIterator]() {
      for await (const batch of batches) yield* batch
    },
  }
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Folds every finding of the inputs into a value (counts, an engine index), returning the
 * value and the report, or the error that stopped the read.
 *
 * @category utils
 */
export const foldFindings = <B>(
  inputs: ReadonlyArray<string>,
  options: ReadOptions,
  initial: B,
  step: (b: B, finding: Finding) => B,
): TE.TaskEither<SourceError, Folded<B>> => foldSource(readFindingBatches(inputs, options), initial, step)

/**
 * Reads every finding of the inputs into memory (for small inputs and tests).
 *
 * @category utils
 */
export const collectFindings = (
  inputs: ReadonlyArray<string>,
  options: ReadOptions = {},
): TE.TaskEither<SourceError, Folded<ReadonlyArray<Finding>>> =>
  collectSource(readFindingBatches(inputs, options))

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

// What every input of one read shares: the options, the set findings are de-duplicated in
// across inputs, the bytes read so far, and the report of the inputs read.
interface Context {
  readonly strict: boolean
  readonly fast: boolean
  readonly workers: number
  readonly splitBytes: number
  readonly blockBytes: number | undefined
  readonly chunkSize: number
  readonly findingArns: boolean
  readonly keys: ReadonlyArray<GroupKey> | undefined
  readonly locate: boolean
  readonly cutBytes: number | undefined
  readonly fileThreads: boolean
  readonly into: FindingIdSink | undefined
  readonly mapping: InspectorMappingOptions
  readonly seen: FindingArnSet
  readonly onProgress: (bytesRead: number) => void
  readonly include: ReadonlyArray<string>
  readonly onSkippedInput: (name: string, reason: string) => void
  bytesRead: number
  report: IngestReport
}

const makeContext = (options: ReadOptions): Context => ({
  strict: (options.policy ?? 'strict') === 'strict',
  fast: (options.parser ?? 'fast') === 'fast',
  workers: options.workers ?? 1,
  splitBytes: options.splitBytes ?? 32 << 20,
  blockBytes: options.blockBytes,
  chunkSize: options.chunkSize ?? defaultChunkSize,
  findingArns: options.findingArns ?? true,
  keys: options.keys,
  locate: options.locate ?? false,
  cutBytes: options.locate === true ? Number.POSITIVE_INFINITY : options.cutBytes,
  fileThreads: options.fileThreads ?? (options.workers ?? 1) >= 2,
  into: options.into,
  mapping: {
    ...(options.statuses === undefined ? {} : { statuses: options.statuses }),
    ...(options.resolvePipeline === undefined ? {} : { resolvePipeline: options.resolvePipeline }),
    ...(options.includeUnlinked === undefined ? {} : { includeUnlinked: options.includeUnlinked }),
  },
  seen: new FindingArnSet(),
  onProgress: options.onProgress ?? (() => undefined),
  include: options.include ?? [],
  onSkippedInput: options.onSkippedInput ?? (() => undefined),
  bytesRead: 0,
  report: emptyIngestReport,
})

// Reads every input in turn; the first error that stops the read (under `strict`) ends it.
async function* readAll(
  list: () => Promise<E.Either<SourceError, ReadonlyArray<Input>>>,
  ctx: Context,
): AsyncGenerator<ReadonlyArray<Finding>, E.Either<SourceError, IngestReport>> {
  const listed = await list()
  if (E.isLeft(listed)) return listed
  const inputs = listed.right
  const inflating = await inflatingFiles(inputs, ctx)
  try {
    for (const [index, input] of inputs.entries()) {
      const failed = yield* readInput(input, ctx, await inflating?.take(index))
      if (failed !== undefined) return E.left(failed)
    }
    return E.right(ctx.report)
  } finally {
    inflating?.close()
    // The read is over: its fingerprints (16 bytes a finding) are let go before the answer is made.
    ctx.seen.release()
  }
}

// Gzipped files, with threads to read them on, are each read whole by a reader of their own, as
// many at a time as there are threads (see `InflatingFiles`); records to be located are copied
// into the batches by the reader that read them.
const inflatingFiles = async (
  inputs: ReadonlyArray<Input>,
  ctx: Context,
): Promise<InflatingFiles | undefined> => {
  // On one thread such a reader is this thread's; not for the plain parser, nor to locate records.
  const alone = ctx.workers < 2
  if (!ctx.fileThreads || (alone && (ctx.locate || !ctx.fast))) return undefined
  const files: Array<InflatingInput> = []
  // Bytes that can be opened again (an object) are told gzipped or not by the thread's sender;
  // not when records are located: their copies, made on every thread at once while the files
  // before wait, took `serve` on four gzipped S3 objects from 240 to 350 MB for 10 to 25% less time.
  for (const [index, input] of inputs.entries())
    if (input.path !== undefined) {
      if (await startsGzipped(input.path)) files.push({ index, path: input.path })
    } else if (input.again === true && !ctx.locate) files.push({ index, open: () => input.open() })
  // One file alone is cut into blocks for several reader threads when there are more than one;
  // on two, the block split would read on one thread too, at the cost of an inflating thread
  // and the blocks in flight.
  if (files.length === 0 || (files.length === 1 && ctx.workers > 2)) return undefined
  const { statuses, includeUnlinked } = ctx.mapping
  return new InflatingFiles(
    files,
    ctx.workers,
    {
      chunkSize: ctx.chunkSize,
      findingArns: ctx.findingArns,
      ...(ctx.keys === undefined ? {} : { keys: ctx.keys }),
      ...(statuses === undefined ? {} : { statuses }),
      ...(includeUnlinked === undefined ? {} : { includeUnlinked }),
      ...(ctx.locate ? { locate: true, copyRecords: true } : {}),
    },
    // On two threads, the calling thread reads a file itself: it has little else to do, and a
    // reading thread of its own would be a third busy thread (with the inflating one) on two cores.
    // Not when records are located: it then keeps every finding and record it is sent (`serve`),
    // which is as much work as reading them.
    { callingThread: ctx.workers <= 2 && !ctx.locate },
  )
}

// Whether a file begins with the gzip magic bytes (one that cannot be read is left to its read).
const startsGzipped = async (path: string): Promise<boolean> => {
  try {
    const handle = await open(path, 'r')
    try {
      const head = Buffer.alloc(2)
      const { bytesRead } = await handle.read(head, 0, 2, 0)
      return bytesRead === 2 && startsWithGzipMagic(head)
    } finally {
      await handle.close()
    }
  } catch {
    return false
  }
}

// Reads one input: split between threads first when it is large, then (the rest of) it in one
// pass; returns the error that stops the whole read (under `strict`), if any. Its tally joins
// the read's report however it ends.
async function* readInput(
  input: Input,
  ctx: Context,
  thread: InflatingFile | undefined,
): AsyncGenerator<ReadonlyArray<Finding>, SourceError | undefined> {
  const records = new InputRecords(input.name, ctx, input.listed === true)
  try {
    // A sent file's format is told from the bytes kept as they were sent.
    if (thread !== undefined)
      return yield* readStreamPhase(
        thread.path === undefined ? { ...input, open: () => thread.head() } : input,
        records,
        ctx,
        undefined,
        thread,
      )
    // On one thread the plain parser reads in one pass: a file of one piece is the fast path's.
    const planned =
      input.path === undefined || (ctx.workers < 2 && !ctx.fast)
        ? undefined
        : planFile(input.path, ctx.workers, ctx.splitBytes)
    // Only JSON is split (its format is told here once, from the file's first bytes).
    const plan = planned === undefined || fileFormat(planned.path) !== 'json' ? undefined : planned
    const split = plan === undefined ? undefined : yield* readSplitPhase(plan, records, ctx)
    if (split?.end === 'eof') return split.sawValue ? undefined : records.empty()
    return yield* readStreamPhase(input, records, ctx, split?.end === 'stopped' ? split : undefined)
  } catch (e) {
    return records.unreadable(e)
  } finally {
    thread?.drop()
    // A file of a directory that is not an export is listed as skipped, not read.
    if (records.notExport !== undefined) ctx.onSkippedInput(input.name, records.notExport)
    else ctx.report = concatIngestReports(ctx.report, tallyReport(records.tally))
  }
}

// Where a split read stopped and the rest of the file is to be read in one pass.
interface Stopped {
  readonly end: 'stopped'
  readonly at: ReaderPosition
  readonly resume: ResumeAt
}

// Reads a large file split between threads: to its end, or up to where the rest is read here in
// one pass, exactly as if the whole file were.
async function* readSplitPhase(
  plan: SplitPlan,
  records: InputRecords,
  ctx: Context,
): AsyncGenerator<ReadonlyArray<Finding>, { readonly end: 'eof'; readonly sawValue: boolean } | Stopped> {
  const t = records.tally
  let progressed = 0
  const split = readSplit(plan, {
    chunkSize: ctx.chunkSize,
    findingArns: ctx.findingArns,
    keys: ctx.keys,
    mapping: ctx.mapping,
    seen: ctx.seen,
    into: ctx.into,
    tally: t,
    // Located in the file as planned: the split read checks it is so to its end.
    locate: ctx.locate ? { path: plan.path, size: BigInt(plan.size), mtimeNs: plan.mtimeNs } : undefined,
    onBytes: (n) => {
      // Threads past a wrong guess read bytes twice: progress stops at the file's size.
      const add = Math.min(n, plan.size - progressed)
      progressed += add
      ctx.bytesRead += add
      ctx.onProgress(ctx.bytesRead)
    },
  })
  let r = await split.next()
  for (; r.done !== true; r = await split.next()) yield r.value
  const end = r.value
  if (end.end === 'eof') {
    t.bytes += plan.size
    return end
  }
  t.bytes += end.at.offset
  t.position = end.position
  return {
    end: 'stopped',
    at: end.at,
    resume: { start: end.at.offset, size: BigInt(plan.size), mtimeNs: plan.mtimeNs },
  }
}

// Reads an input's bytes (or the rest of them, after a split read) in one pass, a batch per chunk.
async function* readStreamPhase(
  input: Input,
  records: InputRecords,
  ctx: Context,
  from: Stopped | undefined,
  thread?: InflatingFile,
): AsyncGenerator<ReadonlyArray<Finding>, SourceError | undefined> {
  const t = records.tally
  // A file whose records are located is taken as it is now; its ranges are read back against it.
  const file =
    !ctx.locate || input.path === undefined
      ? undefined
      : from === undefined
        ? await exportFile(input.path)
        : { path: input.path, size: from.resume.size, mtimeNs: from.resume.mtimeNs }
  // Where the tally stood before this input was opened: a gzipped file read afresh by the
  // inflating thread is counted by it.
  const before = { bytes: t.bytes, read: ctx.bytesRead }
  const decoded = decodedBytes(
    input.open(from?.resume),
    (n) => {
      t.bytes += n
      ctx.bytesRead += n
      ctx.onProgress(ctx.bytesRead)
    },
    from === undefined,
    () => records.gunzipped(),
  )
  // The rest of a split file is JSON; anything else is told from its first bytes, once.
  const sniffed =
    from === undefined ? await sniffStream(decoded) : { format: 'json' as const, bytes: decoded }
  if (sniffed.format === 'unknown') return records.unknown(sniffed.encoding)
  if (sniffed.format === 'inspectorCsv') return yield* readCsvPhase(sniffed.bytes, records, ctx)
  if (sniffed.format === 'rowsNdjson' || sniffed.format === 'rowsCsv')
    return yield* readRowsPhase(
      sniffed.format === 'rowsCsv' ? csvRowItems(sniffed.bytes) : ndjsonRowItems(sniffed.bytes),
      records,
    )
  // A gzipped file's findings are de-duplicated as they come: room is made for as many as its
  // inflated size likely holds, so that the set does not rehash while the read is the busiest.
  if (records.gzipped && input.path !== undefined && from === undefined)
    ctx.seen.reserve(ctx.seen.count + Math.min(likelyFindings(await decodedSize(input.path)), maxReserved))
  // A stream that cannot be cut as a file is (gzip, standard input, an object) is cut as it
  // arrives, when there are threads to read it on; a gzipped file with a thread of its own is
  // read there.
  const streamed =
    thread !== undefined && records.gzipped
      ? yield* readInflatingPhase(thread, sniffed.bytes, before, records, ctx)
      : from === undefined && ctx.workers >= 2 && (records.gzipped || input.path === undefined)
        ? yield* readStreamSplitPhase(
            input.path !== undefined && records.gzipped
              ? await inflatedAfresh(input.path, sniffed.bytes, before, records, ctx)
              : cutStream(sniffed.bytes, ctx.blockBytes ?? defaultBlockBytes),
            input.name,
            records,
            ctx,
          )
        : undefined
  if (streamed?.end === 'eof') return streamed.sawValue ? undefined : records.empty()
  const reader = records.reader(streamed?.at ?? from?.at, file)
  let open = true
  try {
    for await (const chunk of streamed?.rest ?? sniffed.bytes) {
      open = records.settle(reader, reader.push(chunk))
      if (records.failed !== undefined) return records.failed
      const batch = records.takeBatch()
      if (batch !== undefined) yield batch
      if (!open) break
    }
  } catch (e) {
    // The bytes that came before the input failed are read first: a problem in them is first,
    // and one the reader cannot go on from ends the input there, as it would have anyway.
    if (open) open = records.settle(reader, reader.readHeld())
    if (records.failed !== undefined) return records.failed
    const batch = records.takeBatch()
    if (batch !== undefined) yield batch
    if (!open) return undefined
    throw e
  }
  if (open) records.settle(reader, reader.finish())
  if (records.failed !== undefined) return records.failed
  const batch = records.takeBatch()
  if (batch !== undefined) yield batch
  return !reader.sawValue && open ? records.empty() : undefined
}

// Reads a stream split between threads as it arrives: to its end, or up to where the rest is
// read in one pass.
async function* readStreamSplitPhase(
  stream: CutStream,
  name: string,
  records: InputRecords,
  ctx: Context,
): AsyncGenerator<ReadonlyArray<Finding>, StreamEnd> {
  const t = records.tally
  const split = readStreamSplit(stream, {
    name,
    // One thread fewer than asked: inflating (or taking a stream as it arrives) takes one.
    threads: Math.max(1, ctx.workers - 1),
    chunkSize: ctx.chunkSize,
    findingArns: ctx.findingArns,
    keys: ctx.keys,
    mapping: ctx.mapping,
    locate: ctx.locate,
    seen: ctx.seen,
    into: ctx.into,
    tally: t,
  })
  // Delegated, so that a reader left early lets the split read stop its threads.
  const end = yield* split
  if (end.end === 'stopped') t.position = end.position
  return end
}

// Reads a gzipped file on the thread that read it whole (see `InflatingFiles`); the bytes read
// here to tell its format are let go, uncounted.
async function* readInflatingPhase(
  thread: InflatingFile,
  sniffed: AsyncIterable<Buffer>,
  before: { readonly bytes: number; readonly read: number },
  records: InputRecords,
  ctx: Context,
): AsyncGenerator<ReadonlyArray<Finding>, StreamEnd> {
  await letGo(sniffed)
  const t = records.tally
  t.bytes = before.bytes
  ctx.bytesRead = before.read
  const end = yield* readInflatingFile(
    thread,
    { seen: ctx.seen, tally: t, findingArns: ctx.findingArns, mapping: ctx.mapping, into: ctx.into },
    ctx.chunkSize,
    (n) => {
      t.bytes += n
      ctx.bytesRead += n
      ctx.onProgress(ctx.bytesRead)
    },
  )
  if (end.end === 'stopped') t.position = end.position
  return end
}

// Lets go of a stream that was started (leaving it closes its file).
const letGo = async (bytes: AsyncIterable<Buffer>): Promise<void> => {
  const it = bytes[Symbol.asyncIterator]()
  await it.next()
  await it.return?.()
}

// The size a stream is cut into blocks at, by default. Blocks wait for the chain when it is the
// slower side (`serve` copying a gzipped file's records): at 4 MiB, `serve`'s load of a million
// high-cardinality findings peaked 40 MB higher, and took no less time.
const defaultBlockBytes = 2 << 20

// A gzipped file, told from its first bytes, read again from its start on an inflating thread
// of its own (see `InflatedStream`): the bytes read to tell it are let go, and uncounted.
const inflatedAfresh = async (
  path: string,
  sniffed: AsyncIterable<Buffer>,
  before: { readonly bytes: number; readonly read: number },
  records: InputRecords,
  ctx: Context,
): Promise<CutStream> => {
  await letGo(sniffed)
  const t = records.tally
  t.bytes = before.bytes
  ctx.bytesRead = before.read
  return inflatedStream(path, ctx.chunkSize, ctx.blockBytes ?? defaultBlockBytes, (n) => {
    t.bytes += n
    ctx.bytesRead += n
    ctx.onProgress(ctx.bytesRead)
  })
}

// Reads an Inspector findings report in CSV, a batch per chunk: each row is the Inspector
// finding it stands for, decided by core's Inspector mapping.
async function* readCsvPhase(
  bytes: AsyncIterable<Buffer>,
  records: InputRecords,
  ctx: Context,
): AsyncGenerator<ReadonlyArray<Finding>, SourceError | undefined> {
  try {
    for await (const items of csvReportItems(bytes, !ctx.strict)) {
      for (const item of items) {
        if (!isCsvRecord(item))
          skipRecord(records.tally, malformedCsv(records.file, item.line, item.message).message)
        else if (!records.ingest(fromInspectorFinding(item.record, ctx.mapping), item.offset))
          return records.failed
      }
      const batch = records.takeBatch()
      if (batch !== undefined) yield batch
    }
  } catch (e) {
    if (!isCsvProblem(e)) throw e
    const batch = records.takeBatch()
    if (batch !== undefined) yield batch
    return malformedCsv(records.file, e.line, e.message)
  }
  return undefined
}

// Reads combination rows, a batch per chunk: each row is decided by core (validated, linkage as
// for an Inspector finding) and stands for its count of findings; a line that is no row is
// malformed input, under the read's policy.
async function* readRowsPhase(
  items: AsyncIterable<ReadonlyArray<RowItem>>,
  records: InputRecords,
): AsyncGenerator<ReadonlyArray<Finding>, SourceError | undefined> {
  for await (const chunk of items) {
    for (const item of chunk)
      if (!(isRawRow(item) ? records.ingestRow(item) : records.malformedRow(item))) return records.failed
    const batch = records.takeBatch()
    if (batch !== undefined) yield batch
  }
  return undefined
}

// The records of one input as the readers hand them over: each is classified (on its bytes by
// the fast path, or materialized and validated), then de-duplicated and tallied by core, and
// its finding added to the batch being filled. Made once per input, so that the sinks the
// readers call per record allocate nothing of their own.
class InputRecords {
  readonly tally: IngestTally
  /** The error that stops the read, once there is one. */
  failed: SourceError | undefined = undefined
  /** Why this input, found in a directory, is not an export and is skipped, once it is known. */
  notExport: string | undefined = undefined
  private batch: Array<Finding> = []
  // Locating: the reader, the file its offsets are of (none: records are copied), where the
  // record being taken starts, and how deep in a nested page it is (records there are not located).
  private current: RecordReader | undefined = undefined
  private located: ExportFile | undefined = undefined
  private gzip = false
  private start = 0
  private paged = 0
  private readonly fast: FastRecord | undefined
  private readonly seenPlain: SeenBefore
  private readonly seenFast: SeenBefore

  constructor(
    readonly file: string,
    private readonly ctx: Context,
    private readonly listed: boolean,
  ) {
    this.tally = makeIngestTally(file, 1, ctx.strict)
    const seen = ctx.seen
    this.seenPlain = (f) => f.findingArn !== undefined && !seen.add(f.findingArn)
    const fast = ctx.fast
      ? new FastRecord({ ...ctx.mapping, findingArns: ctx.findingArns, keys: ctx.keys })
      : undefined
    this.fast = fast
    // By the fingerprint the fast path computed on the record's bytes, or by the ARN itself.
    this.seenFast =
      fast === undefined
        ? this.seenPlain
        : (f) => {
            const p = fast.print
            return p[3] !== 0
              ? !seen.addFingerprint(p[0] as number, p[1] as number, p[2] as number, p[3] as number)
              : f.findingArn !== undefined && !seen.add(f.findingArn)
          }
  }

  /** A reader of this input's records, from its start or from where a split read stopped. */
  reader(from?: ReaderPosition, file?: ExportFile): RecordReader {
    const fast = this.fast
    // Runs send no ARN and no record's place: only for a read that keeps neither.
    const runs = !this.ctx.findingArns && !this.ctx.locate
    const hooks =
      fast === undefined
        ? {}
        : { fast: this.takeFast, newlines: fast.newlines, ...(runs ? { run: this.takeRun } : {}) }
    const reader = new RecordReader(recordProjection, this.take, {
      ...hooks,
      ...(from === undefined ? {} : { from }),
      cutFrom: this.ctx.cutBytes,
    })
    if (this.ctx.locate) {
      this.current = reader
      this.located = this.gzip ? undefined : file
    }
    return reader
  }

  /** Whether the input turned out to be gzip. */
  get gzipped(): boolean {
    return this.gzip
  }

  /** The input turned out to be gzip: its offsets are not the file's, so records are copied. */
  gunzipped(): void {
    this.gzip = true
    this.located = undefined
  }

  /** The plain path: a materialized record (or a page of them) and its byte offset. */
  readonly take = (record: unknown, offset: number): boolean => {
    const page = nestedPage(record)
    if (page !== undefined) {
      this.paged++
      try {
        return page.every((r) => this.take(r, offset))
      } finally {
        this.paged--
      }
    }
    this.start = offset
    if (this.listed && this.tally.position === 0 && recordKind(record) === undefined) {
      this.notExport = 'not an export: JSON whose first record is not a finding'
      return false
    }
    return this.ingest(classifyRecord(record, this.ctx.mapping), offset)
  }

  /** A record classified by one of core's mappings, at its byte offset; `false` stops the read. */
  ingest(classified: ReturnType<typeof classifyRecord>, offset: number): boolean {
    const t = this.tally
    const f = ingestRecord(t, classified, this.seenPlain)
    if (t.stopped !== undefined) {
      this.failed = invalidRecord(this.file, t.position, offset, t.stopped)
      return false
    }
    if (f !== undefined) this.add(f)
    return true
  }

  /** A combination row; `false` stops the read (an invalid row under `strict`). */
  ingestRow(item: RawRow): boolean {
    const t = this.tally
    const f = ingestRow(t, fromCombinationRow(item.row, this.ctx.mapping))
    if (t.stopped !== undefined) {
      this.failed = invalidRow(this.file, t.position, item, t.stopped)
      return false
    }
    if (f !== undefined) this.batch.push(f)
    return true
  }

  /** A line of a rows file that is no row: the error under `strict`, else skipped; `false` stops. */
  malformedRow(p: RowProblem): boolean {
    const error = malformedJson(this.file, p.offset, p.line, 1, p.message)
    if (this.ctx.strict) {
      this.failed = error
      return false
    }
    skipRecord(this.tally, error.message)
    return true
  }

  /**
   * The fast path. It declines (throws) before counting anything, so a declined record is
   * counted once, by {@link InputRecords.take}.
   */
  readonly takeFast = (s: JsonScanner, offset: number): boolean => {
    const fast = this.fast as FastRecord
    this.start = offset
    fast.read(s)
    const c = fast.classify()
    if (c === undefined) throw decline
    this.tally.position++
    const f = tallyClassified(this.tally, c, this.seenFast)
    if (f !== undefined) this.add(f)
    return true
  }

  /** A run of records the walker read and decided at once (see `RecordRun`), tallied as one by one. */
  readonly takeRun = (s: JsonScanner, inArray: boolean): RunCounts => {
    const fast = this.fast as FastRecord
    const c = fast.run(s, inArray, Number.POSITIVE_INFINITY)
    const t = this.tally
    t.position += c.read
    t.read += c.read - c.counted
    t.notActive += c.notActive
    t.noImageLinkage += c.noImageLinkage
    for (let i = 0; i < c.counted; i++) {
      fast.runParts(i)
      const f = tallyClassified(t, { _tag: 'Counted', finding: fast.finding() }, this.seenFast)
      if (f !== undefined) this.add(f)
    }
    return c
  }

  /** Handles the problems a push or finish reports; `false` when this input cannot go on. */
  settle(reader: RecordReader, first: SyntaxProblem | undefined): boolean {
    // A record refused by its sink is the value the reader last started: its line is counted
    // now, once, as for a syntax error (never per record).
    const refused = this.failed
    if (refused?._tag === 'InvalidRecord' && refused.line === undefined) {
      const at = reader.lastStart()
      if (at.offset === refused.offset)
        this.failed = invalidRecord(
          refused.file,
          refused.position,
          refused.offset,
          refused.reason,
          at.lines + 1,
        )
    }
    for (let p = first; p !== undefined; p = reader.resume()) {
      const error = malformedJson(this.file, p.offset, p.line, p.column, p.message)
      if (this.ctx.strict) {
        this.failed = error
        return false
      }
      skipRecord(this.tally, error.message)
      if (!reader.resync()) return false
    }
    return this.failed === undefined
  }

  /** The findings counted since the last call, if any. */
  takeBatch(): ReadonlyArray<Finding> | undefined {
    if (this.batch.length === 0) return undefined
    const batch = this.batch
    this.batch = []
    return batch
  }

  /** An input with no JSON value: the error under `strict`, a skipped record otherwise. */
  empty(): SourceError | undefined {
    if (this.listed) return this.skipInput('not an export: empty')
    return this.stop(emptyInput(this.file))
  }

  /**
   * An input in no known format (`encoding`: the other encoding its byte order mark names):
   * skipped when found in a directory, else as {@link empty}.
   */
  unknown(encoding?: string): SourceError | undefined {
    if (this.listed)
      return this.skipInput(
        `not an export: ${encoding === undefined ? 'in no known format' : `${encoding} text`}`,
      )
    return this.stop(unknownFormat(this.file, formatsTried, encoding))
  }

  private skipInput(why: string): undefined {
    this.notExport = why
    return undefined
  }

  /** An input that could not be read (or stopped being readable). */
  unreadable(e: unknown): SourceError | undefined {
    return this.stop(readFailed(this.file, errorText(e)))
  }

  private stop(error: SourceError): SourceError | undefined {
    if (this.ctx.strict) return error
    skipRecord(this.tally, error.message)
    return undefined
  }

  // A finding as handed out: without its ARN when ARNs are not kept; located when asked.
  private add(f: Finding): void {
    let out = f
    if (!this.ctx.findingArns && f.findingArn !== undefined) {
      const { findingArn: _, ...rest } = f
      out = rest
    }
    const reader = this.current
    if (reader !== undefined && this.paged === 0)
      noteLocation(
        out,
        this.located === undefined
          ? { _tag: 'Copied', bytes: reader.bytesFrom(this.start) }
          : { _tag: 'InFile', file: this.located, start: this.start, end: reader.offset },
      )
    this.batch.push(out)
  }
}

// The file as it is now, for the ranges of its records to be read back against.
const exportFile = async (path: string): Promise<ExportFile> => {
  const s = await stat(path, { bigint: true })
  return { path, size: s.size, mtimeNs: s.mtimeNs }
}
