/**
 * The closed union of errors scantally answers with, named and numbered as in the
 * Image Builder API model. Errors are plain readonly records returned in `Either`, never thrown.
 *
 * @module
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What each error means on the wire: its HTTP status, whose fault it is, and whether the
 * same request may succeed if retried. The single table from error to status.
 *
 * @example
 * ```ts
 * import { errorTable, type ScantallyError } from '@scantally/core'
 *
 * const status = (e: ScantallyError): number => errorTable[e.name].httpStatus
 * console.log(errorTable.InvalidPaginationTokenException.httpStatus) // 400
 * console.log(errorTable.ServiceUnavailableException.retryable) // true
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export const errorTable = {
  InvalidRequestException: { httpStatus: 400, fault: 'client', retryable: false },
  InvalidPaginationTokenException: { httpStatus: 400, fault: 'client', retryable: false },
  ClientException: { httpStatus: 400, fault: 'client', retryable: false },
  ForbiddenException: { httpStatus: 403, fault: 'client', retryable: false },
  CallRateLimitExceededException: { httpStatus: 429, fault: 'client', retryable: true },
  ServiceException: { httpStatus: 500, fault: 'server', retryable: true },
  ServiceUnavailableException: { httpStatus: 503, fault: 'server', retryable: true },
} as const

/**
 * The name of an error: the `x-amzn-errortype` the SDK maps to its typed exception.
 *
 * @category model
 * @since 0.1.0
 */
export type ErrorName = keyof typeof errorTable

/**
 * One error of the union. `_tag` and `name` are the same string so the record works both
 * as a tagged union and as something that prints like an `Error`. `T` is the family's table,
 * {@link errorTable} unless another family (the server's protocol errors) shares the shape.
 *
 * @example
 * ```ts
 * import { type ErrorOf, parseTokenKey } from '@scantally/core'
 *
 * const key = parseTokenKey('too-short')
 * const invalid: ErrorOf<'InvalidRequestException'> | undefined = key._tag === 'Left' ? key.left : undefined
 * // { _tag: 'InvalidRequestException', httpStatus: 400, fault: 'client', retryable: false, message }
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export interface ErrorOf<
  N extends keyof T & string,
  T extends {
    readonly [name: string]: { readonly httpStatus: number; readonly fault: 'client' | 'server' }
  } = typeof errorTable,
> {
  readonly _tag: N
  readonly name: N
  readonly message: string
  readonly httpStatus: T[N]['httpStatus']
  readonly fault: T[N]['fault']
  readonly retryable: boolean
}

/**
 * The request failed validation, or asks for what the engine does not support.
 *
 * @category model
 * @since 0.1.0
 */
export type InvalidRequestException = ErrorOf<'InvalidRequestException'>
/**
 * The pagination token is malformed, tampered with, expired, signed by an unknown key, or was
 * issued for another request or caller.
 *
 * @category model
 * @since 0.1.0
 */
export type InvalidPaginationTokenException = ErrorOf<'InvalidPaginationTokenException'>
/**
 * Another caller mistake: a malformed body or a wrong content type.
 *
 * @category model
 * @since 0.1.0
 */
export type ClientException = ErrorOf<'ClientException'>
/**
 * Authentication failed, or the caller asked for an account it may not see.
 *
 * @category model
 * @since 0.1.0
 */
export type ForbiddenException = ErrorOf<'ForbiddenException'>
/**
 * The caller is over its request rate.
 *
 * @category model
 * @since 0.1.0
 */
export type CallRateLimitExceededException = ErrorOf<'CallRateLimitExceededException'>
/**
 * An unexpected failure inside the engine.
 *
 * @category model
 * @since 0.1.0
 */
export type ServiceException = ErrorOf<'ServiceException'>
/**
 * A source is unreachable or failed mid-read; never a partial answer presented as complete.
 *
 * @category model
 * @since 0.1.0
 */
export type ServiceUnavailableException = ErrorOf<'ServiceUnavailableException'>

/**
 * Every error scantally can answer with.
 *
 * @example
 * ```ts
 * import { decodeQuery, type ScantallyError } from '@scantally/core'
 *
 * const toHttp = (e: ScantallyError) => ({
 *   status: e.httpStatus,
 *   headers: { 'x-amzn-errortype': e.name },
 *   body: JSON.stringify({ message: e.message }),
 * })
 * const decoded = decodeQuery({ groupBy: 'color' })
 * if (decoded._tag === 'Left') console.log(toHttp(decoded.left)) // status 400, InvalidRequestException
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export type ScantallyError =
  | InvalidRequestException
  | InvalidPaginationTokenException
  | ClientException
  | ForbiddenException
  | CallRateLimitExceededException
  | ServiceException
  | ServiceUnavailableException

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The constructor of a family's error records (see {@link ErrorOf}): status, fault and
 * retryability come from the family's table.
 *
 * @category constructors
 */
export const errorsOf =
  <
    T extends {
      readonly [name: string]: {
        readonly httpStatus: number
        readonly fault: 'client' | 'server'
        readonly retryable: boolean
      }
    },
  >(
    table: T,
  ) =>
  <N extends keyof T & string>(name: N, message: string): ErrorOf<N, T> => {
    const row = table[name] as T[N]
    return {
      _tag: name,
      name,
      message,
      httpStatus: row.httpStatus,
      fault: row.fault,
      retryable: row.retryable,
    }
  }

/**
 * Builds the error record of a given name; status, fault and retryability come from
 * {@link errorTable}.
 *
 * @category constructors
 */
export const makeError: <N extends ErrorName>(name: N, message: string) => ErrorOf<N> = errorsOf(errorTable)

/**
 * @category constructors
 */
export const invalidRequest = (message: string): InvalidRequestException =>
  makeError('InvalidRequestException', message)
/**
 * @category constructors
 */
export const invalidPaginationToken = (message: string): InvalidPaginationTokenException =>
  makeError('InvalidPaginationTokenException', message)
/**
 * @category constructors
 */
export const clientException = (message: string): ClientException => makeError('ClientException', message)
/**
 * @category constructors
 */
export const forbidden = (message: string): ForbiddenException => makeError('ForbiddenException', message)
/**
 * @category constructors
 */
export const callRateLimitExceeded = (message: string): CallRateLimitExceededException =>
  makeError('CallRateLimitExceededException', message)
/**
 * @category constructors
 */
export const serviceException = (message: string): ServiceException => makeError('ServiceException', message)
/**
 * @category constructors
 */
export const serviceUnavailable = (message: string): ServiceUnavailableException =>
  makeError('ServiceUnavailableException', message)

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Whether a value is one of scantally's error records (for edges that catch unknowns).
 *
 * @example
 * ```ts
 * import { isScantallyError } from '@scantally/core'
 *
 * const describe = (thrown: unknown): string =>
 *   isScantallyError(thrown) ? `${thrown.name} (${thrown.httpStatus}): ${thrown.message}` : String(thrown)
 * ```
 *
 * @category utils
 * @since 0.1.0
 */
export const isScantallyError = (u: unknown): u is ScantallyError =>
  typeof u === 'object' &&
  u !== null &&
  typeof (u as { _tag?: unknown })._tag === 'string' &&
  Object.hasOwn(errorTable, (u as { _tag: string })._tag) &&
  typeof (u as { message?: unknown }).message === 'string'
