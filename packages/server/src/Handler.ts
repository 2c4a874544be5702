/**
 * The embeddable HTTP handler: routes the two restJson1 operations, reads bounded bodies,
 * verifies SigV4 signatures and scopes the caller to its accounts, applies the per-caller rate
 * limit, and answers with what the AWS SDK expects. One transport-neutral core
 * ({@link Handler.handle}) with two adapters: a Node request listener and a fetch-style
 * function, so it mounts in `node:http`, Express, Fastify, Hono or a serverless runtime.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  type Caller,
  callRateLimitExceeded,
  clientException,
  type Engine,
  type EngineOptions,
  generateTokenKey,
  type Index,
  invalidRequest,
  listImageScanFindingAggregations,
  makeEngine,
  type ScantallyError,
  serviceException,
  type TokenKey,
  withTokenKeys,
} from '@scantally/core'
import * as Either from 'fp-ts/lib/Either.js'
import type { ReadonlyNonEmptyArray } from 'fp-ts/lib/ReadonlyNonEmptyArray.js'
import { anonymousCaller, type Credential, callerOf, decodeCredentials } from './Credentials.js'
import type { FindingStore } from './FindingStore.js'
import { listImageScanFindings } from './ListImageScanFindings.js'
import { type Logger, stderrLogger } from './Logger.js'
import { makeRateLimiter, type RateLimit } from './RateLimiter.js'
import { verify } from './SigV4.js'
import {
  defaultMaxBodyBytes,
  errorResponse,
  jsonResponse,
  parseJsonBody,
  type WireRequest,
  type WireResponse,
} from './Wire.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Where the handler's answers come from: a ready engine, or an index and the engine options to
 * build one with (without token keys, an ephemeral key is made and a warning logged: tokens
 * then do not survive a restart).
 *
 * @category model
 */
export type EngineSource =
  | { readonly engine: Engine }
  | { readonly index: Index; readonly engineOptions?: Partial<EngineOptions> }

/**
 * Handler options besides the engine.
 *
 * - `store`: the findings `ListImageScanFindings` lists (without it that operation answers
 *   InvalidRequestException).
 * - `credentials`: when given, every request must carry a valid SigV4 signature (service
 *   `imagebuilder`) by one of these keys, and sees only that key's accounts; when absent,
 *   authentication is off and every caller is `anonymous` and sees every account.
 * - `rateLimit`: requests per second per caller (token bucket); none by default.
 * - `now`: the clock in milliseconds (signature skew, rate limit, and the engine built from an
 *   index); default `Date.now`.
 * - `logger`: default {@link stderrLogger}.
 * - `maxBodyBytes`: default 64 KiB. `maxSkewMs`: allowed signature clock skew, default 5 minutes.
 *
 * @category model
 */
export interface CommonOptions {
  readonly store?: FindingStore
  readonly credentials?: ReadonlyArray<Credential>
  readonly rateLimit?: RateLimit
  readonly now?: () => number
  readonly logger?: Logger
  readonly maxBodyBytes?: number
  readonly maxSkewMs?: number
}

/**
 * Everything {@link makeHandler} takes.
 *
 * @category model
 */
export type HandlerOptions = EngineSource & CommonOptions

/**
 * A handler. `handle` answers a transport-neutral request; `listener` and `fetch` adapt it to
 * `node:http` and to the fetch API. `authenticated` says whether signatures are required.
 * `engine` is the engine answering now; `setTokenKeys` rotates the pagination token keys while
 * serving (see {@link Handler.setTokenKeys}).
 *
 * @category model
 */
export interface Handler {
  readonly handle: (request: WireRequest) => WireResponse
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void
  readonly fetch: (request: Request) => Promise<Response>
  readonly engine: Engine
  readonly authenticated: boolean
  readonly maxBodyBytes: number
  /**
   * Replaces the token keys, newest first, from the next request on: new tokens are signed
   * with the first key, and tokens signed by any listed key keep verifying, so a key is
   * retired by leaving it out. The index and the cache of sorted answers are kept. Throws a
   * RangeError, changing nothing, for an empty list or a repeated key id.
   */
  readonly setTokenKeys: (keys: ReadonlyArray<TokenKey>) => void
}

/**
 * The operations served, by path. Both are `POST` with a JSON body, as the SDK sends them.
 *
 * @category model
 */
export const operationPaths = ['/ListImageScanFindingAggregations', '/ListImageScanFindings'] as const

/**
 * The SigV4 service name requests must be signed for.
 *
 * @category model
 */
export const signingService = 'imagebuilder'

// Bodies beyond the limit are read and dropped up to this many bytes, so a client that wrote
// a whole oversized request still reads the 400; past it the connection is closed.
const drainLimitFactor = 16

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Builds a handler. Configuration mistakes (invalid credentials, a rate limit that is not
 * positive) throw here, at start, never while serving. Serving never throws: anything
 * unexpected answers ServiceException (500), is logged with its request id, and the next
 * request is served as usual.
 *
 * @category constructors
 */
