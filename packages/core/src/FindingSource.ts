/**
 * The one contract every finding source keeps: an async iterable of findings (in batches, one
 * per chunk or page) plus a `result` that settles when the iteration ends, with the read's
 * {@link IngestReport} or the error that stopped it. Consumers join the result: folding a source
 * is a `TaskEither` that is `Left` whenever the source's result is, so no index, answer or
 * served dataset is ever made of a read that failed.
 *
 * The error type is the source's own (`E`): export files fail with their file, line and byte
 * offset, a live service with a {@link ScantallyError}; consumers widen it with their own errors
 * rather than flattening it into one shape.
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type ServiceUnavailableException, serviceUnavailable } from './Errors.js'
import type { Finding } from './Finding.js'
import { emptyIngestReport, type IngestReport } from './IngestReport.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A read in progress: iterate it (once) for its items, then await `result` for how it ended.
 * `result` settles when the iteration ends, whether it ran out, failed, or was left early (then
 * with the report of what was read). A `Left` result means the items handed out so far are not
 * the whole answer and must not be presented as one. Iterating never throws: a failure ends the
 * iteration and is the `Left` of `result`.
 *
 * `E` is the source's error; `A` what it hands out, batches of findings unless it says otherwise.
 *
 * @example
 * ```ts
 * import type { FindingSource, ScantallyError } from '@scantally/core'
 *
 * // Any source of findings: iterate it once, then join its result.
 * const countFindings = async (source: FindingSource<ScantallyError>): Promise<number> => {
 *   let n = 0
 *   for await (const batch of source) n += batch.length
 *   const result = await source.result
 *   if (result._tag === 'Left') throw new Error(result.left.message) // never a partial count
 *   return n
 * }
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export interface FindingSource<E, A = ReadonlyArray<Finding>> extends AsyncIterable<A> {
  readonly result: Promise<E.Either<E, IngestReport>>
}

/**
 * What folding a whole source gives: the folded value and the report of the read.
 *
 * @example
 * ```ts
 * import { Finding, type Folded, foldSource, fromAsyncIterable } from '@scantally/core'
 *
 * async function* findings(): AsyncGenerator<Finding> {}
 * const accounts = foldSource(fromAsyncIterable(findings()), new Set<string>(), (s, f) => s.add(f.awsAccountId))
 * const print = ({ value, report }: Folded<Set<string>>) => console.log(`${value.size} accounts, ${report.read} read`)
 * const folded = await accounts()
 * if (folded._tag === 'Right') print(folded.right)
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export interface Folded<B> {
  readonly value: B
  readonly report: IngestReport
}

/**
 * How a source built by {@link makeFindingSource} ends when its body does not return: `failed`
 * makes the source's error of an exception the body threw (I/O, a client library), and `soFar`
 * gives the report of what was read when the consumer leaves the iteration early.
 *
 * @example
 * ```ts
 * import { emptyIngestReport, type Endings } from '@scantally/core'
 *
 * let read = 0
 * // A read that fails with a message, and reports what it read when left early.
 * const endings: Endings<string> = {
 *   failed: (thrown) => `the read failed after ${read} findings: ${String(thrown)}`,
 *   soFar: () => ({ ...emptyIngestReport, read, counted: read }),
 * }
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export interface Endings<E> {
  readonly failed: (thrown: unknown) => E
  readonly soFar: () => IngestReport
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A source from a generator that yields the items and returns how the read ended. The source
 * settles its `result` from that return value, or through `endings` when the body throws or is
 * left early; the body runs when the source is first iterated.
 *
 * @example
 * ```ts
 * import * as E from 'fp-ts/lib/Either.js'
 * import { emptyIngestReport, Finding, makeFindingSource } from '@scantally/core'
 *
 * const source = makeFindingSource(
 *   async function* () {
 *     const batch = [{ awsAccountId: '111122223333', severity: 'HIGH' }].filter(Finding.is)
 *     yield batch
 *     return E.right({ ...emptyIngestReport, read: batch.length, counted: batch.length })
 *   },
 *   { failed: (thrown) => `the read failed: ${String(thrown)}`, soFar: () => emptyIngestReport },
 * )
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeFindingSource = <E, A>(
  body: () => AsyncGenerator<A, E.Either<E, IngestReport>>,
  endings: Endings<E>,
): FindingSource<E, A> => {
  let settle: (r: E.Either<E, IngestReport>) => void = () => undefined
  const result = new Promise<E.Either<E, IngestReport>>((resolve) => {
    settle = resolve
  })
  async function* run(): AsyncGenerator<A, void> {
    let outcome: E.Either<E, IngestReport> | undefined
    try {
      outcome = yield* body()
    } catch (e) {
      outcome = Either.left(endings.failed(e))
    } finally {
      settle(outcome ?? Either.right(endings.soFar()))
    }
  }
  const generator = run()
  return { result, [Symbol.asyncIterator]: () => generator }
}

/**
 * A source over a plain async iterable of findings or batches, for findings that were read and
 * checked elsewhere: every finding is read and counted (no de-duplication here), and an
 * exception the iterable throws is `ServiceUnavailableException`.
 *
 * @example
 * ```ts
 * import { Finding, fromAsyncIterable } from '@scantally/core'
 *
 * async function* findings(): AsyncGenerator<Finding> {
 *   for (const raw of [{ awsAccountId: '111122223333', severity: 'HIGH' }]) if (Finding.is(raw)) yield raw
 * }
 * const source = fromAsyncIterable(findings())
 * for await (const finding of source) console.log(finding.severity)
 * console.log(await source.result) // Right({ read: 1, counted: 1, ... })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromAsyncIterable = <A extends Finding | ReadonlyArray<Finding>>(
  items: AsyncIterable<A>,
): FindingSource<ServiceUnavailableException, A> => {
  let findings = 0
  const report = (): IngestReport => ({ ...emptyIngestReport, read: findings, counted: findings })
  return makeFindingSource(
    async function* () {
      for await (const item of items) {
        findings += isBatch(item) ? item.length : 1
        yield item
      }
      return Either.right(report())
    },
    {
      failed: (e) =>
        serviceUnavailable(
          `the finding source failed after ${findings} findings: ${String((e as Error)?.message ?? e)}`,
        ),
      soFar: report,
    },
  )
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The same read with each item changed by `f` (to watch progress, say); the result is the
 * source's own.
 *
 * @category combinators
 */
