/**
 * `@scantally/server`: ListImageScanFindingAggregations and ListImageScanFindings over AWS
 * restJson1, so the official AWS SDK is the client. An embeddable handler (a Node request
 * listener and a fetch-style function), a standalone server, SigV4 verification, per-caller
 * rate limits, and the finding store ListImageScanFindings lists from.
 *
 * @packageDocumentation
 */

export * from './Credentials.js'
export * from './FindingStore.js'
export * from './Handler.js'
export * from './ListImageScanFindings.js'
export * from './Logger.js'
export * from './RateLimiter.js'
export * from './Server.js'
export * from './SigV4.js'
export * from './Wire.js'
