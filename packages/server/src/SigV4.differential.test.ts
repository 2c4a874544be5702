import { createHash, createHmac } from 'node:crypto'
import { fc, testProp } from '@fast-check/ava'
import { SignatureV4 } from '@smithy/signature-v4'
import * as Either from 'fp-ts/lib/Either.js'
import { type SignedRequest, verify } from './SigV4.js'

// The AWS SDK's own signer signs random requests; our verification must accept exactly those and
// refuse each of them with any one signed part changed. The wire form of each request (path and
// query as the SDK's HTTP handler sends them) is built here, independently of the code under test.

const credentials = { accessKeyId: 'AKIDDIFF', secretAccessKey: 'differential/secret+key' }
const region = 'eu-west-1'
const service = 'imagebuilder'

// The SDK takes a hash constructor: a keyed one is an HMAC.
class Sha256 {
  private readonly hash
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash =
      secret === undefined
        ? createHash('sha256')
        : createHmac('sha256', typeof secret === 'string' ? secret : bytesOf(secret))
  }
  update(data: Uint8Array): void {
    this.hash.update(data)
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()))
  }
}

const bytesOf = (b: ArrayBuffer | ArrayBufferView): Uint8Array =>
  ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b)

const signer = new SignatureV4({ credentials, region, service, sha256: Sha256 })

// RFC 3986 escaping as the SDK applies it to path labels and query parts.
const wireEscape = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

// Characters that need escaping, next to plain ones: space, `%`, `+`, `&`, `=`, `?`, `#`, quotes,
// non-ASCII and astral characters.
const awkward = fc.constantFrom(
  ' ',
  '%',
  '+',
  '&',
  '=',
  '?',
  '#',
  '"',
  "'",
  '*',
  '~',
  'é',
  '中',
  '😀',
  '.',
  '-',
)
const plain = fc.constantFrom('a', 'Z', '0', '_', 'x')
const text = (minLength: number, maxLength: number) =>
  fc.array(fc.oneof(plain, awkward), { minLength, maxLength }).map((cs) => cs.join(''))

// Empty segments are repeated slashes, as the SDK sends them when a label is empty.
const pathArb = fc
  .array(fc.oneof(text(0, 6), fc.constant('')), { minLength: 1, maxLength: 5 })
  .map((segments) => `/${segments.map(wireEscape).join('/')}`)

// Query parameters: a name maps to one value or several (repeated keys); values may be empty.
const queryArb = fc.dictionary(
  text(1, 5).filter((k) => k.toLowerCase() !== 'x-amz-signature'),
  fc.oneof(text(0, 5), fc.array(text(0, 5), { minLength: 2, maxLength: 3 })),
  { maxKeys: 4 },
)

const headerNameArb = fc
  .array(fc.constantFrom('a', 'b', 'x', '-', '1', '_'), { minLength: 1, maxLength: 8 })
  .map((cs) => `x-${cs.join('')}`)
// Visible ASCII with inner and outer runs of spaces and tabs, which canonical form collapses.
const headerValueArb = fc
  .array(
    fc.oneof(
      fc.constantFrom(' ', '  ', '\t'),
      fc.string({
        minLength: 1,
        maxLength: 4,
        unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
      }),
    ),
    {
      maxLength: 5,
    },
  )
  .map((parts) => parts.join(''))
  .filter((v) => v.trim() !== '')
const headersArb = fc.dictionary(headerNameArb, headerValueArb, { maxKeys: 4 })

const requestArb = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'),
  path: pathArb,
  query: queryArb,
  headers: headersArb,
  body: fc.uint8Array({ maxLength: 64 }),
  at: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }).map((ms) => ms - (ms % 1000)),
})
type Generated = typeof requestArb extends fc.Arbitrary<infer A> ? A : never

