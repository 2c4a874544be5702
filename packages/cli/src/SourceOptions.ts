/**
 * The source options `aggregate` and `serve` share: which Inspector statuses count, whether
 * unlinked findings count, the pipeline map, and what to do with invalid records.
 *
 * @module
 */
import { findingStatuses } from '@scantally/core'
import { loadPipelineMap, type ReadOptions, type SourceError } from '@scantally/source-json'
import * as E from 'fp-ts/lib/Either.js'

/**
 * The `parseArgs` entries of the source options.
 *
 * @category model
 */
export const sourceOptionSpecs = {
  status: { type: 'string' },
  'include-unlinked': { type: 'boolean' },
  'pipeline-map': { type: 'string' },
  'on-invalid': { type: 'string' },
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
  readonly 'on-invalid'?: string | undefined
}

/**
 * Checked source options: the read options, and the pipeline map still to load.
 *
 * @category model
 */
export interface SourceOptions {
  readonly read: ReadOptions
  readonly pipelineMap: string | undefined
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
  const status = values.status ?? 'ACTIVE'
  const statuses = status === 'ALL' ? findingStatuses : findingStatuses.filter((s) => s === status)
  if (statuses.length === 0)
    return E.left(`--status must be ACTIVE, SUPPRESSED, CLOSED or ALL, got ${JSON.stringify(status)}`)
  return E.right({
    read: { policy: onInvalid, statuses, includeUnlinked: values['include-unlinked'] === true },
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
): Promise<E.Either<SourceError, ReadOptions>> => {
  if (options.pipelineMap === undefined) return E.right(options.read)
  const resolver = await loadPipelineMap(options.pipelineMap)()
  return E.map((resolvePipeline: NonNullable<ReadOptions['resolvePipeline']>) => ({
    ...options.read,
    resolvePipeline,
  }))(resolver)
}
