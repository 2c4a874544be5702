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
  concatIngestReports,
  emptyIngestReport,
  type Finding,
  type FindingSource,
  type FindingStatus,
  type Folded,
  foldSource,
  fromInspectorFinding,
  type IngestReport,
  InspectorFinding,
  type InspectorMappingOptions,
  makeFindingSource,
  type ScantallyError,
} from '@scantally/core'
import {
  collectSource,
  describeAwsError,
  type IngestTally,
  imageBuildVersionArnOf,
  ingestRecord,
  makeIngestTally,
  type SeenBefore,
  seenByFindingArn,
  serviceException,
  serviceUnavailable,
  tallyReport,
} from '@scantally/core/internal'
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
  /** Region of the default clients (default: the SDK's, from `AWS_REGION` or the profile). */
  readonly region?: string
  /** Called after each page with the pages and findings read so far, for progress displays. */
  readonly onPage?: (pages: number, findings: number) => void
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
 * A live read in progress: core's {@link FindingSource}, one batch per page, failing with a
 * {@link ScantallyError} (`ServiceUnavailableException` when the service fails mid-read,
 * `ServiceException` for an invalid finding under `strict`).
 *
 * @category model
 */
export type InspectorFindingSource = FindingSource<ScantallyError>

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Reads Inspector findings page by page as batches of normalized findings.
 *
 * @category constructors
 */
export const readInspectorFindings = (options: InspectorSourceOptions = {}): InspectorFindingSource => {
  const read: ReadState = { report: emptyIngestReport }
  return makeFindingSource(() => run(options, read), {
    failed: (e) =>
      serviceUnavailable(`Amazon Inspector or Image Builder failed mid-read: ${describeAwsError(e)}`),
    soFar: () => read.report,
  })
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
export const foldInspectorFindings = <B>(
  options: InspectorSourceOptions,
  initial: B,
  step: (b: B, finding: Finding) => B,
): TE.TaskEither<ScantallyError, Folded<B>> => foldSource(readInspectorFindings(options), initial, step)

/**
 * Reads every finding into memory.
 *
 * @category utils
 */
export const collectInspectorFindings = (
  options: InspectorSourceOptions = {},
): TE.TaskEither<ScantallyError, Folded<ReadonlyArray<Finding>>> =>
  collectSource(readInspectorFindings(options))

// The report of the pages read so far (a page is added before its batch is handed out).
interface ReadState {
  report: IngestReport
}

async function* run(
  options: InspectorSourceOptions,
  read: ReadState,
): AsyncGenerator<ReadonlyArray<Finding>, E.Either<ScantallyError, IngestReport>> {
  const statuses: ReadonlyArray<FindingStatus> = options.statuses ?? ['ACTIVE']
  const bounded = {
    ...boundedClientConfig(options.requestTimeoutMs ?? 30_000),
    ...(options.region === undefined ? {} : { region: options.region }),
  }
  const inspector = options.inspector ?? new Inspector2Client(bounded)
  const pipelines =
    options.pipelines ?? makePipelineLookup(options.imagebuilder ?? new ImagebuilderClient(bounded))
  const mapping: InspectorMappingOptions = {
    statuses,
    resolvePipeline: pipelines.resolve,
    ...(options.includeUnlinked === undefined ? {} : { includeUnlinked: options.includeUnlinked }),
  }
  const strict = (options.policy ?? 'strict') === 'strict'
  const seen = seenByFindingArn()
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
      if (tokens.has(out.nextToken))
        return E.left(
          serviceUnavailable(
            `Amazon Inspector returned the same nextToken again after page ${page}: the listing would never end`,
          ),
        )
      tokens.add(out.nextToken)
    }
    const raws: ReadonlyArray<unknown> = out.findings ?? []
    // Pipelines of the whole page first, so mapping each finding stays synchronous.
    await pipelines.load(buildsOf(raws))
    const t = makeIngestTally(`ListFindings page ${page}`, 0, strict)
    const batch = readPage(t, raws, mapping, seen)
    if (t.stopped !== undefined)
      return E.left(serviceException(`${t.source}, finding ${t.position} is invalid: ${t.stopped}`))
    read.report = concatIngestReports(read.report, tallyReport(t))
    options.onPage?.(page, read.report.read)
    if (batch.length > 0) yield batch
  }
  return E.right(read.report)
}

// The image build versions a page's findings name.
const buildsOf = (raws: ReadonlyArray<unknown>): ReadonlyArray<string> => {
  const builds: Array<string> = []
  for (const raw of raws) {
    const d = InspectorFinding.decode(raw)
    const build = E.isRight(d) ? imageBuildVersionArnOf(d.right) : undefined
    if (build !== undefined) builds.push(build)
  }
  return builds
}

// The counted findings of one page, each record taken into the page's tally; stops at the
// first invalid one under `strict`.
const readPage = (
  t: IngestTally,
  raws: ReadonlyArray<unknown>,
  mapping: InspectorMappingOptions,
  seen: SeenBefore,
): ReadonlyArray<Finding> => {
  const batch: Array<Finding> = []
  for (const raw of raws) {
    const f = ingestRecord(t, fromInspectorFinding(raw, mapping), seen)
    if (t.stopped !== undefined) break
    if (f !== undefined) batch.push(f)
  }
  return batch
}
