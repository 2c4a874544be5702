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
 * @category model
 */
export interface FindingSource<E, A = ReadonlyArray<Finding>> extends AsyncIterable<A> {
  readonly result: Promise<E.Either<E, IngestReport>>
}

/**
 * What folding a whole source gives: the folded value and the report of the read.
 *
 * @category model
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
 * @category model
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
 * import * as E from 'fp-ts/lib/Either.js'
 * import { emptyIngestReport, makeFindingSource, serviceUnavailable } from '@scantally/core'
 *
 * const source = makeFindingSource(
 *   async function* () {
 *     yield [{ awsAccountId: '111122223333', severity: 'HIGH' as const }]
 *     return E.right({ ...emptyIngestReport, read: 1, counted: 1 })
 *   },
 *   { failed: (e) => serviceUnavailable(String(e)), soFar: () => emptyIngestReport },
 * )
 *
 * @category constructors
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
 * @category constructors
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
 * import { foldSource, fromAsyncIterable, type Finding } from '@scantally/core'
 *
 * async function* findings(): AsyncGenerator<Finding> {
 *   yield { awsAccountId: '111122223333', severity: 'HIGH' }
 * }
 * const counted = await foldSource(fromAsyncIterable(findings()), 0, (n) => n + 1)()
 * // Right({ value: 1, report: { ..., read: 1, counted: 1 } })
 *
 * @category utils
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
