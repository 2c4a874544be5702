/**
 * Test support: requests as raw bytes over a socket (what no well-behaved client would send),
 * signed with this package's own signer when the body should reach the handler, and the
 * invariants every answer to client input must keep.
 *
 * @module
 */
import { connect } from 'node:net'
import type { ExecutionContext } from 'ava'
import { authorizationHeader, formatAmzDate } from '../SigV4.js'

/** A response as read off the socket. `status` 0: the server closed without answering. */
export interface RawResponse {
  readonly status: number
  readonly headers: ReadonlyMap<string, string>
  readonly body: string
  /** Milliseconds from connecting to the close. */
  readonly elapsed: number
}

/**
 * Writes bytes (or a sequence of writes with pauses between them) to a fresh connection and
 * reads until the server closes it; gives up after `limitMs` (then `status` is -1).
 */
export const rawExchange = (
  port: number,
  writes: ReadonlyArray<Uint8Array | string | { readonly pauseMs: number }>,
  limitMs = 5_000,
): Promise<RawResponse> =>
  new Promise((resolve) => {
    const started = Date.now()
    const chunks: Buffer[] = []
    let finished = false
    const socket = connect(port, '127.0.0.1')
    const finish = (timedOut: boolean) => {
      if (finished) return
      finished = true
      clearTimeout(limit)
      socket.destroy()
      resolve({
        ...parseResponse(Buffer.concat(chunks)),
        ...(timedOut ? { status: -1 } : {}),
        elapsed: Date.now() - started,
      })
    }
    const limit = setTimeout(() => finish(true), limitMs)
    socket.on('data', (d) => chunks.push(d))
    socket.on('close', () => finish(false))
    socket.on('error', () => finish(false))
    socket.on('connect', async () => {
      for (const w of writes) {
        if (finished || socket.destroyed) return
        if (typeof w === 'object' && 'pauseMs' in w) await new Promise((r) => setTimeout(r, w.pauseMs))
        else await new Promise<void>((r) => socket.write(w, () => r()))
      }
    })
  })

const parseResponse = (bytes: Buffer): Omit<RawResponse, 'elapsed'> => {
  const end = bytes.indexOf('\r\n\r\n')
  if (end === -1) return { status: 0, headers: new Map(), body: '' }
  const [statusLine, ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n')
  const headers = new Map<string, string>()
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
  }
  const length = Number(headers.get('content-length') ?? Number.NaN)
  const rest = bytes.subarray(end + 4)
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0),
    headers,
    body: (Number.isFinite(length) ? rest.subarray(0, length) : rest).toString('utf8'),
  }
}

/** A request to frame: everything may be anything. */
export interface RawRequest {
  readonly method?: string
  readonly path?: string
  readonly headers?: ReadonlyArray<readonly [string, string]>
  readonly body?: Uint8Array
}

/** The bytes of an HTTP/1.1 request with `Connection: close` and an exact content length. */
export const frame = (request: RawRequest): Buffer => {
  const body = request.body ?? new Uint8Array()
  const head = [
    `${request.method ?? 'POST'} ${request.path ?? '/ListImageScanFindingAggregations'} HTTP/1.1`,
    ...(request.headers ?? []).map(([k, v]) => `${k}: ${v}`),
    'connection: close',
    `content-length: ${body.length}`,
  ].join('\r\n')
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), body])
}

/**
 * A request signed for `imagebuilder` the way the SDK signs (host, content type, date and the
 * body hash), with the given content type (none when `null`) at `now + skewMs`.
 */
export const signed = (
  port: number,
  key: { readonly accessKeyId: string; readonly secretAccessKey: string },
  request: {
    readonly path?: string
    readonly contentType?: string | null
    readonly body: Uint8Array
    readonly skewMs?: number
    readonly region?: string
  },
): RawRequest & { readonly headers: ReadonlyArray<readonly [string, string]>; readonly body: Uint8Array } => {
  const path = request.path ?? '/ListImageScanFindingAggregations'
  const amzDate = formatAmzDate(Date.now() + (request.skewMs ?? 0))
  const headers = new Map<string, string>([
    ['host', `127.0.0.1:${port}`],
    ['x-amz-date', amzDate],
    ...(request.contentType === null
      ? []
      : [['content-type', request.contentType ?? 'application/json'] as const]),
  ])
  const authorization = authorizationHeader(
    { method: 'POST', target: path, headers, body: request.body },
    key,
    { region: request.region ?? 'us-east-1', service: 'imagebuilder' },
    amzDate,
  )
  return { method: 'POST', path, headers: [...headers, ['authorization', authorization]], body: request.body }
}

/**
 * The names of the errors that answer client input, the AWS model's and the protocol's, with
 * their statuses.
 */
export const clientErrors: ReadonlyMap<string, ReadonlyArray<number>> = new Map([
  ['InvalidRequestException', [400]],
  ['InvalidPaginationTokenException', [400]],
  // 408, 413, 431, 400 for what the HTTP layer refuses.
  ['ClientException', [400, 408, 413, 431]],
  ['ForbiddenException', [403]],
  ['CallRateLimitExceededException', [429]],
  ['MissingAuthenticationTokenException', [403]],
  ['IncompleteSignatureException', [400]],
  ['UnrecognizedClientException', [403]],
  ['InvalidSignatureException', [403]],
  ['SerializationException', [400]],
  ['UnsupportedMediaTypeException', [415]],
  ['RequestEntityTooLargeException', [413]],
  ['UnknownOperationException', [404, 405]],
])

/**
 * Asserts an answer to client input: a named 4xx error (or a 200 where `ok` allows it), with a
 * Date header, a request id and a JSON `{message}` body; never a 5xx, never nothing.
 */
export const assertClientAnswer = (
  t: ExecutionContext,
  r: { readonly status: number; readonly headers: ReadonlyMap<string, string>; readonly body: string },
  ok = false,
): void => {
  // Every answer, errors included, carries the server's clock for the SDK to correct its own.
  t.false(Number.isNaN(Date.parse(r.headers.get('date') ?? '')), `no Date header: ${r.status} ${r.body}`)
  if (ok && r.status === 200) {
    t.is(r.headers.get('x-amzn-errortype'), undefined)
    t.notThrows(() => JSON.parse(r.body))
    return
  }
  const name = r.headers.get('x-amzn-errortype') ?? '(none)'
  const statuses = clientErrors.get(name)
  t.true(statuses?.includes(r.status) === true, `status ${r.status} with error type ${name}: ${r.body}`)
  t.truthy(r.headers.get('x-amzn-requestid'))
  const body = JSON.parse(r.body) as { message?: unknown }
  t.is(typeof body.message, 'string')
}
