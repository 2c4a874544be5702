/**
 * `scantally pipeline-map`: prints the `imageBuildVersionArn -> imagePipelineArn` map listed from
 * Image Builder, in the form `--pipeline-map` reads; and the live pipelines of
 * `--resolve-pipelines`.
 *
 * @module
 */
import type { PipelineResolver, ScantallyError } from '@scantally/core'
import type { PipelineLookup } from '@scantally/source-inspector'
import * as E from 'fp-ts/lib/Either.js'
import { parseCommandLine } from './Args.js'
import type { LiveModule } from './Inputs.js'
import { exitCodes, type Io } from './Io.js'
import { failed, usageError } from './Usage.js'

/**
 * Help text of `scantally pipeline-map`.
 *
 * @category model
 */
export const pipelineMapHelp = `Usage: scantally pipeline-map [--region REGION] [--quiet]

Lists every image pipeline (ListImagePipelines) and the images each built
(ListImagePipelineImages) from Image Builder, and prints the JSON object
imageBuildVersionArn -> imagePipelineArn that --pipeline-map reads.

Credentials, region and endpoint come the AWS way: the default credential chain (environment,
AWS_PROFILE and the shared files, SSO, container and instance roles), AWS_REGION, and
AWS_ENDPOINT_URL_IMAGEBUILDER or AWS_ENDPOINT_URL. The caller needs imagebuilder:ListImagePipelines
and imagebuilder:ListImagePipelineImages.

Example:
  scantally pipeline-map --region us-east-1 > pipelines.json
  scantally aggregate --pipeline-map pipelines.json --group-by imagePipelineArn inspector:
`

const options = {
  region: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

/**
 * Runs `scantally pipeline-map`; resolves with the exit code.
 *
 * @category commands
 */
export const pipelineMap = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const parsed = parseCommandLine(argv, options)
  if (E.isLeft(parsed)) return usageError(io, 'pipeline-map', parsed.left)
  const { values, positionals } = parsed.right
  const extra = positionals[0]
  if (extra !== undefined)
    return usageError(io, 'pipeline-map', `takes no inputs, got ${JSON.stringify(extra)}`)
  if (values.help) {
    io.stdout(pipelineMapHelp)
    return exitCodes.ok
  }
  // The SDK is loaded only now (see `LiveModule`).
  const { imagebuilderClient, listPipelineMap } = await import('@scantally/source-inspector')
  const listed = await listPipelineMap(imagebuilderClient(values.region), (pipelines, images) => {
    if (values.quiet !== true && io.stderrIsTty)
      io.stderr(`\rimage builder: ${pipelines} pipelines, ${images} images`)
  })()
  if (values.quiet !== true && io.stderrIsTty) io.stderr('\n')
  if (E.isLeft(listed)) return failed(io, named('pipeline-map', listed.left))
  io.stdout(`${JSON.stringify(listed.right, null, 2)}\n`)
  if (values.quiet !== true)
    io.stderr(`image builder: ${Object.keys(listed.right).length} image build versions listed\n`)
  return exitCodes.ok
}

/**
 * Pipelines resolved live for `--resolve-pipelines`: Inspector inputs ask `GetImage` for each
 * image once (cached); export inputs, which resolve as they read, use the map listed from Image
 * Builder before the read (only when there are export inputs).
 *
 * @category model
 */
export interface LivePipelines {
  readonly lookup: PipelineLookup
  readonly exports: PipelineResolver | undefined
}

/**
 * Prepares {@link LivePipelines} with the live module; a failed listing is the error, named as
 * `--resolve-pipelines`.
 *
 * @category constructors
 */
export const livePipelines = async (
  live: LiveModule,
  hasExports: boolean,
): Promise<E.Either<ScantallyError, LivePipelines>> => {
  const client = live.imagebuilderClient()
  const lookup = live.makePipelineLookup(client)
  if (!hasExports) return E.right({ lookup, exports: undefined })
  const listed = await live.listPipelineMap(client)()
  if (E.isLeft(listed)) return E.left(named('--resolve-pipelines', listed.left))
  const map = new Map(Object.entries(listed.right))
  return E.right({ lookup, exports: (arn) => map.get(arn) })
}

const named = (what: string, e: ScantallyError): ScantallyError => ({
  ...e,
  message: `${what}: ${e.message}`,
})
