/**
 * `@scantally/source-s3`: finding exports in Amazon S3 (`s3://bucket/prefix`) as inputs of
 * `@scantally/source-json`'s reader, which stays free of AWS dependencies.
 *
 * @packageDocumentation
 */

export * from './S3Inputs.js'
export * from './S3Url.js'
