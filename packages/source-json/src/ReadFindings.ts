/**
 * Reads finding exports into normalized findings, streaming: records are read, validated,
 * mapped and de-duplicated one at a time, handed out in batches (one per chunk read), and
 * accounted for in an {@link IngestReport}. Errors are data: the iteration ends and `result`
 * says why; nothing is thrown across this API.
 *
 * @module
 */
import {
  type Classified,
  concatIngestReports,
  emptyIngestReport,
  type Finding,
  type IngestReport,
  type InspectorMappingOptions,
  type SkippedRecord,
} from '@scantally/core'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { FastRecord } from './FastRecord.js'
import { FindingArnSet } from './FindingArnSet.js'
import { decodedBytes, errorText, type Input, listInputs, type ResumeAt } from './Input.js'
import type { JsonScanner } from './JsonScanner.js'
import { classifyRecord, nestedPage, recordProjection } from './Record.js'
import { decline, RecordReader, type SyntaxProblem } from './RecordReader.js'
import { emptyInput, invalidRecord, malformedJson, readFailed, type SourceError } from './SourceError.js'
import { planFile, readSplit } from './SplitRead.js'

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
   * its parts read at once; findings, report and errors are the same as in one pass.
   */
  readonly workers?: number
  /** The size from which a file is split between {@link ReadOptions.workers} (default 32 MiB). */
  readonly splitBytes?: number
  /**
   * Whether findings keep their `findingArn` (default `true`). A caller that only counts (the
   * read de-duplicates already) sets `false`: findings then come without it, and a split read
   * hands over a fingerprint per finding instead of its ARN.
   */
  readonly findingArns?: boolean
}

/**
 * A read in progress: iterate it (once) for the findings, then await `result` for how it
 * ended. `result` settles when the iteration ends, whether it ran out, failed, or was left
 * early; under `strict`, a `Left` result means the findings handed out so far must not be
 * presented as a result.
 *
 * @category model
 */
