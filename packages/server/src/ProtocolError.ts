/**
 * The errors of the AWS protocol itself, answered before an operation runs: authentication
 * (SigV4), the restJson1 body, routing and the size limit. They are AWS's common errors, not the
 * Image Builder model's (those are core's {@link ScantallyError}), and the AWS SDK acts on their
 * names: it corrects its clock after InvalidSignatureException "Signature expired", for one.
 * Records of the same shape as core's errors, so one function writes both on the wire.
 *
 * @module
 */
import type { ScantallyError } from '@scantally/core'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Each protocol error with its HTTP status, whose fault it is and whether a retry may succeed.
 * Names and statuses as AWS answers them (AWS common errors; Smithy's restJson1 protocol tests
 * for the body errors; Smithy's reference server for routing).
 *
 * @category model
 */
export const protocolErrorTable = {
  MissingAuthenticationTokenException: { httpStatus: 403, fault: 'client', retryable: false },
  IncompleteSignatureException: { httpStatus: 400, fault: 'client', retryable: false },
  UnrecognizedClientException: { httpStatus: 403, fault: 'client', retryable: false },
  InvalidSignatureException: { httpStatus: 403, fault: 'client', retryable: false },
  SerializationException: { httpStatus: 400, fault: 'client', retryable: false },
  UnsupportedMediaTypeException: { httpStatus: 415, fault: 'client', retryable: false },
  RequestEntityTooLargeException: { httpStatus: 413, fault: 'client', retryable: false },
  UnknownOperationException: { httpStatus: 404, fault: 'client', retryable: false },
} as const

/**
 * The name of a protocol error, sent as `x-amzn-errortype`.
 *
 * @category model
 */
export type ProtocolErrorName = keyof typeof protocolErrorTable

/**
 * One protocol error: `_tag` and `name` are its name, with its message, status, fault and
 * retryability, as core's error records have them.
 *
 * @category model
 */
export interface ProtocolErrorOf<N extends ProtocolErrorName> {
  readonly _tag: N
  readonly name: N
  readonly message: string
  readonly httpStatus: (typeof protocolErrorTable)[N]['httpStatus']
  readonly fault: 'client'
  readonly retryable: boolean
}

/**
 * Every protocol error.
 *
 * @category model
 */
export type ProtocolError = { readonly [N in ProtocolErrorName]: ProtocolErrorOf<N> }[ProtocolErrorName]

/**
 * What SigV4 verification refuses a request with: unsigned, a malformed `Authorization`, an
 * unknown key, or a signature that does not match (a skewed clock included).
 *
 * @category model
 */
export type AuthenticationError =
  | ProtocolErrorOf<'MissingAuthenticationTokenException'>
  | ProtocolErrorOf<'IncompleteSignatureException'>
  | ProtocolErrorOf<'UnrecognizedClientException'>
  | ProtocolErrorOf<'InvalidSignatureException'>

/**
 * What reading a restJson1 body refuses it with.
 *
 * @category model
 */
export type BodyError =
  | ProtocolErrorOf<'SerializationException'>
  | ProtocolErrorOf<'UnsupportedMediaTypeException'>
  | ProtocolErrorOf<'RequestEntityTooLargeException'>

/**
 * Anything the server answers an error with: the model's errors (core) or the protocol's.
 *
 * @category model
 */
export type WireError = ScantallyError | ProtocolError

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The protocol error of a given name; status, fault and retryability from
 * {@link protocolErrorTable}.
 *
 * @category constructors
 */
export const protocolError = <N extends ProtocolErrorName>(name: N, message: string): ProtocolErrorOf<N> => {
  const row = protocolErrorTable[name]
  return { _tag: name, name, message, httpStatus: row.httpStatus, fault: row.fault, retryable: row.retryable }
}

/**
 * The request carries no `Authorization` header. AWS's message.
 *
 * @category constructors
 */
export const missingAuthenticationToken = (): ProtocolErrorOf<'MissingAuthenticationTokenException'> =>
  protocolError('MissingAuthenticationTokenException', 'Request is missing Authentication Token')

/**
 * The `Authorization` header is malformed or lacks a part.
 *
 * @category constructors
 */
export const incompleteSignature = (message: string): ProtocolErrorOf<'IncompleteSignatureException'> =>
  protocolError('IncompleteSignatureException', message)

/**
 * The access key id is not one of the server's. AWS's message.
 *
 * @category constructors
 */
export const unrecognizedClient = (): ProtocolErrorOf<'UnrecognizedClientException'> =>
  protocolError('UnrecognizedClientException', 'The security token included in the request is invalid.')

/**
 * The signature does not verify, or was made at a time too far from the server's.
 *
 * @category constructors
 */
export const invalidSignature = (message: string): ProtocolErrorOf<'InvalidSignatureException'> =>
  protocolError('InvalidSignatureException', message)

/**
 * The body is not JSON, or does not map onto the operation's input shape.
 *
 * @category constructors
 */
export const serializationException = (message: string): ProtocolErrorOf<'SerializationException'> =>
  protocolError('SerializationException', message)

/**
 * A body whose content type is not `application/json`.
 *
 * @category constructors
 */
export const unsupportedMediaType = (message: string): ProtocolErrorOf<'UnsupportedMediaTypeException'> =>
  protocolError('UnsupportedMediaTypeException', message)

/**
 * A body over the limit.
 *
 * @category constructors
 */
export const requestEntityTooLarge = (message: string): ProtocolErrorOf<'RequestEntityTooLargeException'> =>
  protocolError('RequestEntityTooLargeException', message)

/**
 * A path (404) or a method (405) the service does not answer.
 *
 * @category constructors
 */
export const unknownOperation = (message: string): ProtocolErrorOf<'UnknownOperationException'> =>
  protocolError('UnknownOperationException', message)
