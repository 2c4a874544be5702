/**
 * The embeddable HTTP handler, protocol only: a request is routed through the operation table
 * ({@link operationTable}), goes through the steps (SigV4 authentication, the per-caller rate
 * limit, the JSON body; see {@link route}), and is dispatched to its core operation. One
 * transport-neutral core ({@link Handler.handle}) with two adapters, a Node request listener
 * ({@link nodeListener}) and a fetch-style function ({@link fetchAdapter}), so it mounts in
 * `node:http`, Express, Fastify, Hono or a serverless runtime.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  type Engine,
  type EngineOptions,
  generateTokenKey,
  type Index,
  makeEngine,
  type ScanFindingStore,
  type TokenKey,
  withTokenKeys,
} from '@scantally/core'
import { serviceException, tokenKeyIds } from '@scantally/core/internal'
import * as Either from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { ReadonlyNonEmptyArray } from 'fp-ts/lib/ReadonlyNonEmptyArray.js'
import { type AccessEntry, operationOfTarget } from './AccessLog.js'
import { type AnswerCacheStats, defaultAnswerCacheBytes, makeAnswerCache } from './AnswerCache.js'
import { type Credential, decodeCredentials } from './Credentials.js'
import { fetchAdapter } from './FetchAdapter.js'
import { type Logger, stderrLogger } from './Logger.js'
import { nodeListener } from './NodeListener.js'
import { operationTable } from './Operations.js'
import { makeRateLimiter, type RateLimit } from './RateLimiter.js'
import { authenticate, chainSteps, dispatch, parseBody, rateLimit, route, type Step } from './Steps.js'
import { defaultMaxBodyBytes, errorResponse, type WireRequest, type WireResponse, withDate } from './Wire.js'

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
 * - `onAnswered`: called once per answered request with its {@link AccessEntry} (an access log).
 * - `maxBodyBytes`: default {@link defaultMaxBodyBytes} (the largest valid request, 405 KiB).
 *   `maxSkewMs`: allowed signature clock skew, default 5 minutes.
 * - `answerCacheBytes`: the bound of the standard aggregations' answer cache (see
 *   {@link makeAnswerCache}), default {@link defaultAnswerCacheBytes}; `0` turns it off.
 *
 * @category model
 */
