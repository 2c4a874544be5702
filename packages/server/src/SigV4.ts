/**
 * AWS Signature Version 4 verification, written against the specification and checked against
 * the signer the AWS SDK uses: the canonical request, the string to sign, the derived signing
 * key, and a constant-time comparison. Only the `Authorization` header form is accepted
 * (presigned query strings are not). Pure: the clock and the secret lookup are parameters.
 *
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { sha256 } from '@scantally/core/internal'
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import {
  type AuthenticationError,
  incompleteSignature,
  invalidSignature,
  missingAuthenticationToken,
  type ProtocolErrorOf,
  unrecognizedClient,
} from './ProtocolError.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A request as it arrived, in the parts a signature covers: the method, the target exactly as
 * on the wire (path and query), the headers with lower-case names (repeated headers joined with
 * `,`), and the body bytes.
 *
 * @category model
 */
export interface SignedRequest {
  readonly method: string
  readonly target: string
  readonly headers: ReadonlyMap<string, string>
  readonly body: Uint8Array
}

/**
 * The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header.
 *
 * @category model
 */
export interface Authorization {
  readonly accessKeyId: string
  readonly date: string
  readonly region: string
  readonly service: string
  readonly signedHeaders: ReadonlyArray<string>
  readonly signature: string
}

/**
 * What verification needs besides the request: the service name the scope must carry, the
 * current time (milliseconds since the epoch), the allowed clock skew, and how to find the
 * secret of an access key id (`undefined` for an unknown key).
 *
 * @category model
 */
export interface VerifyOptions {
  readonly service: string
  readonly now: number
  readonly maxSkewMs?: number
  readonly secretOf: (accessKeyId: string) => string | undefined
}

/**
 * The signing algorithm this module implements.
 *
 * @category model
 */
export const algorithm = 'AWS4-HMAC-SHA256'

/**
 * The clock skew AWS tolerates between a request's `x-amz-date` and the server: 5 minutes.
 *
 * @category model
 */
export const defaultMaxSkewMs = 5 * 60 * 1000

