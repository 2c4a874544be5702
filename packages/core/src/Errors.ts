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
 * @category model
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
 */
export type ErrorName = keyof typeof errorTable

/**
 * One error of the union. `_tag` and `name` are the same string so the record works both
 * as a tagged union and as something that prints like an `Error`. `T` is the family's table,
 * {@link errorTable} unless another family (the server's protocol errors) shares the shape.
 *
 * @category model
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
 */
export type InvalidRequestException = ErrorOf<'InvalidRequestException'>
/**
 * The pagination token is malformed, tampered with, expired, signed by an unknown key, or was
 * issued for another request or caller.
 *
 * @category model
 */
export type InvalidPaginationTokenException = ErrorOf<'InvalidPaginationTokenException'>
/**
 * Another caller mistake: a malformed body or a wrong content type.
 *
 * @category model
 */
export type ClientException = ErrorOf<'ClientException'>
/**
 * Authentication failed, or the caller asked for an account it may not see.
 *
 * @category model
 */
export type ForbiddenException = ErrorOf<'ForbiddenException'>
/**
 * The caller is over its request rate.
 *
 * @category model
 */
export type CallRateLimitExceededException = ErrorOf<'CallRateLimitExceededException'>
/**
 * An unexpected failure inside the engine.
 *
 * @category model
 */
export type ServiceException = ErrorOf<'ServiceException'>
/**
 * A source is unreachable or failed mid-read; never a partial answer presented as complete.
 *
 * @category model
 */
export type ServiceUnavailableException = ErrorOf<'ServiceUnavailableException'>

/**
 * Every error scantally can answer with.
 *
 * @category model
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
 * @category utils
 */
export const isScantallyError = (u: unknown): u is ScantallyError =>
  typeof u === 'object' &&
  u !== null &&
  typeof (u as { _tag?: unknown })._tag === 'string' &&
  Object.hasOwn(errorTable, (u as { _tag: string })._tag) &&
  typeof (u as { message?: unknown }).message === 'string'
