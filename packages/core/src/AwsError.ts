/**
 * One line for an error of the AWS SDK and what to do about it, for messages that name the
 * failure a user can act on (grant a permission, renew credentials, wait, check the endpoint).
 * Pure: it reads only the error's name, message, code and `$metadata`.
 *
 * @module
 */

/**
 * One line for an error of the AWS SDK: its name, message, HTTP status and attempts, and what to
 * do about it (see {@link remedyOf}).
 *
 * @category utils
 */
export const describeAwsError = (e: unknown): string => {
  const err = e as {
    name?: unknown
    message?: unknown
    $metadata?: { httpStatusCode?: unknown; attempts?: unknown }
  }
  const status = err.$metadata?.httpStatusCode
  const attempts = err.$metadata?.attempts
  return [
    typeof err.name === 'string' ? err.name : 'Error',
    typeof err.message === 'string' && err.message !== '' ? `: ${err.message}` : '',
    status === undefined ? '' : ` (HTTP ${String(status)}`,
    status === undefined ? '' : attempts === undefined ? ')' : `, after ${String(attempts)} attempts)`,
    `; ${remedyOf(typeof err.name === 'string' ? err.name : '', (e as { code?: unknown }).code)}`,
  ]
    .join('')
    .replace(/\s+/g, ' ')
}

/**
 * What to do about an AWS SDK error, by its name (or Node's error code for a network failure):
 * grant the permission, renew the credentials, wait, or check where the requests go.
 *
 * @category utils
 */
export const remedyOf = (name: string, code?: unknown): string => {
  if (/AccessDenied|Forbidden|UnauthorizedOperation/.test(name))
    return 'grant the caller the IAM permission this input needs (docs/sources.md lists them)'
  if (
    /Expired|UnrecognizedClient|InvalidSignature|InvalidClientTokenId|SignatureDoesNotMatch|InvalidAccessKeyId/.test(
      name,
    )
  )
    return 'the credentials are expired or not valid: renew them (aws sso login, or new keys) and run again'
  if (name === 'CredentialsProviderError')
    return 'no credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or log in with aws sso login'
  if (/Throttl|TooManyRequests|SlowDown|RequestLimitExceeded/.test(name))
    return 'throttled past the retries: run again later, or allow more attempts with AWS_MAX_ATTEMPTS'
  if (/NoSuchKey|NoSuchBucket|NotFound/.test(name))
    return 'it is gone or misnamed: check the name, and that nothing deletes it during the read'
  if (
    /Timeout|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH/.test(`${name} ${String(code ?? '')}`)
  )
    return 'the endpoint could not be reached: check AWS_REGION, any AWS_ENDPOINT_URL override and the network'
  return 'run again; if it persists, check the service health and the request'
}