export interface CommonOptions {
  readonly store?: ScanFindingStore
  readonly credentials?: ReadonlyArray<Credential>
  readonly rateLimit?: RateLimit
  readonly now?: () => number
  readonly logger?: Logger
  readonly onAnswered?: (entry: AccessEntry) => void
  readonly maxBodyBytes?: number
  readonly maxSkewMs?: number
  readonly answerCacheBytes?: number
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
  /** What the answer cache holds and has done (`undefined` when it is off). */
  readonly answerCache: () => AnswerCacheStats | undefined
  /**
   * Replaces the token keys, newest first, from the next request on: new tokens are signed
   * with the first key, and tokens signed by any listed key keep verifying, so a key is
   * retired by leaving it out. The index and the cache of sorted answers are kept. Throws a
   * RangeError, changing nothing, for an empty list or a repeated key id.
   */
  readonly setTokenKeys: (keys: ReadonlyArray<TokenKey>) => void
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Builds a handler. Configuration mistakes (invalid credentials, a rate limit that is not
 * positive, a repeated token key id) throw here, at start, never while serving. Serving never
 * throws: anything unexpected answers ServiceException (500), is logged with its request id,
 * and the next request is served as usual.
 *
 * @category constructors
 */
export const makeHandler = (options: HandlerOptions): Handler => {
  const logger = options.logger ?? stderrLogger
  const now = options.now ?? Date.now
  // Replaced as a whole by setTokenKeys; a request reads it once, so it never mixes two key sets.
  let engine = 'engine' in options ? options.engine : engineOf(options, now, logger)
  checkKeyIds(tokenKeyIds(engine))
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes
  const credentials = options.credentials === undefined ? undefined : checkedCredentials(options.credentials)
  const limit = options.rateLimit
  const steps: ReadonlyArray<Step> = [
    ...(credentials === undefined ? [] : [authenticate(credentials, { now, maxSkewMs: options.maxSkewMs })]),
    ...(limit === undefined ? [] : [rateLimit(makeRateLimiter(limit, now), limit.perSecond)]),
    parseBody(maxBodyBytes),
  ]
  const cacheBytes = options.answerCacheBytes ?? defaultAnswerCacheBytes
  const cache = cacheBytes === 0 ? undefined : makeAnswerCache(cacheBytes)
  const admit = route(operationTable(options.store, cache), maxBodyBytes)
  const beforeDispatch = chainSteps(steps)

  const respond = (request: WireRequest): WireResponse => {
    const serving = engine
    const answer = pipe(admit(request, serving), Either.chain(beforeDispatch), Either.chain(dispatch))
    if (Either.isRight(answer)) return answer.right
    const { error, ...extra } = answer.left
    const requestId = serving.requestId()
    if (error.fault === 'server') logger.warn(error.message, { requestId, error: error.name })
    return errorResponse(requestId, error, extra)
  }

  // Every answer carries the server's Date, errors included: the AWS SDK corrects a skewed clock
  // from it after InvalidSignatureException and retries.
  const dated = (response: WireResponse): WireResponse => {
    try {
      return withDate(now())(response)
    } catch {
      return withDate(Date.now())(response)
    }
  }

  const answer = (request: WireRequest): WireResponse => {
    try {
      return dated(respond(request))
    } catch (e) {
      return dated(unexpected(e, engine, logger))
    }
  }
  const onAnswered = options.onAnswered
  const handle =
    onAnswered === undefined
      ? answer
      : (request: WireRequest): WireResponse => {
          const time = new Date(now()).toISOString()
          const started = performance.now()
          const response = answer(request)
          onAnswered({
            time,
            caller: credentials === undefined ? 'anonymous' : (signerOf(request) ?? 'anonymous'),
            operation: operationOfTarget(request.target),
            status: response.status,
            ms: performance.now() - started,
          })
          return response
        }

  return {
    handle,
    listener: nodeListener(handle, maxBodyBytes),
    fetch: fetchAdapter(handle, maxBodyBytes, (e) => dated(unexpected(e, engine, logger))),
    get engine() {
      return engine
    },
    authenticated: credentials !== undefined,
    maxBodyBytes,
    answerCache: () => cache?.stats(),
    setTokenKeys: (keys) => {
      const [first, ...rest] = keys
      if (first === undefined) throw new RangeError('token keys: at least one key is required')
      const list: ReadonlyNonEmptyArray<TokenKey> = [first, ...rest]
      checkKeyIds(list.map((k) => k.id))
      engine = withTokenKeys(engine, list)
    },
  }
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

// The access key id the request was signed with (`Credential=AKID/...`), if it is a plain id;
// the log names the key a request claims, whether or not its signature verified.
const signerOf = (request: WireRequest): string | undefined =>
  /Credential=([A-Z0-9]{1,128})\//.exec(request.headers.get('authorization') ?? '')?.[1]

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
const checkKeyIds = (ids: ReadonlyArray<string>): void => {
  const seen = new Set<string>()
  for (const id of ids) {
    if (seen.has(id)) throw new RangeError(`token keys: the key id ${id} is repeated`)
    seen.add(id)
  }
}

const checkedCredentials = (list: ReadonlyArray<Credential>): ReadonlyMap<string, Credential> => {
  const decoded = decodeCredentials(list)
  if (Either.isLeft(decoded)) throw new TypeError(decoded.left.message)
  // Each key's accounts frozen, as a copy: a frozen list's scope is made once, not per request
  // (see core's `visibilityOf`).
  return new Map(
    decoded.right.map((c) => [c.accessKeyId, { ...c, accountIds: Object.freeze([...c.accountIds]) }]),
  )
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
