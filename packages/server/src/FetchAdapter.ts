/**
 * The fetch adapter: `(Request) => Promise<Response>` around a transport-neutral handler, for
 * runtimes and routers that speak the fetch API (Hono, Bun, Deno, workers).
 *
 * @module
 */
import type { WireRequest, WireResponse } from './Wire.js'

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A fetch-style function answering with `handle`. What fails before `handle` runs (a URL that
 * does not parse, a body stream that errors) is answered by `unexpected`.
 *
 * @category constructors
 */
export const fetchAdapter =
  (
    handle: (request: WireRequest) => WireResponse,
    maxBodyBytes: number,
    unexpected: (e: unknown) => WireResponse,
  ) =>
  async (request: Request): Promise<Response> => {
    let response: WireResponse
    try {
      const url = new URL(request.url)
      const headers = new Map<string, string>()
      request.headers.forEach((value, name) => {
        headers.set(name, value)
      })
      // Frameworks do not always pass `host` on; the URL carries it, and it is a signed header.
      if (!headers.has('host')) headers.set('host', url.host)
      const body = await readStreamBody(request.body, maxBodyBytes)
      // Likewise `content-length`, which a fetch Request leaves out; the bytes read are its value.
      if (!headers.has('content-length') && body !== 'tooLarge')
        headers.set('content-length', String(body.length))
      response = handle({ method: request.method, target: `${url.pathname}${url.search}`, headers, body })
    } catch (e) {
      response = unexpected(e)
    }
    return new Response(response.body, { status: response.status, headers: response.headers })
  }

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const readStreamBody = async (
  stream: ReadableStream<Uint8Array> | null,
  max: number,
): Promise<Uint8Array | 'tooLarge'> => {
  if (stream === null) return new Uint8Array(0)
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.length
    if (size > max) {
      await reader.cancel()
      return 'tooLarge'
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}
