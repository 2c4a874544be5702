import {
  ListImageScanFindingAggregationsCommand,
  ListImageScanFindingsCommand,
} from '@aws-sdk/client-imagebuilder'
import { fc, testProp } from '@fast-check/ava'
import test from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import {
  authorizationHeader,
  canonicalPath,
  canonicalQuery,
  escapeUri,
  formatAmzDate,
  parseAmzDate,
  type SignedRequest,
  verify,
} from './SigV4.js'
import { credentials, signedBySdk } from './test/harness.js'

const endpoint = 'http://127.0.0.1:4575'
const secretOf = (id: string) => credentials.find((c) => c.accessKeyId === id)?.secretAccessKey
const signedAt = (r: SignedRequest) => parseAmzDate(r.headers.get('x-amz-date') ?? '') as number
const check = (r: SignedRequest, now = signedAt(r)) => verify({ service: 'imagebuilder', now, secretOf })(r)
const withHeader = (r: SignedRequest, name: string, value: string): SignedRequest => ({
  ...r,
  headers: new Map([...r.headers, [name, value]]),
})

const sample = () =>
  signedBySdk(
    endpoint,
    new ListImageScanFindingAggregationsCommand({
      filter: { name: 'vulnerabilityId', values: ['CVE-2024-1', 'a b/c'] },
    }),
  )

test('a request signed by the SDK verifies, as the access key that signed it', async (t) => {
  const r = await sample()
  t.deepEqual(check(r), Either.right('AKIDALICE'))
})

test('changing the value of any signed header breaks the signature', async (t) => {
  const r = await sample()
  const signed = /SignedHeaders=([^,]+)/.exec(r.headers.get('authorization') ?? '')?.[1]?.split(';') ?? []
  t.true(signed.length >= 5)
  for (const name of signed) {
    const altered = check(withHeader(r, name, `${r.headers.get(name)}x`))
    t.true(Either.isLeft(altered), name)
  }
})

test('removing a signed header is refused and names the header', async (t) => {
  const r = await sample()
  const headers = new Map(r.headers)
  headers.delete('content-type')
  t.deepEqual(
    Either.mapLeft((e: { message: string }) => e.message)(check({ ...r, headers })),
    Either.left('signed header content-type is missing from the request'),
  )
})

test('an unsigned header may be added (SigV4 covers only what was signed)', async (t) => {
  const r = await sample()
  t.true(Either.isRight(check(withHeader(r, 'x-forwarded-for', '10.0.0.1'))))
})

test('changing the path, the method or the query breaks the signature', async (t) => {
  const r = await sample()
  t.true(Either.isLeft(check({ ...r, target: '/ListImageScanFindings' })))
  t.true(Either.isLeft(check({ ...r, target: `${r.target}/` })))
  t.true(Either.isLeft(check({ ...r, method: 'PUT' })))
  t.true(Either.isLeft(check({ ...r, target: `${r.target}?a=1` })))
})

testProp(
  'changing any byte of the body breaks the signature',
  [fc.nat(), fc.integer({ min: 1, max: 255 })],
  async (t, at, delta) => {
    const r = await sample()
    const body = Buffer.from(r.body)
    const i = at % body.length
    body[i] = ((body[i] as number) + delta) % 256
    const result = check({ ...r, body })
    t.true(Either.isLeft(result))
  },
  { numRuns: 25 },
)

testProp(
  'any body the SDK signs verifies, and the same body with one more byte does not',
  [fc.string({ maxLength: 200 })],
  async (t, token) => {
    const r = await signedBySdk(
      endpoint,
      new ListImageScanFindingsCommand({ maxResults: 3, ...(token === '' ? {} : { nextToken: token }) }),
    )
    t.deepEqual(check(r), Either.right('AKIDALICE'))
    t.true(Either.isLeft(check({ ...r, body: Buffer.concat([Buffer.from(r.body), Buffer.from(' ')]) })))
  },
  { numRuns: 25 },
)

test('our signer computes the same Authorization header as the SDK', async (t) => {
  const r = await sample()
  const headers = new Map([...r.headers].filter(([k]) => k !== 'authorization'))
  const ours = authorizationHeader(
    { ...r, headers },
    credentials[0] as (typeof credentials)[0],
    { region: 'us-east-1', service: 'imagebuilder' },
    r.headers.get('x-amz-date') as string,
  )
  t.is(ours, r.headers.get('authorization') as string)
})

