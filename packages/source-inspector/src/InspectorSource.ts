/**
 * Amazon Inspector v2 as a live source: `ListFindings` through the SDK's paginator (and the
 * client's retry strategy), filters pushed down as `filterCriteria`, pipelines resolved with
 * Image Builder `GetImage`. A read either accounts for every page or fails as a whole with
 * `ServiceUnavailableException`: never partial counts presented as complete.
 *
 * @module
 */
import { ImagebuilderClient } from '@aws-sdk/client-imagebuilder'
import { Inspector2Client, paginateListFindings } from '@aws-sdk/client-inspector2'
import {
  type Finding,
  type FindingStatus,
  fromInspectorFinding,
  type IngestReport,
  InspectorFinding,
  type InspectorMappingOptions,
  imageBuildVersionArnOf,
  type ScantallyError,
  type SkippedRecord,
  serviceException,
  serviceUnavailable,
} from '@scantally/core'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { filterCriteriaOf, type InspectorFilter } from './FilterCriteria.js'
import { makePipelineLookup, type PipelineLookup } from './PipelineLookup.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of a live read. Clients default to the SDK's default credential chain and region,
 * with each request bounded by `requestTimeoutMs`;
 * `pipelines` defaults to `GetImage` through `imagebuilder`. `pageSize` is `ListFindings`'
 * `maxResults` (1–100, default 100). `policy` treats a finding the service returns that fails
 * validation: `strict` (default) fails the read with `ServiceException`, `skip` reports it.
 *
 * @category model
 */
export interface InspectorSourceOptions extends Omit<InspectorMappingOptions, 'resolvePipeline'> {
  readonly inspector?: Inspector2Client
  readonly imagebuilder?: ImagebuilderClient
  readonly pipelines?: PipelineLookup
  readonly filter?: InspectorFilter
  readonly pageSize?: number
  readonly policy?: 'strict' | 'skip'
  /** Per-request time limit of the default clients, in milliseconds (default 30 s). */
  readonly requestTimeoutMs?: number
}

/**
 * Client configuration that bounds every request in time: without it a connection that stalls
 * without closing would hang the read forever. A timed-out request is retried like any other
 * transient failure, and the read fails as a whole once the retries are spent.
 *
 * @category constructors
 */
export const boundedClientConfig = (requestTimeoutMs: number) => ({
  requestHandler: {
    requestTimeout: requestTimeoutMs,
    // Idle time on the socket, which also covers a body that stops arriving after the headers.
    socketTimeout: requestTimeoutMs,
    connectionTimeout: Math.min(requestTimeoutMs, 10_000),
    // Without this the SDK only logs a warning when the time limit passes, and keeps waiting.
    throwOnRequestTimeout: true,
  },
})

/**
 * A read in progress: iterate it (once) for batches of findings (one per page), then await
 * `result`, which settles when the iteration ends. A `Left` means the batches handed out so
 * far are not the whole answer and must not be presented as one.
 *
 * @category model
 */
