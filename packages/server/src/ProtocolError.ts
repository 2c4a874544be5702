/**
 * The errors of the AWS protocol itself, answered before an operation runs: authentication
 * (SigV4), the restJson1 body, routing and the size limit. They are AWS's common errors, not the
 * Image Builder model's (those are core's {@link ScantallyError}), and the AWS SDK acts on their
 * names: it corrects its clock after InvalidSignatureException "Signature expired", for one.
 * Records of the same shape as core's errors, so one function writes both on the wire.
 *
 * @module
 */
import type { ErrorOf, ScantallyError } from '@scantally/core'
import { errorsOf } from '@scantally/core/internal'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

// Every protocol error is the client's, and the same request fails again.
const clientError = <S extends number>(httpStatus: S) =>
  ({ httpStatus, fault: 'client', retryable: false }) as const

/**
 * Each protocol error with its HTTP status, whose fault it is and whether a retry may succeed.
 * Names and statuses as AWS answers them (AWS common errors; Smithy's restJson1 protocol tests
 * for the body errors; Smithy's reference server for routing).
 *
 * @category model
 */
export const protocolErrorTable = {
  MissingAuthenticationTokenException: clientError(403),
  IncompleteSignatureException: clientError(400),
  UnrecognizedClientException: clientError(403),
  InvalidSignatureException: clientError(403),
  SerializationException: clientError(400),
  UnsupportedMediaTypeException: clientError(415),
  RequestEntityTooLargeException: clientError(413),
  UnknownOperationException: clientError(404),
} as const

/**
 * The name of a protocol error, sent as `x-amzn-errortype`.
 *
 * @category model
 */
export type ProtocolErrorName = keyof typeof protocolErrorTable

/**
 * One protocol error: `_tag` and `name` are its name, with its message, status, fault and
 * retryability, in the shape of core's error records.
 *
 * @category model
 */
export type ProtocolErrorOf<N extends ProtocolErrorName> = ErrorOf<N, typeof protocolErrorTable>

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
export const protocolError: <N extends ProtocolErrorName>(name: N, message: string) => ProtocolErrorOf<N> =
  errorsOf(protocolErrorTable)

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
