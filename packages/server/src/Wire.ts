/**
 * The AWS restJson1 wire format, transport-neutral: a request as bytes and headers, a response
 * as status, headers and text, and the rules for bodies and errors the AWS SDK relies on (a JSON
 * body, `x-amzn-requestid` on every response, `x-amzn-errortype` naming the error).
 *
 * @module
 */

import { type ClientException, clientException, type ScantallyError } from '@scantally/core'
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'

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

/**
 * The largest request body accepted: 64 KiB. The largest valid request (a 65535-character
 * token) fits; anything bigger is not a request of these operations.
 *
 * @category model
 */
export const defaultMaxBodyBytes = 64 * 1024

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
 * An error response as restJson1 has it: the status of core's error table (or an override,
 * for the 404 of an unknown operation), `x-amzn-errortype: <Name>` and `{"message": ...}`.
 * The SDK turns it into its typed exception of that name.
 *
 * @category constructors
 */
export const errorResponse = (
  requestId: string,
  error: ScantallyError,
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
// utils
// -------------------------------------------------------------------------------------

/**
 * Reads a restJson1 body: `application/json` (any parameters) as strict UTF-8 JSON. An empty
 * body is `{}` (what the SDK sends for an empty input), whatever its content type; otherwise
 * a wrong content type, invalid UTF-8 or invalid JSON is a ClientException.
 *
 * @category utils
 */
export const parseJsonBody = (
  contentType: string | undefined,
  body: Uint8Array | 'tooLarge',
  maxBodyBytes: number = defaultMaxBodyBytes,
): E.Either<ClientException, unknown> => {
  if (body === 'tooLarge')
    return Either.left(clientException(`request body is larger than ${maxBodyBytes} bytes`))
  if (body.length === 0) return Either.right({})
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase()
  if (mediaType !== 'application/json')
    return Either.left(
      clientException(
        `content type must be application/json, got ${contentType === undefined ? 'none' : JSON.stringify(contentType)}`,
      ),
    )
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body)
  } catch {
    return Either.left(clientException('request body is not valid UTF-8'))
  }
  try {
    return Either.right(JSON.parse(text) as unknown)
  } catch (e) {
    return Either.left(clientException(`request body is not valid JSON: ${(e as Error).message}`))
  }
}
