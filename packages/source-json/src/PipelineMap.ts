/**
 * Pipeline maps: a JSON object from image build version ARN to image pipeline ARN, the
 * offline stand-in for Image Builder's `GetImage` when Inspector findings are read from files.
 *
 * @module
 */

import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
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
    // Gathered in one buffer as the chunks arrive (made the file's size, grown for gzip): the
    // chunks and their concatenation would hold the text twice.
    let gathered = Buffer.alloc(0)
    let length = 0
    try {
      gathered = Buffer.allocUnsafe(await sizeHint(path))
      for await (const c of decodedBytes(createReadStream(path), () => undefined)) {
        if (length + c.length > gathered.length) {
          const grown = Buffer.allocUnsafe(Math.max(2 * gathered.length, length + c.length))
          gathered.copy(grown, 0, 0, length)
          gathered = grown
        }
        c.copy(gathered, length)
        length += c.length
      }
    } catch (e) {
      return E.left(readFailed(path, errorText(e)))
    }
    const bytes = gathered.subarray(0, length)
    const flat = flatMapOf(bytes)
    if (flat !== undefined) return E.right(pipelineResolverOf(flat))
    const parsed = parseMap(bytes)
    if (E.isLeft(parsed)) {
      const at = parsed.left.at
      const before = bytes.subarray(0, at)
      let line = 1
      for (let i = before.indexOf(0x0a); i >= 0; i = before.indexOf(0x0a, i + 1)) line++
      return E.left(malformedJson(path, at, line, at - before.lastIndexOf(0x0a), parsed.left.message))
    }
    const map = mapOf(parsed.right)
    if (map !== undefined) return E.right(pipelineResolverOf(map))
    const decoded = PipelineMap.decode(parsed.right)
    return E.left(
      invalidRecord(path, 1, 0, E.isLeft(decoded) ? describeValidationErrors(decoded.left) : 'not a map'),
    )
  }

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

// The document, parsed by the engine's own JSON.parse (a map can hold hundreds of thousands of
// builds); the scanner parses it again only to locate what JSON.parse refuses.
const parseMap = (bytes: Buffer): ReturnType<typeof parseJsonDocument> => {
  try {
    return E.right(JSON.parse(bytes.toString('utf8')) as unknown)
  } catch {
    return parseJsonDocument(bytes)
  }
}

// The file's size (at least 1), or 64 KiB when it cannot be told: the read says why.
const sizeHint = async (path: string): Promise<number> =>
  stat(path).then(
    (s) => Math.max(1, s.size),
    () => 1 << 16,
  )

// The map of a document that is one flat object of key strings written without escapes (what
// `scantally pipeline-map` prints), read straight off its bytes: JSON.parse of a map of hundreds
// of thousands of builds holds the text, an object of them and the map at once, several times
// the map's own memory. Anything else (an escape, a duplicate build, another value, a key
// string the codec refuses, malformed JSON) gives undefined, and the whole document is parsed.
const flatMapOf = (bytes: Buffer): ReadonlyMap<string, string> | undefined => {
  const n = bytes.length
  let i = 0
  const space = (): void => {
    for (; i < n; i++) {
      const b = bytes[i] as number
      if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return
    }
  }
  // A string with no escape or control character at `i`, its bytes decoded as JSON.parse of
  // the text would decode them.
  const string = (): string | undefined => {
    if (bytes[i] !== 0x22) return undefined
    const start = ++i
    for (; i < n; i++) {
      const b = bytes[i] as number
      if (b === 0x22) return bytes.toString('utf8', start, i++)
      if (b === 0x5c || b < 0x20) return undefined
    }
    return undefined
  }
  const map = new Map<string, string>()
  const pipelines = new Map<string, string>()
  space()
  if (bytes[i++] !== 0x7b) return undefined
  space()
  if (bytes[i] === 0x7d) i++
  else
    for (;;) {
      const build = string()
      if (build === undefined || map.has(build) || !KeyString.is(build)) return undefined
      space()
      if (bytes[i++] !== 0x3a) return undefined
      space()
      const pipeline = string()
      if (pipeline === undefined || !KeyString.is(pipeline)) return undefined
      let held = pipelines.get(pipeline)
      if (held === undefined) {
        held = pipeline
        pipelines.set(pipeline, pipeline)
      }
      map.set(build, held)
      space()
      const next = bytes[i++]
      if (next === 0x7d) break
      if (next !== 0x2c) return undefined
      space()
    }
  space()
  return i === n ? map : undefined
}

// The map of a document that is an object of key strings, with each pipeline ARN held once
// (builds are many, pipelines few); undefined for any other document, which the codec names.
// A Map, so keys such as `__proto__` look up like any other.
const mapOf = (document: unknown): ReadonlyMap<string, string> | undefined => {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return undefined
  const map = new Map<string, string>()
  const pipelines = new Map<string, string>()
  for (const build in document) {
    if (!Object.hasOwn(document, build)) continue
    const pipeline: unknown = (document as Record<string, unknown>)[build]
    if (!KeyString.is(build) || !KeyString.is(pipeline)) return undefined
    let held = pipelines.get(pipeline)
    if (held === undefined) {
      held = pipeline
      pipelines.set(pipeline, pipeline)
    }
    map.set(build, held)
  }
  return map
}
