/**
 * The inputs of a run, whatever they are: export files, folders and standard input, exports in
 * S3 (`s3://bucket/prefix`), and `inspector:` (live Amazon Inspector findings, optionally
 * `inspector:REGION`). Each input is
 * read by its own source; one run's answer is the fold of all of them, in the order given,
 * de-duplicated by `findingArn` across them.
 *
 * @module
 */
import type { Criterion, FindingSource, Query, ScantallyError } from '@scantally/core'
import { concatSources, serviceUnavailable } from '@scantally/core/internal'
import type { InspectorFilter, PipelineLookup } from '@scantally/source-inspector'
import {
  type Input,
  listInputs,
  type ReadOptions,
  readInputBatches,
  type SourceError,
} from '@scantally/source-json'
import { isS3Url } from '@scantally/source-s3/url'
import * as E from 'fp-ts/lib/Either.js'
import type { Io } from './Io.js'
import { livePipelines } from './PipelineMapCommand.js'
import { sameInputWarnings } from './SameInputs.js'
import type { SourceOptions } from './SourceOptions.js'
import { failed, usageError } from './Usage.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A run of consecutive export inputs (read as one read, de-duplicating across its files), or
 * one live Inspector input.
 *
 * @category model
 */
export type InputGroup =
  | { readonly _tag: 'Exports'; readonly args: ReadonlyArray<string> }
  | { readonly _tag: 'Inspector'; readonly name: string; readonly region: string | undefined }

/**
 * What a read of every input fails with: an export's error (its file and position) or a live
 * input's, named with the input.
 *
 * @category model
 */
export type InputError = SourceError | ScantallyError

/**
 * How the inputs are read: the export read options (the pipeline map is their resolver), the
 * lookup live inputs resolve pipelines with (default: the export options' resolver, asking no
 * service), what an Inspector read may leave to the service, and progress reporting.
 *
 * @category model
 */