const amzDatePattern = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/
const signaturePattern = /^[0-9a-f]{64}$/
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
// Headers the AWS SDK never signs (proxies and user agents change them on the way).
const unsignable = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
])
const headerNamePattern = /^[a-z0-9!#$%&'*+.^_`|~-]+$/

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Verifies a request's signature. `Right` holds the access key id that signed it; `Left` the
 * error AWS answers: MissingAuthenticationTokenException (unsigned), IncompleteSignatureException
 * (a malformed `Authorization` or `x-amz-date`), UnrecognizedClientException (an unknown key) or
 * InvalidSignatureException (a wrong signature, scope or body hash, and a clock too far off, whose
 * message starts "Signature expired:" or "Signature not yet current:" as AWS's does). The
 * signature is compared in constant time, and the body must hash to what was signed.
 *
 * @category combinators
 */
export const verify =
  (options: VerifyOptions) =>
  (request: SignedRequest): E.Either<AuthenticationError, string> => {
    const header = request.headers.get('authorization')
    if (header === undefined) return Either.left(missingAuthenticationToken())
    const parsed = parseAuthorization(header)
    if (Either.isLeft(parsed)) return parsed
    const auth = parsed.right
    if (auth.service !== options.service)
      return refuse(
        invalidSignature(
          `Credential should be scoped to correct service: '${options.service}'. The credential scope names service ${auth.service}.`,
        ),
      )
    const secret = options.secretOf(auth.accessKeyId)
    if (secret === undefined) return refuse(unrecognizedClient())
    const amzDate = request.headers.get('x-amz-date')
    const signedAt = amzDate === undefined ? undefined : parseAmzDate(amzDate)
    if (amzDate === undefined || signedAt === undefined)
      return refuse(
        incompleteSignature('the x-amz-date header is missing or not of the form YYYYMMDDTHHMMSSZ'),
      )
    if (amzDate.slice(0, 8) !== auth.date)
      return refuse(
        invalidSignature(
          `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
        ),
      )
    const skew = options.maxSkewMs ?? defaultMaxSkewMs
    if (Math.abs(options.now - signedAt) > skew)
      return refuse(invalidSignature(skewMessage(amzDate, options.now, skew)))
    for (const name of ['host', 'x-amz-date'])
      if (!auth.signedHeaders.includes(name))
        return refuse(invalidSignature(`the ${name} header must be signed`))
    for (const name of auth.signedHeaders)
      if (!request.headers.has(name))
        return refuse(invalidSignature(`signed header ${name} is missing from the request`))
    const bodyHash = sha256Hex(request.body)
    const declared = request.headers.get('x-amz-content-sha256')
    // The payload hash is always the body's own; a declared one (even UNSIGNED-PAYLOAD) must agree.
    if (declared !== undefined && declared !== bodyHash)
      return refuse(invalidSignature('x-amz-content-sha256 does not match the SHA-256 of the request body'))
    const expected = signatureOf(
      secret,
      auth,
      amzDate,
      canonicalRequest(request, auth.signedHeaders, bodyHash),
    )
    const given = Buffer.from(auth.signature, 'hex')
    return given.length === expected.length && timingSafeEqual(given, expected)
      ? Either.right(auth.accessKeyId)
      : refuse(invalidSignature(signatureMismatch))
  }

/**
 * Signs a request: returns the `Authorization` header value for the given `x-amz-date`,
 * signing every header the AWS SDK signs (all but hop-by-hop ones, `user-agent` and the like).
 * The same computation verification repeats; useful for clients without the AWS SDK.
 *
 * @category combinators
 */
export const authorizationHeader = (
  request: SignedRequest,
  credentials: { readonly accessKeyId: string; readonly secretAccessKey: string },
  scope: { readonly region: string; readonly service: string },
  amzDate: string,
): string => {
  const signedHeaders = [...request.headers.keys()]
    .filter((h) => !unsignable.has(h) && !/^(proxy|sec)-/.test(h))
    .sort()
  const auth: Authorization = {
    accessKeyId: credentials.accessKeyId,
    date: amzDate.slice(0, 8),
    region: scope.region,
    service: scope.service,
    signedHeaders,
    signature: '',
  }
  const signature = signatureOf(
    credentials.secretAccessKey,
    auth,
    amzDate,
    canonicalRequest(request, signedHeaders, sha256Hex(request.body)),
  ).toString('hex')
  return `${algorithm} Credential=${credentials.accessKeyId}/${scopeOf(auth)}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Parses an `Authorization` header of the AWS4-HMAC-SHA256 form: IncompleteSignatureException
 * for a header that lacks a part or is malformed, InvalidSignatureException for a signature
 * that is not 64 lower-case hex digits (it cannot match).
 *
 * @category utils
 */
export const parseAuthorization = (
  header: string,
): E.Either<
  ProtocolErrorOf<'IncompleteSignatureException'> | ProtocolErrorOf<'InvalidSignatureException'>,
  Authorization
> => {
  const trimmed = header.trim()
  if (!trimmed.startsWith(`${algorithm} `))
    return deny(`the Authorization header is malformed: only ${algorithm} signatures are accepted`)
  const fields = new Map<string, string>()
  for (const part of trimmed.slice(algorithm.length + 1).split(',')) {
    const eq = part.indexOf('=')
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  const credential = fields.get('Credential')
  const signedHeaders = fields.get('SignedHeaders')
  const signature = fields.get('Signature')
  if (credential === undefined || signedHeaders === undefined || signature === undefined)
    return deny('the Authorization header is malformed: Credential, SignedHeaders and Signature are required')
  const segments = credential.split('/')
  const terminator = segments.pop()
  const service = segments.pop()
  const region = segments.pop()
  const date = segments.pop()
  const accessKeyId = segments.join('/')
  if (terminator !== 'aws4_request' || service === undefined || region === undefined || date === undefined)
    return deny(
      'the Authorization header is malformed: Credential must be KEY/DATE/REGION/SERVICE/aws4_request',
    )
  if (accessKeyId === '' || !/^\d{8}$/.test(date) || region === '' || service === '')
    return deny('the Authorization header is malformed: the credential scope is incomplete')
  const names = signedHeaders.split(';')
  const sorted = [...names].sort()
  if (
    names.some((n) => !headerNamePattern.test(n)) ||
    names.some((n, i) => n !== sorted[i] || (i > 0 && n === names[i - 1]))
  )
    return deny(
      'the Authorization header is malformed: SignedHeaders must be sorted, unique, lower-case names',
    )
  // A signature of another form cannot match: InvalidSignatureException, as AWS answers it.
  if (!signaturePattern.test(signature))
    return Either.left(
      invalidSignature('the Authorization header is malformed: Signature must be 64 lower-case hex digits'),
    )
  return Either.right({ accessKeyId, date, region, service, signedHeaders: names, signature })
}

/**
 * The canonical request: method, canonical path, canonical query, canonical headers, the list
 * of signed headers, and the payload hash, one per line.
 *
 * @category utils
 */
export const canonicalRequest = (
  request: SignedRequest,
  signedHeaders: ReadonlyArray<string>,
  payloadHash: string,
): string => {
  const q = request.target.indexOf('?')
  const path = q === -1 ? request.target : request.target.slice(0, q)
  const query = q === -1 ? '' : request.target.slice(q + 1)
  const headers = signedHeaders
    .map((h) => `${h}:${canonicalHeaderValue(request.headers.get(h) ?? '')}\n`)
    .join('')
  return [
    request.method.toUpperCase(),
    canonicalPath(path),
    canonicalQuery(query),
    headers,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n')
}

/**
 * The canonical path of a wire path: dot segments and empty segments removed, then every
 * segment URI-encoded again (the double encoding every service but S3 uses).
 *
 * @category utils
 */
export const canonicalPath = (path: string): string => {
  const segments: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') segments.pop()
    else segments.push(segment)
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`
  return escapeUri(normalized).replace(/%2F/g, '/')
}

/**
 * The canonical query string: parameters decoded, re-encoded per RFC 3986, sorted by name and
 * then value.
 *
 * @category utils
 */
export const canonicalQuery = (query: string): string =>
  query === ''
    ? ''
    : query
        .split('&')
        .filter((p) => p !== '')
        .map((p) => {
          const eq = p.indexOf('=')
          const name = eq === -1 ? p : p.slice(0, eq)
          const value = eq === -1 ? '' : p.slice(eq + 1)
          return [escapeUri(safeDecode(name)), escapeUri(safeDecode(value))] as const
        })
        .filter(([name]) => name.toLowerCase() !== 'x-amz-signature')
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
        .map(([name, value]) => `${name}=${value}`)
        .join('&')

/**
 * A header value in canonical form: line breaks as spaces, runs of spaces and tabs collapsed,
 * trimmed.
 *
 * @category utils
 */
export const canonicalHeaderValue = (value: string): string =>
  value
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '')

/**
 * RFC 3986 percent-encoding: everything but unreserved characters, hex digits upper-case.
 *
 * @category utils
 */
export const escapeUri = (s: string): string =>
  // A lone surrogate has no UTF-8 form; as U+FFFD it cannot match what any client signed.
  encodeURIComponent(s.replace(loneSurrogate, '\uFFFD')).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )

/**
 * The signing key: HMAC chain over `AWS4` + secret, the date, the region, the service and
 * `aws4_request`.
 *
 * @category utils
 */
export const signingKey = (secret: string, date: string, region: string, service: string): Buffer =>
  [date, region, service, 'aws4_request'].reduce<Buffer>(
    (key, part) => hmac(key, part),
    Buffer.from(`AWS4${secret}`, 'utf8'),
  )

/**
 * The string to sign: algorithm, `x-amz-date`, credential scope, and the hex SHA-256 of the
 * canonical request.
 *
 * @category utils
 */
export const stringToSign = (amzDate: string, scope: string, canonical: string): string =>
  [algorithm, amzDate, scope, sha256Hex(canonical)].join('\n')

/**
 * Milliseconds since the epoch of an `x-amz-date` (`YYYYMMDDTHHMMSSZ`), or `undefined`.
 *
 * @category utils
 */
export const parseAmzDate = (s: string): number | undefined => {
  const m = amzDatePattern.exec(s)
  if (m === null) return undefined
  const [, y, mo, d, h, mi, se] = m.map(Number) as [number, number, number, number, number, number, number]
  const ms = Date.UTC(y, mo - 1, d, h, mi, se)
  // Date.UTC rolls over out-of-range fields (month 13) and reads years 0-99 as 1900-1999; a real
  // date has the fields it was made of.
  const t = new Date(ms)
  return t.getUTCFullYear() === y &&
    t.getUTCMonth() === mo - 1 &&
    t.getUTCDate() === d &&
    t.getUTCHours() === h &&
    t.getUTCMinutes() === mi &&
    t.getUTCSeconds() === se
    ? ms
    : undefined
}

/**
 * Formats milliseconds since the epoch as an `x-amz-date`.
 *
 * @category utils
 */
export const formatAmzDate = (ms: number): string => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '')

const scopeOf = (auth: Authorization): string => `${auth.date}/${auth.region}/${auth.service}/aws4_request`

const signatureOf = (secret: string, auth: Authorization, amzDate: string, canonical: string): Buffer =>
  createHmac('sha256', derivedKey(secret, auth.date, auth.region, auth.service))
    .update(stringToSign(amzDate, scopeOf(auth), canonical), 'utf8')
    .digest()

// A signing key depends only on the secret and the scope (one a day per key, region and
// service), so it is derived once and kept: four HMACs saved on every request. The keys are no
// more secret than the secrets they come from; the table is emptied when full, so it stays small
// whatever scopes requests claim.
const derivedKeys = new Map<string, Buffer>()
const maxDerivedKeys = 1024
const derivedKey = (secret: string, date: string, region: string, service: string): Buffer => {
  const id = JSON.stringify([secret, date, region, service])
  const known = derivedKeys.get(id)
  if (known !== undefined) return known
  if (derivedKeys.size >= maxDerivedKeys) derivedKeys.clear()
  const key = signingKey(secret, date, region, service)
  derivedKeys.set(id, key)
  return key
}

const hmac = (key: Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest()

const sha256Hex = (data: string | Uint8Array): string => sha256(data, 'hex')

const safeDecode = (s: string): string => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

// A malformed Authorization header: IncompleteSignatureException, as AWS answers it.
const deny = (message: string): E.Either<ProtocolErrorOf<'IncompleteSignatureException'>, never> =>
  Either.left(incompleteSignature(message))

const refuse = (error: AuthenticationError): E.Either<AuthenticationError, never> => Either.left(error)

// AWS's words for a signature that does not verify.
const signatureMismatch =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'

// AWS's words for a skewed clock; the AWS SDK recognises the error by its name and corrects its
// clock from the response's Date header.
const skewMessage = (amzDate: string, now: number, skew: number): string => {
  const minutes = `${skew / 60_000} min.`
  const signedAt = parseAmzDate(amzDate) ?? now
  return signedAt < now
    ? `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - skew)} (${formatAmzDate(now)} - ${minutes})`
    : `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + skew)} (${formatAmzDate(now)} + ${minutes})`
}
