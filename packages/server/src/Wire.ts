/**
 * The AWS restJson1 wire format, transport-neutral: a request as bytes and headers, a response
 * as status, headers and text, and the rules for bodies and errors the AWS SDK relies on (a JSON
 * body, `x-amzn-requestid` and `date` on every response, `x-amzn-errortype` naming the error).
 *
 * @module
 */

import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import {
  type BodyError,
  requestEntityTooLarge,
  serializationException,
  unsupportedMediaType,
  type WireError,
} from './ProtocolError.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A request as it arrived: method, target (path and query, exactly as on the wire), headers with
 * lower-case names, and the body, or `tooLarge` when it exceeded the limit (the bytes are then
 * not kept).
 *
 * @category model
 */
export interface WireRequest {
  readonly method: string
  readonly target: string
  readonly headers: ReadonlyMap<string, string>
  readonly body: Uint8Array | 'tooLarge'
}

/**
 * A response to write: status, headers (lower-case names) and a UTF-8 body.
 *
 * @category model
 */
export interface WireResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

// The most bytes one UTF-16 code unit of a string takes in JSON: six, as `\u001f` (a control
// character) or `\ud800` (a lone surrogate).
const maxJsonBytesPerUnit = 6

/**
 * The size in bytes of the largest valid request, ListImageScanFindingAggregations with a
 * `nextToken` of 65,535 characters (the model's maximum) and a filter of ten 1,024-character
 * values (the model's maximum), every character in its longest JSON form: six bytes a character
 * of the token, two a character of a value (the pattern's one escaped character is `"`).
 * ListImageScanFindings' largest request (one filter of one value) is smaller.
 *
 * @category model
 */
export const largestValidRequestBytes: number =
  '{"filter":{"name":"imageBuildVersionArn","values":[]},"nextToken":}'.length +
  10 * (2 * 1024 + 2) +
  9 +
  (65_535 * maxJsonBytesPerUnit + 2)

/**
 * The largest request body accepted by default: {@link largestValidRequestBytes} rounded up to
 * a whole KiB, so every valid request is read and anything larger is refused with
 * RequestEntityTooLargeException (413).
 *
 * @category model
 */
export const defaultMaxBodyBytes: number = Math.ceil(largestValidRequestBytes / 1024) * 1024

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A 200 response with a JSON body and the request id header.
 *
 * @category constructors
 */
export const jsonResponse = (requestId: string, body: unknown): WireResponse => {
  const text = JSON.stringify(body)
  return {
    status: 200,
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      'x-amzn-requestid': requestId,
    },
    body: text,
  }
}

/**
 * An error response as restJson1 has it: the error's status (or an override, for the 405 of a
 * known path with another method), `x-amzn-errortype: <Name>` and `{"message": ...}`. The SDK
 * turns it into its typed exception of that name. Core's errors (the model's) and the
 * protocol's are written alike.
 *
 * @category constructors
 */
export const errorResponse = (
  requestId: string,
  error: WireError,
  extra: { readonly status?: number; readonly headers?: Readonly<Record<string, string>> } = {},
): WireResponse => {
  const text = JSON.stringify({ message: error.message })
  return {
    status: extra.status ?? error.httpStatus,
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': error.name,
      ...extra.headers,
    },
    body: text,
  }
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The response with a `date` header (IMF-fixdate) of the server clock: on every response,
 * errors included, since the AWS SDK corrects a skewed clock from it and retries.
 *
 * @category combinators
 */
export const withDate =
  (now: number) =>
  (response: WireResponse): WireResponse => ({
    ...response,
    headers: { ...response.headers, date: httpDate(now) },
  })

// The text of the last second dated: a busy server answers many times within one.
let datedSecond = Number.NaN
let dateText = ''
const httpDate = (now: number): string => {
  const second = Math.floor(now / 1000)
  if (second !== datedSecond) {
    dateText = new Date(second * 1000).toUTCString()
    datedSecond = second
  }
  return dateText
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Reads a restJson1 body as Smithy's restJson1 protocol tests have it. An empty body is `{}`
 * (what the SDK sends for an empty input), whatever its content type. Otherwise: a body over
 * the limit is RequestEntityTooLargeException (413); a content type other than
 * `application/json` (any parameters), or none, is UnsupportedMediaTypeException (415); bytes
 * that are not UTF-8, text that is not JSON, and JSON that is not an object (an array, a number,
 * `null`) are SerializationException (400).
 *
 * @category utils
 */
export const parseJsonBody = (
  contentType: string | undefined,
  body: Uint8Array | 'tooLarge',
  maxBodyBytes: number = defaultMaxBodyBytes,
): E.Either<BodyError, unknown> => {
  if (body === 'tooLarge') return Either.left(tooLarge(maxBodyBytes))
  if (body.length === 0) return Either.right({})
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase()
  if (mediaType !== 'application/json')
    return Either.left(
      unsupportedMediaType(
        `content type must be application/json, got ${contentType === undefined ? 'none' : JSON.stringify(contentType)}`,
      ),
    )
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body)
  } catch {
    return Either.left(serializationException('request body is not valid UTF-8'))
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text) as unknown
  } catch (e) {
    return Either.left(serializationException(`request body is not valid JSON: ${(e as Error).message}`))
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? Either.right(parsed)
    : Either.left(
        serializationException(
          `request body must be a JSON object, got ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`}`,
        ),
      )
}

/**
 * The error for a body over the limit.
 *
 * @category utils
 */
export const tooLarge = (maxBodyBytes: number) =>
  requestEntityTooLarge(`request body is larger than ${maxBodyBytes} bytes`)