export interface InputOptions {
  readonly read: ReadOptions
  readonly pipelines?: PipelineLookup
  readonly inspectorFilter?: InspectorFilter
  readonly onInspectorPage?: (input: string, pages: number, findings: number) => void
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const inspectorArg = /^inspector:(.*)$/
const regionName = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/

/**
 * Sorts the input arguments into groups, in order; a malformed `inspector:` argument is a usage
 * error message.
 *
 * @category constructors
 */
export const parseInputs = (args: ReadonlyArray<string>): E.Either<string, ReadonlyArray<InputGroup>> => {
  const groups: Array<InputGroup> = []
  let exports: Array<string> = []
  for (const arg of args) {
    const m = inspectorArg.exec(arg)
    if (m === null) {
      exports.push(arg)
      continue
    }
    const region = m[1] === '' ? undefined : m[1]
    if (region !== undefined && !regionName.test(region))
      return E.left(`${arg}: not an AWS region after inspector: (like inspector:us-east-1)`)
    if (exports.length > 0) groups.push({ _tag: 'Exports', args: exports })
    exports = []
    groups.push({ _tag: 'Inspector', name: arg, region })
  }
  if (exports.length > 0) groups.push({ _tag: 'Exports', args: exports })
  return E.right(groups)
}

/**
 * Whether any input is live (read from an AWS service).
 *
 * @category utils
 */
export const hasLiveInputs = (groups: ReadonlyArray<InputGroup>): boolean =>
  groups.some((g) => g._tag !== 'Exports')

/**
 * The live source's module, loaded (with the AWS SDK in it) only by a run that reads a live input
 * or resolves pipelines live: the SDK's code is most of the command's, and loading it took 0.19 s
 * of every run's start.
 *
 * @category model
 */
export type LiveModule = typeof import('@scantally/source-inspector')

/**
 * One source over every input group, in order. With more than one group, findings keep their
 * ARNs so duplicates across groups are found. `live` is needed when a group is live.
 *
 * @category constructors
 */
export const readInputs = (
  groups: ReadonlyArray<InputGroup>,
  options: InputOptions,
  live?: LiveModule,
): FindingSource<InputError> => {
  const read: ReadOptions = groups.length > 1 ? { ...options.read, findingArns: true } : options.read
  const opens = groups.map((g): (() => FindingSource<InputError>) => {
    if (g._tag === 'Exports') return () => readExports(g.args, read)
    if (live === undefined) throw new Error(`${g.name}: the live source's module is not loaded`)
    const pipelines = options.pipelines ?? live.fixedPipelineLookup(read.resolvePipeline)
    return () => named(g.name, live.readInspectorFindings(inspectorOptions(g, read, pipelines, options)))
  })
  return concatSources(opens, (e) => serviceUnavailable(`the read failed: ${String(e)}`))
}

// Files, folders, stdin and s3:// URLs as one read of the export reader, listed in order when
// the read starts (the S3 reader, with the SDK, is loaded and its client made only when there is
// an S3 URL).
const readExports = (args: ReadonlyArray<string>, read: ReadOptions): FindingSource<SourceError> => {
  const list = async (): Promise<E.Either<SourceError, ReadonlyArray<Input>>> => {
    const s3 = args.some(isS3Url) ? await import('@scantally/source-s3') : undefined
    const client = s3?.s3ClientFromEnv()
    const all: Array<Input> = []
    for (const arg of args) {
      const listed =
        s3 !== undefined && client !== undefined && isS3Url(arg)
          ? await s3.listS3Inputs(arg, client)
          : await listInputs(
              [arg],
              read.stdin ?? process.stdin,
              read.chunkSize ?? 1 << 20,
              read.include ?? [],
            )
      if (E.isLeft(listed)) return listed
      all.push(...listed.right)
    }
    return E.right(all)
  }
  return readInputBatches(list, args.join(', '), read)
}

const inspectorOptions = (
  g: Extract<InputGroup, { _tag: 'Inspector' }>,
  read: ReadOptions,
  pipelines: PipelineLookup,
  options: InputOptions,
): Parameters<LiveModule['readInspectorFindings']>[0] => ({
  pipelines,
  ...(read.statuses === undefined ? {} : { statuses: read.statuses }),
  ...(read.includeUnlinked === undefined ? {} : { includeUnlinked: read.includeUnlinked }),
  ...(read.policy === undefined ? {} : { policy: read.policy }),
  ...(g.region === undefined ? {} : { region: g.region }),
  ...(options.inspectorFilter === undefined ? {} : { filter: options.inspectorFilter }),
  ...(options.onInspectorPage === undefined
    ? {}
    : { onPage: (pages: number, findings: number) => options.onInspectorPage?.(g.name, pages, findings) }),
})

// The source's error with the input named first.
const named = (name: string, source: FindingSource<ScantallyError>): FindingSource<InputError> => ({
  [Symbol.asyncIterator]: () => source[Symbol.asyncIterator](),
  result: source.result.then(E.mapLeft((e) => ({ ...e, message: `${name} ${e.message}` }))),
})

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * What of a query Inspector can filter itself: the accounts and vulnerability ids a query only
 * ever matches by `EQUALS` (a field with any other comparison is left to the local check). The
 * service then sends a superset of what counts, and every finding is still checked on arrival.
 *
 * @category utils
 */
export const inspectorFilterOf = (query: Query): InspectorFilter => {
  const equalsOnly = (field: Criterion['field']): ReadonlyArray<string> | undefined => {
    const on = (query.filters ?? []).filter((c) => c.field === field)
    return on.length > 0 && on.every((c) => c.comparison === 'EQUALS') ? on.map((c) => c.value) : undefined
  }
  const accounts = equalsOnly('accountId')
  const vulnerabilities = equalsOnly('vulnerabilityId')
  return {
    ...(accounts === undefined ? {} : { awsAccountIds: accounts }),
    ...(vulnerabilities === undefined ? {} : { vulnerabilityIds: vulnerabilities }),
  }
}

/**
 * What {@link openInputs} reports to: the command's streams and name, whether progress is
 * wanted, and the query (for what Inspector can filter), when it is known before reading.
 *
 * @category model
 */
export interface RunContext {
  readonly io: Io
  readonly command: string
  readonly quiet: boolean
  readonly query?: Query
}

/**
 * The source of a command's inputs: sorts them, prepares live pipelines for
 * `--resolve-pipelines`, and reports Inspector pages on stderr. Left is the exit code of a
 * problem already reported (a usage error, or a pipeline listing that failed).
 *
 * @category constructors
 */
export const openInputs = async (
  args: ReadonlyArray<string>,
  source: SourceOptions,
  read: ReadOptions,
  run: RunContext,
): Promise<E.Either<number, FindingSource<InputError>>> => {
  const groups = parseInputs(args)
  if (E.isLeft(groups)) return E.left(usageError(run.io, run.command, groups.left))
  if (!run.quiet)
    for (const line of sameInputWarnings(
      groups.right.flatMap((g) => (g._tag === 'Exports' ? g.args.filter((a) => a !== '-') : [])),
    ))
      run.io.stderr(`${line}\n`)
  let pipelines: PipelineLookup | undefined
  let options = read
  const live =
    source.resolvePipelines || hasLiveInputs(groups.right)
      ? await import('@scantally/source-inspector')
      : undefined
  if (source.resolvePipelines && live !== undefined) {
    const resolved = await livePipelines(
      live,
      groups.right.some((g) => g._tag === 'Exports'),
    )
    if (E.isLeft(resolved)) return E.left(failed(run.io, resolved.left))
    pipelines = resolved.right.lookup
    if (resolved.right.exports !== undefined) options = { ...read, resolvePipeline: resolved.right.exports }
  }
  return E.right(
    readInputs(
      groups.right,
      {
        read: options,
        ...(pipelines === undefined ? {} : { pipelines }),
        ...(run.query === undefined ? {} : { inspectorFilter: inspectorFilterOf(run.query) }),
        ...(run.quiet ? {} : { onInspectorPage: pageProgress(run.io) }),
      },
      live,
    ),
  )
}

// Inspector pages read so far, on stderr: the first page, then every tenth.
const pageProgress =
  (io: Io) =>
  (input: string, pages: number, findings: number): void => {
    if (pages === 1 || pages % 10 === 0) io.stderr(`${input} ${pages} pages, ${findings} findings read\n`)
  }
