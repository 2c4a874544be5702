/**
 * `s3://bucket/prefix` arguments, told and read apart from the S3 client, so that a command
 * tells an S3 input without loading the AWS SDK (see `S3Inputs` for reading them).
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Where an `s3://` argument points: a bucket and a key prefix (empty for the whole bucket).
 *
 * @category model
 */
export interface S3Location {
  readonly bucket: string
  readonly prefix: string
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Whether an input argument is an `s3://` URL.
 *
 * @category utils
 */
export const isS3Url = (arg: string): boolean => arg.startsWith('s3://')

/**
 * Reads an `s3://bucket/prefix` argument; a missing bucket is an error message.
 *
 * @category constructors
 */
export const parseS3Url = (arg: string): E.Either<string, S3Location> => {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(arg)
  if (m === null || m[1] === undefined) return E.left(`${arg}: not an S3 URL (s3://bucket/prefix)`)
  return E.right({ bucket: m[1], prefix: m[2] ?? '' })
}