export interface InspectorFindingSource extends AsyncIterable<ReadonlyArray<Finding>> {
  readonly result: Promise<E.Either<ScantallyError, IngestReport>>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Reads Inspector findings page by page as batches of normalized findings.
 *
 * @category constructors
 */
export const readInspectorFindings = (options: InspectorSourceOptions = {}): InspectorFindingSource => {
  let settle: (r: E.Either<ScantallyError, IngestReport>) => void = () => undefined
  const result = new Promise<E.Either<ScantallyError, IngestReport>>((resolve) => {
    settle = resolve
  })
  const generator = run(options, (r) => settle(r))
  return { result, [Symbol.asyncIterator]: () => generator }
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Folds every finding into a value, returning it with the report, or the error that failed
 * the read (then no value at all, so no partial counts).
 *
 * @category utils
 */
export const foldInspectorFindings =
  <B>(
    options: InspectorSourceOptions,
    initial: B,
    step: (b: B, finding: Finding) => B,
  ): TE.TaskEither<ScantallyError, { readonly value: B; readonly report: IngestReport }> =>
  async () => {
    const source = readInspectorFindings(options)
    let value = initial
    for await (const batch of source) for (const f of batch) value = step(value, f)
    const result = await source.result
    return E.isLeft(result) ? result : E.right({ value, report: result.right })
  }

/**
 * Reads every finding into memory.
 *
 * @category utils
 */
export const collectInspectorFindings = (
  options: InspectorSourceOptions = {},
): TE.TaskEither<ScantallyError, { readonly value: ReadonlyArray<Finding>; readonly report: IngestReport }> =>
  foldInspectorFindings<Array<Finding>>(options, [], (all, f) => {
    all.push(f)
    return all
  })

const describe = (e: unknown): string => {
  const err = e as {
    name?: unknown
    message?: unknown
    $metadata?: { httpStatusCode?: unknown; attempts?: unknown }
  }
  const status = err.$metadata?.httpStatusCode
  const attempts = err.$metadata?.attempts
  return [
    typeof err.name === 'string' ? err.name : 'Error',
    typeof err.message === 'string' && err.message !== '' ? `: ${err.message}` : '',
    status === undefined ? '' : ` (HTTP ${String(status)}`,
    status === undefined ? '' : attempts === undefined ? ')' : `, after ${String(attempts)} attempts)`,
  ].join('')
}

async function* run(
  options: InspectorSourceOptions,
  settle: (r: E.Either<ScantallyError, IngestReport>) => void,
): AsyncGenerator<ReadonlyArray<Finding>> {
  const statuses: ReadonlyArray<FindingStatus> = options.statuses ?? ['ACTIVE']
  const bounded = boundedClientConfig(options.requestTimeoutMs ?? 30_000)
  const inspector = options.inspector ?? new Inspector2Client(bounded)
  const pipelines =
    options.pipelines ?? makePipelineLookup(options.imagebuilder ?? new ImagebuilderClient(bounded))
  const mapping: InspectorMappingOptions = {
    statuses,
    resolvePipeline: pipelines.resolve,
    ...(options.includeUnlinked === undefined ? {} : { includeUnlinked: options.includeUnlinked }),
  }
  const strict = (options.policy ?? 'strict') === 'strict'
  const seen = new Set<string>()
  const t = { read: 0, counted: 0, notActive: 0, duplicate: 0, noImageLinkage: 0, invalid: 0 }
  const skipped: Array<SkippedRecord> = []
  let outcome: E.Either<ScantallyError, IngestReport> | undefined
  const report = (): IngestReport => ({
    _tag: 'IngestReport',
    files: 0,
    bytes: 0,
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
  try {
    const pages = paginateListFindings(
      { client: inspector, pageSize: Math.min(100, Math.max(1, options.pageSize ?? 100)) },
      { filterCriteria: filterCriteriaOf(options.filter ?? {}, statuses) },
    )
    let page = 0
    // The paginator follows whatever token the service hands back; one it already handed back
    // would page forever, so it fails the read instead (ending quietly would be a partial answer).
    const tokens = new Set<string>()
    for await (const out of pages) {
      page++
      if (out.nextToken !== undefined) {
        if (tokens.has(out.nextToken)) {
          outcome = E.left(
            serviceUnavailable(
              `Amazon Inspector returned the same nextToken again after page ${page}: the listing would never end`,
            ),
          )
          return
        }
        tokens.add(out.nextToken)
      }
      const raws: ReadonlyArray<unknown> = out.findings ?? []
      // Pipelines of the whole page first, so mapping each finding stays synchronous.
      const builds: Array<string> = []
      for (const raw of raws) {
        const d = InspectorFinding.decode(raw)
        const build = E.isRight(d) ? imageBuildVersionArnOf(d.right) : undefined
        if (build !== undefined) builds.push(build)
      }
      await pipelines.load(builds)
      const batch: Array<Finding> = []
      let position = 0
      for (const raw of raws) {
        position++
        t.read++
        const c = fromInspectorFinding(raw, mapping)
        if (E.isLeft(c)) {
          const where = `ListFindings page ${page}`
          if (strict) {
            outcome = E.left(serviceException(`${where}, finding ${position} is invalid: ${c.left}`))
            return
          }
          t.invalid++
          skipped.push({ file: where, position, reason: c.left })
        } else if (c.right._tag === 'Excluded') t[c.right.reason]++
        else if (c.right.finding.findingArn !== undefined && seen.has(c.right.finding.findingArn))
          t.duplicate++
        else {
          if (c.right.finding.findingArn !== undefined) seen.add(c.right.finding.findingArn)
          t.counted++
          batch.push(c.right.finding)
        }
      }
      if (batch.length > 0) yield batch
    }
    outcome = E.right(report())
  } catch (e) {
    outcome = E.left(serviceUnavailable(`Amazon Inspector or Image Builder failed mid-read: ${describe(e)}`))
  } finally {
    settle(outcome ?? E.right(report()))
  }
}