export const mapSource =
  <A, B>(f: (a: A) => B) =>
  <E>(source: FindingSource<E, A>): FindingSource<E, B> => ({
    result: source.result,
    async *[Symbol.asyncIterator]() {
      for await (const a of source) yield f(a)
    },
  })

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Folds every finding of a source (of findings or of batches) into a value, then joins the
 * source's result: the value and the report, or the source's error and no value at all. The
 * task iterates the source, so it runs once.
 *
 * @example
 * ```ts
 * import { Finding, foldSource, fromAsyncIterable } from '@scantally/core'
 *
 * async function* findings(): AsyncGenerator<Finding> {
 *   for (const raw of [{ awsAccountId: '111122223333', severity: 'CRITICAL' }]) if (Finding.is(raw)) yield raw
 * }
 * const critical = foldSource(fromAsyncIterable(findings()), 0, (n, f) => (f.severity === 'CRITICAL' ? n + 1 : n))
 * const folded = await critical()
 * // Right({ value: 1, report: { read: 1, counted: 1, ... } }); Left when the source failed
 * ```
 *
 * @category utils
 * @since 0.1.0
 */
export const foldSource =
  <E, B>(
    source: FindingSource<E, Finding | ReadonlyArray<Finding>>,
    initial: B,
    step: (b: B, finding: Finding) => B,
  ): TE.TaskEither<E, Folded<B>> =>
  async () => {
    let value = initial
    for await (const item of source)
      if (isBatch(item)) for (const f of item) value = step(value, f)
      else value = step(value, item)
    const result = await source.result
    return Either.isLeft(result) ? result : Either.right({ value, report: result.right })
  }

/**
 * Every finding of a source in memory (for small reads and tests), with the report.
 *
 * @category utils
 */
export const collectSource = <E>(
  source: FindingSource<E, Finding | ReadonlyArray<Finding>>,
): TE.TaskEither<E, Folded<ReadonlyArray<Finding>>> =>
  foldSource<E, Array<Finding>>(source, [], (all, f) => {
    all.push(f)
    return all
  })

/**
 * Whether an item of a source is a batch of findings rather than one finding.
 *
 * @category utils
 */
export const isBatch = (item: Finding | ReadonlyArray<Finding>): item is ReadonlyArray<Finding> =>
  Array.isArray(item)