export interface FindingSource<A> extends AsyncIterable<A> {
  readonly result: Promise<E.Either<SourceError, IngestReport>>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Reads the inputs (paths of files or directories, or `-` for standard input) as batches of
 * findings. Each batch holds the findings of one chunk of input; no batch is empty.
 *
 * @category constructors
 */
export const readFindingBatches = (
  inputs: ReadonlyArray<string>,
  options: ReadOptions = {},
): FindingSource<ReadonlyArray<Finding>> => {
  let settle: (r: E.Either<SourceError, IngestReport>) => void = () => undefined
  const result = new Promise<E.Either<SourceError, IngestReport>>((resolve) => {
    settle = resolve
  })
  const generator = run(inputs, options, (r) => settle(r))
  return { result, [Symbol.asyncIterator]: () => generator }
}

/**
 * Reads the inputs as findings, one at a time (see {@link readFindingBatches}).
 *
 * @category constructors
 */
export const readFindings = (
  inputs: ReadonlyArray<string>,
  options: ReadOptions = {},
): FindingSource<Finding> => {
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
export const foldFindings =
  <B>(
    inputs: ReadonlyArray<string>,
    options: ReadOptions,
    initial: B,
    step: (b: B, finding: Finding) => B,
  ): TE.TaskEither<SourceError, { readonly value: B; readonly report: IngestReport }> =>
  async () => {
    const source = readFindingBatches(inputs, options)
    let value = initial
    for await (const batch of source) for (const f of batch) value = step(value, f)
    const result = await source.result
    return E.isLeft(result) ? result : E.right({ value, report: result.right })
  }

/**
 * Reads every finding of the inputs into memory (for small inputs and tests).
 *
 * @category utils
 */
export const collectFindings = (
  inputs: ReadonlyArray<string>,
  options: ReadOptions = {},
): TE.TaskEither<SourceError, { readonly value: ReadonlyArray<Finding>; readonly report: IngestReport }> =>
  foldFindings<Array<Finding>>(inputs, options, [], (all, f) => {
    all.push(f)
    return all
  })

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

// Whether a finding's ARN was seen before in this read (and notes it): by the fingerprint the
// fast path computed on its bytes, or by the ARN itself.
const isDuplicate = (seen: FindingArnSet, f: Finding, print: Uint32Array | undefined): boolean =>
  print !== undefined && print[3] !== 0
    ? !seen.addFingerprint(print[0] as number, print[1] as number, print[2] as number, print[3] as number)
    : f.findingArn !== undefined && !seen.add(f.findingArn)

// A finding as handed out when ARNs are not kept.
const withoutArn = (f: Finding): Finding => {
  if (f.findingArn === undefined) return f
  const { findingArn: _, ...rest } = f
  return rest
}

interface Context {
  readonly strict: boolean
  readonly fast: boolean
  readonly workers: number
  readonly splitBytes: number
  readonly chunkSize: number
  readonly findingArns: boolean
  readonly mapping: InspectorMappingOptions
  readonly seen: FindingArnSet
  readonly onProgress: (bytesRead: number) => void
  bytesRead: number
  report: IngestReport
}

async function* run(
  inputs: ReadonlyArray<string>,
  options: ReadOptions,
  settle: (r: E.Either<SourceError, IngestReport>) => void,
): AsyncGenerator<ReadonlyArray<Finding>> {
  const mapping: InspectorMappingOptions = {
    ...(options.statuses === undefined ? {} : { statuses: options.statuses }),
    ...(options.resolvePipeline === undefined ? {} : { resolvePipeline: options.resolvePipeline }),
    ...(options.includeUnlinked === undefined ? {} : { includeUnlinked: options.includeUnlinked }),
  }
  const ctx: Context = {
    strict: (options.policy ?? 'strict') === 'strict',
    fast: (options.parser ?? 'fast') === 'fast',
    workers: options.workers ?? 1,
    splitBytes: options.splitBytes ?? 32 << 20,
    chunkSize: options.chunkSize ?? 1 << 20,
    findingArns: options.findingArns ?? true,
    mapping,
    seen: new FindingArnSet(),
    onProgress: options.onProgress ?? (() => undefined),
    bytesRead: 0,
    report: emptyIngestReport,
  }
  let outcome: E.Either<SourceError, IngestReport> | undefined
  try {
    const listed = await listInputs(inputs, options.stdin ?? process.stdin, options.chunkSize ?? 1 << 20)
    if (E.isLeft(listed)) {
      outcome = listed
      return
    }
    for (const input of listed.right) {
      const failed = yield* readInput(input, ctx)
      if (failed !== undefined) {
        outcome = E.left(failed)
        return
      }
    }
    outcome = E.right(ctx.report)
  } catch (e) {
    outcome = E.left(readFailed(inputs.join(', '), errorText(e)))
  } finally {
    settle(outcome ?? E.right(ctx.report))
  }
}

// Reads one input; returns the error that stops the whole read (under `strict`), if any.
async function* readInput(
  input: Input,
  ctx: Context,
): AsyncGenerator<ReadonlyArray<Finding>, SourceError | undefined> {
  const file = input.name
  const t = { bytes: 0, read: 0, counted: 0, notActive: 0, duplicate: 0, noImageLinkage: 0, invalid: 0 }
  const skipped: Array<SkippedRecord> = []
  let position = 0
  let batch: Array<Finding> = []
  let failed: SourceError | undefined

  const skip = (reason: string): void => {
    t.read++
    t.invalid++
    skipped.push({ file, position, reason })
  }

  const take = (record: unknown, offset: number): boolean => {
    const page = nestedPage(record)
    if (page !== undefined) return page.every((r) => take(r, offset))
    position++
    const c = classifyRecord(record, ctx.mapping)
    if (E.isLeft(c)) {
      if (ctx.strict) {
        failed = invalidRecord(file, position, offset, c.left)
        return false
      }
      skip(c.left)
      return true
    }
    tally(c.right)
    return true
  }

  // `print`: the fingerprint of the finding's ARN, when the fast path made it.
  const tally = (c: Classified, print?: Uint32Array): void => {
    t.read++
    if (c._tag === 'Excluded') t[c.reason]++
    else if (isDuplicate(ctx.seen, c.finding, print)) t.duplicate++
    else {
      t.counted++
      batch.push(ctx.findingArns ? c.finding : withoutArn(c.finding))
    }
  }

  // The fast path declines (throws) before counting anything, so a declined record is counted
  // once, by `take`.
  const fast = new FastRecord({ ...ctx.mapping, findingArns: ctx.findingArns })
  const takeFast = (s: JsonScanner): boolean => {
    fast.read(s)
    const c = fast.classify()
    if (c === undefined) throw decline
    position++
    tally(c, fast.print)
    return true
  }

  const hooks = ctx.fast ? { fast: takeFast, newlines: fast.newlines } : {}
  let reader = new RecordReader(recordProjection, take, hooks)

  // Handles the problems a push or finish reports; `false` when this input cannot go on.
  const settle = (first: SyntaxProblem | undefined): boolean => {
    for (let p = first; p !== undefined; p = reader.resume()) {
      const error = malformedJson(file, p.offset, p.line, p.column, p.message)
      if (ctx.strict) {
        failed = error
        return false
      }
      position++
      skip(error.message)
      if (!reader.resync()) return false
    }
    return failed === undefined
  }

  try {
    // A large file may be read split between threads first: to its end, or up to where the rest
    // is read here in one pass, exactly as if the whole file were.
    let resume: ResumeAt | undefined
    const plan = input.path === undefined ? undefined : planFile(input.path, ctx.workers, ctx.splitBytes)
    if (plan !== undefined) {
      let progressed = 0
      const split = readSplit(plan, {
        chunkSize: ctx.chunkSize,
        findingArns: ctx.findingArns,
        mapping: ctx.mapping,
        seen: ctx.seen,
        tally: t,
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
        if (!end.sawValue) {
          if (ctx.strict) return emptyInput(file)
          position++
          skip(emptyInput(file).message)
        }
        return undefined
      }
      t.bytes += end.at.offset
      position = end.position
      reader = new RecordReader(recordProjection, take, { ...hooks, from: end.at })
      resume = { start: end.at.offset, size: BigInt(plan.size), mtimeNs: plan.mtimeNs }
    }
    let open = true
    for await (const chunk of decodedBytes(
      input.open(resume),
      (n) => {
        t.bytes += n
        ctx.bytesRead += n
        ctx.onProgress(ctx.bytesRead)
      },
      resume === undefined,
    )) {
      open = settle(reader.push(chunk))
      if (failed !== undefined) return failed
      if (batch.length > 0) {
        yield batch
        batch = []
      }
      if (!open) break
    }
    if (open) settle(reader.finish())
    if (failed !== undefined) return failed
    if (batch.length > 0) yield batch
    if (!reader.sawValue && open) {
      if (ctx.strict) return emptyInput(file)
      position++
      skip(emptyInput(file).message)
    }
    return undefined
  } catch (e) {
    const error = readFailed(file, errorText(e))
    if (ctx.strict) return error
    position++
    skip(error.message)
    return undefined
  } finally {
    ctx.report = concatIngestReports(ctx.report, {
      _tag: 'IngestReport',
      files: 1,
      bytes: t.bytes,
      read: t.read,
      counted: t.counted,
      excluded: {
        notActive: t.notActive,
        duplicate: t.duplicate,
        noImageLinkage: t.noImageLinkage,
        invalid: t.invalid,
      },
      skipped,
    })
  }
}
