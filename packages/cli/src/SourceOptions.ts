/**
 * The source options `aggregate` and `serve` share: which Inspector statuses count, whether
 * unlinked findings count, the pipeline map, what to do with invalid records, how many
 * threads read a large file, and which files of a directory are read.
 *
 * @module
 */
import { type FindingStatus, findingStatuses } from '@scantally/core'
import { loadPipelineMap, type ReadOptions, type SourceError } from '@scantally/source-json'
import * as E from 'fp-ts/lib/Either.js'
import { defaultWorkers, maxWorkers } from './Prestart.js'

/**
 * The `parseArgs` entries of the source options.
 *
 * @category model
 */
export const sourceOptionSpecs = {
  status: { type: 'string' },
  'include-unlinked': { type: 'boolean' },
  'pipeline-map': { type: 'string' },
  'resolve-pipelines': { type: 'boolean' },
  'on-invalid': { type: 'string' },
  workers: { type: 'string' },
  include: { type: 'string', multiple: true },
} as const

/**
 * The parsed values of the source options, as `parseArgs` gives them.
 *
 * @category model
 */
export interface SourceOptionValues {
  readonly status?: string | undefined
  readonly 'include-unlinked'?: boolean | undefined
  readonly 'pipeline-map'?: string | undefined
  readonly 'resolve-pipelines'?: boolean | undefined
  readonly 'on-invalid'?: string | undefined
  readonly workers?: string | undefined
  readonly include?: ReadonlyArray<string> | undefined
}

/**
 * Checked source options: the read options, and the pipeline map still to load.
 *
 * @category model
 */
export interface SourceOptions {
  readonly read: ReadOptions
  readonly pipelineMap: string | undefined
  /** Resolve pipelines live with Image Builder (see `LivePipelines`). */
  readonly resolvePipelines: boolean
}

/**
 * Parses `--status`: one of ACTIVE, SUPPRESSED, CLOSED, or a comma-separated list of them
 * (`SUPPRESSED,CLOSED`), or ALL; the statuses come back in core's order, each once.
 *
 * @category utils
 */
export const parseStatuses = (text: string): E.Either<string, ReadonlyArray<FindingStatus>> => {
  const named = text.split(',').map((s) => s.trim())
  const unknown = named.filter((s) => s !== 'ALL' && !(findingStatuses as ReadonlyArray<string>).includes(s))
  if (unknown.length > 0)
    return E.left(
      `--status must be ACTIVE, SUPPRESSED, CLOSED, a comma-separated list of them, or ALL, got ${JSON.stringify(text)}`,
    )
  return E.right(named.includes('ALL') ? findingStatuses : findingStatuses.filter((s) => named.includes(s)))
}

/**
 * Checks the source options; a bad value is a usage error message.
 *
 * @category utils
 */
export const parseSourceOptions = (values: SourceOptionValues): E.Either<string, SourceOptions> => {
  const onInvalid = values['on-invalid'] ?? 'strict'
  if (onInvalid !== 'strict' && onInvalid !== 'skip')
    return E.left(`--on-invalid must be strict or skip, got ${JSON.stringify(onInvalid)}`)
  const statuses = parseStatuses(values.status ?? 'ACTIVE')
  if (E.isLeft(statuses)) return statuses
  const workers = values.workers === undefined ? defaultWorkers() : Number(values.workers)
  if (!Number.isInteger(workers) || workers < 1 || workers > maxWorkers)
    return E.left(
      `--workers must be a whole number from 1 to ${maxWorkers}, got ${JSON.stringify(values.workers)}`,
    )
  if (values['resolve-pipelines'] === true && values['pipeline-map'] !== undefined)
    return E.left('--resolve-pipelines and --pipeline-map exclude each other')
  const include = values.include ?? []
  return E.right({
    resolvePipelines: values['resolve-pipelines'] === true,
    read: {
      policy: onInvalid,
      statuses: statuses.right,
      includeUnlinked: values['include-unlinked'] === true,
      workers,
      // Gzipped files are read whole by a reader of their own even on one thread: this one.
      fileThreads: true,
      include,
    },
    pipelineMap: values['pipeline-map'],
  })
}

/**
 * The read options with the pipeline map loaded (when one was given); a map that cannot be read
 * or is not a map is an input error naming the file.
 *
 * @category utils
 */
export const loadSourceOptions = async (
  options: SourceOptions,
  onSkippedInput?: (name: string, reason: string) => void,
): Promise<E.Either<SourceError, ReadOptions>> => {
  const read = onSkippedInput === undefined ? options.read : { ...options.read, onSkippedInput }
  if (options.pipelineMap === undefined) return E.right(read)
  const resolver = await loadPipelineMap(options.pipelineMap)()
  if (E.isLeft(resolver))
    return E.left({ ...resolver.left, message: `--pipeline-map ${resolver.left.message}` })
  return E.right({ ...read, resolvePipeline: resolver.right })
}

/**
 * Says on stderr each file of a directory skipped because it is not an export (unless `quiet`).
 *
 * @category utils
 */
export const noteSkippedInputs =
  (stderr: (text: string) => void, quiet: boolean) =>
  (name: string, reason: string): void => {
    if (!quiet) stderr(`skipped ${name}: ${reason}\n`)
  }