// The target as the SDK's HTTP handler writes it: each value of a repeated key as its own pair.
const wireQuery = (query: Generated['query']): string =>
  Object.entries(query)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${wireEscape(k)}=${wireEscape(x)}`))
    .join('&')

const signed = async (g: Generated): Promise<SignedRequest> => {
  const request = await signer.sign(
    {
      method: g.method,
      protocol: 'https:',
      hostname: 'imagebuilder.eu-west-1.amazonaws.com',
      path: g.path,
      query: g.query,
      headers: {
        ...g.headers,
        host: 'imagebuilder.eu-west-1.amazonaws.com',
        'content-type': 'application/json',
      },
      body: g.body,
    },
    { signingDate: new Date(g.at) },
  )
  const query = wireQuery(g.query)
  return {
    method: g.method,
    target: query === '' ? g.path : `${g.path}?${query}`,
    headers: new Map(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
    body: g.body,
  }
}

const check = (r: SignedRequest, now: number) =>
  verify({
    service,
    now,
    secretOf: (id) => (id === credentials.accessKeyId ? credentials.secretAccessKey : undefined),
  })(r)

const signedNames = (r: SignedRequest): ReadonlyArray<string> =>
  /SignedHeaders=([^,]+)/.exec(r.headers.get('authorization') ?? '')?.[1]?.split(';') ?? []

const withHeader = (r: SignedRequest, name: string, value: string): SignedRequest => ({
  ...r,
  headers: new Map([...r.headers, [name, value]]),
})

const options = { numRuns: 150 }

testProp(
  'a request the SDK signs verifies, as the access key that signed it',
  [requestArb],
  async (t, g) => {
    t.deepEqual(check(await signed(g), g.at), Either.right(credentials.accessKeyId))
  },
  options,
)

testProp(
  'changing the value of any one signed header fails',
  [requestArb, fc.nat()],
  async (t, g, pick) => {
    const r = await signed(g)
    const names = signedNames(r)
    const name = names[pick % names.length] as string
    const tampered = withHeader(r, name, `${r.headers.get(name)}x`)
    t.true(Either.isLeft(check(tampered, g.at)), name)
  },
  options,
)

testProp(
  'changing the path fails',
  [requestArb, fc.constantFrom('x', '%20', '/y', '%25')],
  async (t, g, extra) => {
    const r = await signed(g)
    const q = r.target.indexOf('?')
    const path = q === -1 ? r.target : r.target.slice(0, q)
    const rest = q === -1 ? '' : r.target.slice(q)
    t.true(Either.isLeft(check({ ...r, target: `${path}${extra}${rest}` }, g.at)))
  },
  options,
)

testProp(
  'changing one query value, or adding a parameter, fails',
  [requestArb.filter((g) => Object.keys(g.query).length > 0), fc.nat()],
  async (t, g, pick) => {
    const keys = Object.keys(g.query)
    const key = keys[pick % keys.length] as string
    const value = g.query[key] as string | string[]
    const changed = {
      ...g.query,
      [key]: Array.isArray(value) ? [`${value[0]}x`, ...value.slice(1)] : `${value}x`,
    }
    const r = await signed(g)
    const path = g.path
    t.true(Either.isLeft(check({ ...r, target: `${path}?${wireQuery(changed)}` }, g.at)), key)
    t.true(Either.isLeft(check({ ...r, target: `${r.target}&extra=1` }, g.at)))
  },
  options,
)

testProp(
  'changing, adding or removing one byte of the body fails',
  [requestArb, fc.nat(), fc.integer({ min: 1, max: 255 })],
  async (t, g, at, delta) => {
    const r = await signed(g)
    const longer = new Uint8Array([...g.body, delta])
    t.true(Either.isLeft(check({ ...r, body: longer }, g.at)))
    if (g.body.length > 0) {
      const i = at % g.body.length
      const changed = new Uint8Array(g.body)
      changed[i] = ((changed[i] as number) + delta) % 256
      t.true(Either.isLeft(check({ ...r, body: changed }, g.at)))
      t.true(Either.isLeft(check({ ...r, body: g.body.slice(1) }, g.at)))
    }
  },
  options,
)

testProp(
  'changing the date by a second, within the allowed skew, fails',
  [requestArb, fc.constantFrom(-1000, 1000)],
  async (t, g, shift) => {
    const r = await signed(g)
    const date = new Date(g.at + shift).toISOString().replace(/[-:]|\.\d{3}/g, '')
    t.true(Either.isLeft(check(withHeader(r, 'x-amz-date', date), g.at)))
  },
  options,
)

testProp(
  'changing the method fails',
  [requestArb, fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD')],
  async (t, g, method) => {
    fc.pre(method !== g.method)
    const r = await signed(g)
    t.true(Either.isLeft(check({ ...r, method }, g.at)))
  },
  options,
)
