/**
 * The steps a request goes through before its operation runs, each over one request type, a
 * {@link Call}: routing (the operation and a body within the limit), SigV4 authentication, the
 * per-caller rate limit, and parsing the body as JSON. Each step passes the call on or refuses
 * it with the error to answer; the first refusal ends the chain.
 *
 * @module
 */
import type { Caller, Engine } from '@scantally/core'
import { callRateLimitExceeded } from '@scantally/core/internal'
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import { anonymousCaller, type Credential, callerOf } from './Credentials.js'
import { type OperationTable, operationPaths, type ServedOperation } from './Operations.js'
import { unknownOperation, type WireError } from './ProtocolError.js'
import type { RateLimiter } from './RateLimiter.js'
import { verify } from './SigV4.js'
import { parseJsonBody, tooLarge, type WireRequest } from './Wire.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A request on its way to its operation: the request as it arrived, the engine answering it
 * (read once, so key rotation never splits a request), its operation, its body within the
 * limit, the caller (anonymous until authenticated) and the parsed body (`undefined` until
 * parsed).
 *
 * @category model
 */
export interface Call {
  readonly request: WireRequest
  readonly engine: Engine
  readonly operation: ServedOperation
  readonly body: Uint8Array
  readonly caller: Caller
  readonly input: unknown
}

/**
 * Why a call is answered with an error: the error (the model's or the protocol's), and a status
 * or headers besides the error's own (the 405 and `allow` of a known path with another method,
 * the `retry-after` of a throttled caller).
 *
 * @category model
 */
export interface Refusal {
  readonly error: WireError
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * One step: passes the call on, possibly with more known about it, or refuses it.
 *
 * @category model
 */
export type Step = (call: Call) => E.Either<Refusal, Call>

/**
 * The SigV4 service name requests must be signed for.
 *
 * @category model
 */
export const signingService = 'imagebuilder'

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The first step, which makes the call: a path of the table (otherwise UnknownOperationException,
 * 404, as Smithy's reference restJson1 server answers), by `POST` (otherwise the same error with
 * 405 and `allow: POST`), with a body within the limit (otherwise
 * RequestEntityTooLargeException, 413).
 *
 * @category constructors
 */
export const route =
  (table: OperationTable, maxBodyBytes: number) =>
  (request: WireRequest, engine: Engine): E.Either<Refusal, Call> => {
    const q = request.target.indexOf('?')
    const path = q === -1 ? request.target : request.target.slice(0, q)
    const operation = table.get(path as (typeof operationPaths)[number])
    const answers = `this service answers POST ${operationPaths.join(' and POST ')}`
    if (operation === undefined)
      return Either.left({
        error: unknownOperation(`unknown operation ${request.method} ${path}: ${answers}`),
      })
    if (request.method !== 'POST')
      return Either.left({
        error: unknownOperation(`method ${request.method} not allowed on ${path}: ${answers}`),
        status: 405,
        headers: { allow: 'POST' },
      })
    if (request.body === 'tooLarge') return Either.left({ error: tooLarge(maxBodyBytes) })
    return Either.right({
      request,
      engine,
      operation,
      body: request.body,
      caller: anonymousCaller,
      input: undefined,
    })
  }

/**
 * Verifies the call's SigV4 signature against the credentials (by access key id) and makes
 * the signer its caller.
 *
 * @category constructors
 */
export const authenticate =
  (
    credentials: ReadonlyMap<string, Credential>,
    options: { readonly now: () => number; readonly maxSkewMs?: number | undefined },
  ): Step =>
  (call) =>
    Either.bimap(
      (error: WireError): Refusal => ({ error }),
      (accessKeyId: string): Call => ({
        ...call,
        caller: callerOf(credentials.get(accessKeyId) as Credential),
      }),
    )(
      verify({
        service: signingService,
        now: options.now(),
        secretOf: (id) => credentials.get(id)?.secretAccessKey,
        ...(options.maxSkewMs === undefined ? {} : { maxSkewMs: options.maxSkewMs }),
      })({ ...call.request, body: call.body }),
    )

/**
 * Spends one request of the caller's rate; a caller over it is refused with
 * CallRateLimitExceededException and a `retry-after` in whole seconds.
 *
 * @category constructors
 */
export const rateLimit =
  (limiter: RateLimiter, perSecond: number): Step =>
  (call) => {
    const decision = limiter.take(call.caller.id)
    return decision.allowed
      ? Either.right(call)
      : Either.left({
          error: callRateLimitExceeded(
            `caller ${call.caller.id} is over its rate of ${perSecond} requests per second`,
          ),
          headers: { 'retry-after': String(Math.max(1, Math.ceil(decision.retryAfterSeconds))) },
        })
  }

/**
 * Parses the body as restJson1 has it (see {@link parseJsonBody}).
 *
 * @category constructors
 */
export const parseBody =
  (maxBodyBytes: number): Step =>
  (call) =>
    Either.bimap(
      (error: WireError): Refusal => ({ error }),
      (input: unknown): Call => ({ ...call, input }),
    )(parseJsonBody(call.request.headers.get('content-type'), call.body, maxBodyBytes))

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The steps in order, as one step.
 *
 * @category combinators
 */
export const chainSteps =
  (steps: ReadonlyArray<Step>): Step =>
  (call) =>
    steps.reduce<E.Either<Refusal, Call>>((result, step) => Either.chain(step)(result), Either.right(call))

/**
 * The last step: the call's operation, on its engine for its caller.
 *
 * @category combinators
 */
export const dispatch = (call: Call) =>
  Either.mapLeft((error: WireError): Refusal => ({ error }))(
    call.operation.answer({ engine: call.engine, caller: call.caller }, call.input),
  )
