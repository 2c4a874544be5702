/**
 * Pipeline maps: a JSON object from image build version ARN to image pipeline ARN, the
 * offline stand-in for Image Builder's `GetImage` when Inspector findings are read from files.
 *
 * @module
 */

import { createReadStream } from 'node:fs'
import type { PipelineResolver } from '@scantally/core'
import { describeValidationErrors, KeyString } from '@scantally/core/internal'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import * as t from 'io-ts'
import { decodedBytes, errorText } from './Input.js'
import { parseJsonDocument } from './JsonScanner.js'
import { invalidRecord, malformedJson, readFailed, type SourceError } from './SourceError.js'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/**
 * Codec for a pipeline map: every key and value a key string.
 *
 * @category codecs
 */
export const PipelineMap = t.record(KeyString, KeyString, 'PipelineMap')

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A resolver that looks image build versions up in a map.
 *
 * @category constructors
 */
export const pipelineResolverOf = (
  map: Readonly<Record<string, string>> | ReadonlyMap<string, string>,
): PipelineResolver => {
  const m: ReadonlyMap<string, string> = map instanceof Map ? map : new Map(Object.entries(map))
  return (arn) => m.get(arn)
}

/**
 * Loads a pipeline map file (gzip accepted) into a resolver; a file that is not JSON, or not an
 * object of key strings, is an error naming the file and what is wrong.
 *
 * @category constructors
 */
export const loadPipelineMap =
  (path: string): TE.TaskEither<SourceError, PipelineResolver> =>
  async () => {
    const chunks: Array<Buffer> = []
    try {
      for await (const c of decodedBytes(createReadStream(path), () => undefined)) chunks.push(c)
    } catch (e) {
      return E.left(readFailed(path, errorText(e)))
    }
    const bytes = Buffer.concat(chunks)
    const parsed = parseJsonDocument(bytes)
    if (E.isLeft(parsed)) {
      const at = parsed.left.at
      const before = bytes.subarray(0, at)
      let line = 1
      for (let i = before.indexOf(0x0a); i >= 0; i = before.indexOf(0x0a, i + 1)) line++
      return E.left(malformedJson(path, at, line, at - before.lastIndexOf(0x0a), parsed.left.message))
    }
    const decoded = PipelineMap.decode(parsed.right)
    if (E.isLeft(decoded)) return E.left(invalidRecord(path, 1, 0, describeValidationErrors(decoded.left)))
    // A Map, so keys such as `__proto__` look up like any other.
    return E.right(pipelineResolverOf(new Map(Object.entries(decoded.right))))
  }
