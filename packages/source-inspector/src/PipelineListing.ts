/**
 * The map from image build versions to the pipelines that built them, listed from Image Builder:
 * every pipeline (`ListImagePipelines`), then every image each one built
 * (`ListImagePipelineImages`), both followed through all their pages. It is the map a pipeline
 * map file holds, so a run can use it offline.
 *
 * @module
 */
import {
  ImagebuilderClient,
  paginateListImagePipelineImages,
  paginateListImagePipelines,
} from '@aws-sdk/client-imagebuilder'
import type { ScantallyError } from '@scantally/core'
import { describeAwsError, serviceUnavailable } from '@scantally/core/internal'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { boundedClientConfig } from './InspectorSource.js'

/**
 * An Image Builder client configured the AWS way (the default credential chain, `AWS_REGION`
 * or the profile's region, `AWS_ENDPOINT_URL_IMAGEBUILDER`), in `region` when given, each
 * request bounded in time.
 *
 * @category constructors
 */
export const imagebuilderClient = (region?: string, requestTimeoutMs = 30_000): ImagebuilderClient =>
  new ImagebuilderClient({
    ...boundedClientConfig(requestTimeoutMs),
    ...(region === undefined ? {} : { region }),
  })

/**
 * Lists `imageBuildVersionArn -> imagePipelineArn` for every pipeline the caller can see in the
 * client's region, keys sorted. `onPipeline` is called after each pipeline's images are listed
 * (for progress). Any failure past the SDK's retries fails the whole listing with
 * `ServiceUnavailableException`: a map missing pipelines would silently leave findings out of
 * their pipeline's group.
 *
 * @category utils
 */
export const listPipelineMap =
  (
    client: ImagebuilderClient,
    onPipeline: (pipelines: number, images: number) => void = () => {},
  ): TE.TaskEither<ScantallyError, Readonly<Record<string, string>>> =>
  async () => {
    const map = new Map<string, string>()
    let pipelines = 0
    try {
      for await (const page of paginateListImagePipelines({ client }, {}))
        for (const pipeline of page.imagePipelineList ?? []) {
          const pipelineArn = pipeline.arn
          if (pipelineArn === undefined) continue
          for await (const images of paginateListImagePipelineImages(
            { client },
            { imagePipelineArn: pipelineArn },
          ))
            for (const image of images.imageSummaryList ?? [])
              if (image.arn !== undefined) map.set(image.arn, pipelineArn)
          onPipeline(++pipelines, map.size)
        }
    } catch (e) {
      return E.left(
        serviceUnavailable(`Image Builder failed while listing pipelines: ${describeAwsError(e)}`),
      )
    }
    return E.right(Object.fromEntries([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))
  }