test('a clock skew of up to 5 minutes is accepted, beyond it InvalidSignatureException in AWS words, either way', async (t) => {
  const r = await sample()
  const at = signedAt(r)
  const fiveMinutes = 5 * 60 * 1000
  t.true(Either.isRight(check(r, at + fiveMinutes)))
  t.true(Either.isRight(check(r, at - fiveMinutes)))
  const date = r.headers.get('x-amz-date') as string
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '')
  const refused = (now: number) => {
    const e = check(r, now)
    return Either.isLeft(e) ? `${e.left.name} ${e.left.httpStatus}: ${e.left.message}` : 'accepted'
  }
  // AWS's own form, e.g. "Signature expired: 20190611T195422Z is now earlier than
  // 20190611T195931Z (20190611T200431Z - 5 min.)".
  t.is(
    refused(at + fiveMinutes + 1000),
    `InvalidSignatureException 403: Signature expired: ${date} is now earlier than ${stamp(at + 1000)} (${stamp(at + fiveMinutes + 1000)} - 5 min.)`,
  )
  t.is(
    refused(at - fiveMinutes - 1000),
    `InvalidSignatureException 403: Signature not yet current: ${date} is still later than ${stamp(at - 1000)} (${stamp(at - fiveMinutes - 1000)} + 5 min.)`,
  )
})

test('each refusal has its AWS name: wrong secret, unknown key, unsigned, another service, a malformed header, a body hash', async (t) => {
  const r = await sample()
  const wrong = await signedBySdk(endpoint, new ListImageScanFindingAggregationsCommand({}), {
    accessKeyId: 'AKIDALICE',
    secretAccessKey: 'not-the-secret',
  })
  const unknown = await signedBySdk(endpoint, new ListImageScanFindingAggregationsCommand({}), {
    accessKeyId: 'AKIDNOBODY',
    secretAccessKey: 'x',
  })
  const headers = new Map(r.headers)
  headers.delete('authorization')
  const messages = [
    check(wrong),
    check(unknown),
    check({ ...r, headers }),
    check(
      withHeader(
        r,
        'authorization',
        (r.headers.get('authorization') as string).replace('/imagebuilder/', '/s3/'),
      ),
    ),
    check(withHeader(r, 'authorization', 'Bearer abc')),
    check(
      withHeader(
        r,
        'authorization',
        (r.headers.get('authorization') as string).replace(/Signature=\w+/, 'Signature=zz'),
      ),
    ),
    check(withHeader(r, 'x-amz-content-sha256', 'UNSIGNED-PAYLOAD')),
  ].map((e) => (Either.isLeft(e) ? `${e.left.name}: ${e.left.message}` : 'accepted'))
  t.deepEqual(messages, [
    'InvalidSignatureException: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    'UnrecognizedClientException: The security token included in the request is invalid.',
    'MissingAuthenticationTokenException: Request is missing Authentication Token',
    "InvalidSignatureException: Credential should be scoped to correct service: 'imagebuilder'. The credential scope names service s3.",
    'IncompleteSignatureException: the Authorization header is malformed: only AWS4-HMAC-SHA256 signatures are accepted',
    'InvalidSignatureException: the Authorization header is malformed: Signature must be 64 lower-case hex digits',
    'InvalidSignatureException: x-amz-content-sha256 does not match the SHA-256 of the request body',
  ])
})

testProp(
  'escapeUri leaves exactly the RFC 3986 unreserved characters as they are',
  [fc.string({ unit: 'binary' })],
  (t, s) => {
    const escaped = escapeUri(s)
    t.regex(escaped, /^[A-Za-z0-9\-._~%]*$/)
    const wellFormed = s.replace(
      /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
      '\uFFFD',
    )
    t.is(decodeURIComponent(escaped), wellFormed)
  },
)

test('canonical paths and queries follow the SDK: dot segments removed, double encoding, sorted parameters', (t) => {
  t.is(canonicalPath('/ListImageScanFindings'), '/ListImageScanFindings')
  t.is(canonicalPath('/a/./b/../c//d/'), '/a/c/d/')
  t.is(canonicalPath('/a%20b'), '/a%2520b')
  t.is(canonicalQuery('b=2&a=1&a=0&c'), 'a=0&a=1&b=2&c=')
  t.is(canonicalQuery('k=a%20b&j=*'), 'j=%2A&k=a%20b')
})

testProp(
  'x-amz-date round-trips, and impossible dates are refused',
  [fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true })],
  (t, d) => {
    const s = formatAmzDate(d.getTime())
    t.is(parseAmzDate(s), Math.floor(d.getTime() / 1000) * 1000)
  },
)

test('malformed x-amz-date values are refused', (t) => {
  for (const s of [
    '20240230T000000Z',
    '20241301T000000Z',
    '20240001T000000Z',
    '20240100T000000Z',
    '20240101T240000Z',
    '20240101T006000Z',
    '20240101T000060Z',
    // Date.UTC reads the years 0-99 as 1900-1999.
    '00500101T000000Z',
    '2024-01-01T00:00:00Z',
    '20240101T000000',
    '',
  ])
    t.is(parseAmzDate(s), undefined, s)
})
