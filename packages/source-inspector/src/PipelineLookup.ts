/**
 * Resolves image build versions to the pipelines that built them with Image Builder
 * `GetImage` (`image.sourcePipelineArn`), asking once per image however many findings or
 * concurrent callers need it.
 *
 * @module
 */
import { GetImageCommand, type ImagebuilderClient } from '@aws-sdk/client-imagebuilder'
import type { PipelineResolver } from '@scantally/core'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A cached lookup: `load` fetches what is not cached yet (rejecting with the SDK's error when
 * Image Builder fails past its retries), and `resolve` answers synchronously from the cache,
 * so it can be handed to the pure mappings as a {@link PipelineResolver}.
 *
 * @category model
 */
export interface PipelineLookup {
  readonly load: (imageBuildVersionArns: Iterable<string>) => Promise<void>
  readonly resolve: PipelineResolver
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A lookup over an Image Builder client, with at most `concurrency` requests in flight. An
 * image Image Builder no longer knows (`ResourceNotFoundException`), or one built outside a
 * pipeline, resolves to no pipeline. Concurrent loads of the same ARN share one request.
 *
 * @category constructors
 */
export const makePipelineLookup = (client: ImagebuilderClient, concurrency = 8): PipelineLookup => {
  const known = new Map<string, string | undefined>()
  const pending = new Map<string, Promise<void>>()
  const fetch = async (arn: string): Promise<void> => {
    try {
      const out = await client.send(new GetImageCommand({ imageBuildVersionArn: arn }))
      known.set(arn, out.image?.sourcePipelineArn)
    } catch (e) {
      if ((e as { name?: unknown }).name !== 'ResourceNotFoundException') throw e
      known.set(arn, undefined)
    } finally {
      pending.delete(arn)
    }
  }
  const one = (arn: string): Promise<void> => {
    const inFlight = pending.get(arn)
    if (inFlight !== undefined) return inFlight
    const p = fetch(arn)
    pending.set(arn, p)
    return p
  }
  return {
    load: async (arns) => {
      const todo = [...new Set(arns)].filter((a) => !known.has(a))
      let next = 0
      const worker = async (): Promise<void> => {
        while (next < todo.length) await one(todo[next++] as string)
      }
      await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker))
    },
    resolve: (arn) => known.get(arn),
  }
}

/**
 * A lookup that asks no service: every image resolves through `resolve` (a pipeline map read
 * ahead, say), or to no pipeline when none is given.
 *
 * @category constructors
 */
export const fixedPipelineLookup = (resolve: PipelineResolver = () => undefined): PipelineLookup => ({
  load: async () => {},
  resolve,
})
