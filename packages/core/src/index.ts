/**
 * `@scantally/core`: the domain model, codecs, aggregation engine, pagination tokens and
 * errors of scantally. Pure: no I/O, only `node:crypto` for HMAC.
 *
 * @packageDocumentation
 */
export * from './Severity.js'
export * from './Finding.js'
