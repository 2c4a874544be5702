/**
 * The Node adapter: a `node:http` request listener (also what Express and Koa mount) around a
 * transport-neutral handler. It reads the body up to the limit, answers, and closes a
 * connection whose client is still sending far more than the limit.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { WireRequest, WireResponse } from './Wire.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

// Bodies beyond the limit are read and dropped up to this many bytes, so a client that wrote
// a whole oversized request still reads the 400; past it the connection is closed.
const drainLimitFactor = 16

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A request listener answering with `handle`, which must not throw. A client gone before its
 * body ended gets nothing: there is nobody to answer.
 *
 * @category constructors
 */
export const nodeListener =
  (handle: (request: WireRequest) => WireResponse, maxBodyBytes: number) =>
  (req: IncomingMessage, res: ServerResponse): void => {
    readNodeBody(req, maxBodyBytes).then(
      ({ body, close }) => {
        const response = handle({
          method: req.method ?? 'GET',
          target: req.url ?? '/',
          headers: nodeHeaders(req),
          body,
        })
        writeNode(res, response, close)
      },
      () => req.destroy(),
    )
  }

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

// Repeated headers are joined with ',' as SigV4 canonicalization expects.
const nodeHeaders = (req: IncomingMessage): ReadonlyMap<string, string> => {
  const out = new Map<string, string>()
  const raw = req.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase()
    const value = raw[i + 1] as string
    const prior = out.get(name)
    out.set(name, prior === undefined ? value : `${prior},${value}`)
  }
  return out
}

const readNodeBody = (
  req: IncomingMessage,
  max: number,
): Promise<{ readonly body: Uint8Array | 'tooLarge'; readonly close: boolean }> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > max * drainLimitFactor) {
      settled = true
      resolve({ body: 'tooLarge', close: true })
      return
    }
    req.on('data', (chunk: Buffer) => {
      if (settled) return
      size += chunk.length
      if (size <= max) chunks.push(chunk)
      else if (size > max * drainLimitFactor) {
        settled = true
        resolve({ body: 'tooLarge', close: true })
      }
    })
    req.on('end', () => {
      if (settled) return
      settled = true
      resolve({ body: size > max ? 'tooLarge' : Buffer.concat(chunks), close: false })
    })
    req.on('error', (e) => {
      if (!settled) {
        settled = true
        reject(e)
      }
    })
    // A connection cut before the body ended (a client gone, a request timeout) may close
    // without an error: the body read must still end, or its chunks would be kept for good.
    req.on('close', () => {
      if (!settled) {
        settled = true
        reject(new Error('the connection closed before the request body ended'))
      }
    })
  })

const writeNode = (res: ServerResponse, response: WireResponse, close: boolean): void => {
  if (res.headersSent || res.destroyed) return
  res.writeHead(response.status, close ? { ...response.headers, connection: 'close' } : response.headers)
  res.end(response.body, () => {
    if (close) res.socket?.destroy()
  })
}