export const makeHandler = (options: HandlerOptions): Handler => {
  const logger = options.logger ?? stderrLogger
  const now = options.now ?? Date.now
  // Replaced as a whole by setTokenKeys; a request reads it once, so it never mixes two key sets.
  let engine = 'engine' in options ? options.engine : engineOf(options, now, logger)
  checkTokenKeys(engine.tokens.keys)
  const current = (): Engine => engine
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes
  const credentials = options.credentials === undefined ? undefined : checkedCredentials(options.credentials)
  const limiter = options.rateLimit === undefined ? undefined : makeRateLimiter(options.rateLimit, now)
  const store = options.store

  const authenticate = (
    request: WireRequest & { readonly body: Uint8Array },
  ): Either.Either<ScantallyError, Caller> => {
    if (credentials === undefined) return Either.right(anonymousCaller)
    return Either.map((accessKeyId: string) => callerOf(credentials.get(accessKeyId) as Credential))(
      verify({
        service: signingService,
        now: now(),
        secretOf: (id) => credentials.get(id)?.secretAccessKey,
        ...(options.maxSkewMs === undefined ? {} : { maxSkewMs: options.maxSkewMs }),
      })(request),
    )
  }

  const operate = (current: Engine, path: string, caller: Caller, body: unknown) =>
    path === '/ListImageScanFindings'
      ? store === undefined
        ? Either.left(
            invalidRequest('ListImageScanFindings is not served here: no finding store is configured'),
          )
        : listImageScanFindings(current, store, caller)(body)
      : listImageScanFindingAggregations(current, caller)(body)

  const respond = (request: WireRequest): WireResponse => {
    const serving = current()
    const q = request.target.indexOf('?')
    const path = q === -1 ? request.target : request.target.slice(0, q)
    if (request.method !== 'POST' || !(operationPaths as ReadonlyArray<string>).includes(path))
      return errorResponse(
        serving.requestId(),
        clientException(
          `unknown operation ${request.method} ${path}: this service answers POST ${operationPaths.join(' and POST ')}`,
        ),
        { status: 404 },
      )
    if (request.body === 'tooLarge')
      return errorResponse(
        serving.requestId(),
        clientException(`request body is larger than ${maxBodyBytes} bytes`),
      )
    const caller = authenticate({ ...request, body: request.body })
    if (Either.isLeft(caller)) return errorResponse(serving.requestId(), caller.left)
    if (limiter !== undefined) {
      const decision = limiter.take(caller.right.id)
      if (!decision.allowed)
        return errorResponse(
          serving.requestId(),
          callRateLimitExceeded(
            `caller ${caller.right.id} is over its rate of ${options.rateLimit?.perSecond} requests per second`,
          ),
          { headers: { 'retry-after': String(Math.max(1, Math.ceil(decision.retryAfterSeconds))) } },
        )
    }
    const body = parseJsonBody(request.headers.get('content-type'), request.body, maxBodyBytes)
    if (Either.isLeft(body)) return errorResponse(serving.requestId(), body.left)
    const answer = operate(serving, path, caller.right, body.right)
    if (Either.isLeft(answer)) {
      const requestId = serving.requestId()
      if (answer.left.fault === 'server')
        logger.warn(answer.left.message, { requestId, error: answer.left.name })
      return errorResponse(requestId, answer.left)
    }
    return jsonResponse(answer.right.requestId, answer.right)
  }

  const handle = (request: WireRequest): WireResponse => {
    try {
      return respond(request)
    } catch (e) {
      return unexpected(e, current(), logger)
    }
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
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
      // The client went away mid-request: there is nobody to answer.
      () => req.destroy(),
    )
  }

  const fetchHandler = async (request: Request): Promise<Response> => {
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
      response = unexpected(e, current(), logger)
    }
    return new Response(response.body, { status: response.status, headers: response.headers })
  }

  return {
    handle,
    listener,
    fetch: fetchHandler,
    get engine() {
      return engine
    },
    authenticated: credentials !== undefined,
    maxBodyBytes,
    setTokenKeys: (keys) => {
      const [first, ...rest] = keys
      if (first === undefined) throw new RangeError('token keys: at least one key is required')
      const list: ReadonlyNonEmptyArray<TokenKey> = [first, ...rest]
      checkTokenKeys(list)
      engine = withTokenKeys(engine, list)
    },
  }
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const engineOf = (
  options: { readonly index: Index; readonly engineOptions?: Partial<EngineOptions> },
  now: () => number,
  logger: Logger,
): Engine => {
  const given = options.engineOptions ?? {}
  const keys =
    given.keys ??
    (() => {
      logger.warn(
        'no pagination token key configured: using an ephemeral one, so tokens will not survive a restart',
      )
      return [generateTokenKey()] as const
    })()
  return makeEngine(options.index, { now, ...given, keys })
}

// Two keys with one id would make verification pick one of them silently: a configuration mistake.
const checkTokenKeys = (keys: ReadonlyArray<TokenKey>): void => {
  const ids = new Set<string>()
  for (const k of keys) {
    if (ids.has(k.id)) throw new RangeError(`token keys: the key id ${k.id} is repeated`)
    ids.add(k.id)
  }
}

const checkedCredentials = (list: ReadonlyArray<Credential>): ReadonlyMap<string, Credential> => {
  const decoded = decodeCredentials(list)
  if (Either.isLeft(decoded)) throw new TypeError(decoded.left.message)
  return new Map(decoded.right.map((c) => [c.accessKeyId, c]))
}

const unexpected = (e: unknown, engine: Engine, logger: Logger): WireResponse => {
  let requestId = 'unknown'
  try {
    requestId = engine.requestId()
  } catch {
    // Even the id generator failed; the answer must still go out.
  }
  logger.error('unexpected failure while answering a request', {
    requestId,
    error: e instanceof Error ? (e.stack ?? e.message) : String(e),
  })
  return errorResponse(requestId, serviceException(`an unexpected error occurred (request id ${requestId})`))
}

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
