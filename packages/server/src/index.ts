/**
 * `@scantally/server`: ListImageScanFindingAggregations and ListImageScanFindings over AWS
 * restJson1, so the official AWS SDK is the client. Protocol only: an operation table over
 * `@scantally/core`'s operations, the steps a request goes through (SigV4 verification,
 * per-caller rate limits, the JSON body), an embeddable handler with a Node request listener
 * and a fetch-style adapter, and a standalone server.
 *
 * @packageDocumentation
 */

export * from './AccessLog.js'
export * from './AnswerCache.js'
export * from './Credentials.js'
export * from './FetchAdapter.js'
export * from './Handler.js'
export * from './Logger.js'
export * from './NodeListener.js'
export * from './Operations.js'
export * from './ProtocolError.js'
export * from './RateLimiter.js'
export * from './Server.js'
export type { Shape } from './Shape.js'
export * from './SigV4.js'
export * from './Steps.js'
export * from './Wire.js'
