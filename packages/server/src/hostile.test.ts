import {
  ForbiddenException,
  InvalidPaginationTokenException,
  ListImageScanFindingAggregationsCommand,
  ListImageScanFindingsCommand,
} from '@aws-sdk/client-imagebuilder'
import { fc, testProp } from '@fast-check/ava'
import { type Caller, listImageScanFindingAggregations, makeEngine } from '@scantally/core'
import { signToken } from '@scantally/core/internal'
import { testKey } from '@scantally/core/testing'
import test, { type ExecutionContext } from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import { silentLogger } from './Logger.js'
import { type RunningServer, startServer } from './Server.js'
import { accountOf, client, credentials, dataset } from './test/harness.js'
import { assertClientAnswer, frame, type RawRequest, rawExchange, signed } from './test/raw.js'
import { defaultMaxBodyBytes } from './Wire.js'

// Every answer to client input is a named 4xx (or a 200 for a valid request), the server never
// answers 5xx, and a caller never reads what another caller's accounts hold.

const { index, store } = dataset(3000)
const alice = credentials[0] as (typeof credentials)[number]
const bob = credentials[1] as (typeof credentials)[number]
const aliceCaller: Caller = { id: alice.accessKeyId, accounts: alice.accountIds }
const key = testKey(21, 'hostile')
const engine = makeEngine(index, { keys: [key], pageSize: 100 })
const paths = ['/ListImageScanFindingAggregations', '/ListImageScanFindings'] as const

// Bob's accounts are accountOf(2000..2999): 100000002000 to 100000002999.
const bobAccount = /1000000029\d\d|100000002[0-8]\d\d/g
const bobIdsIn = (text: string) => new Set(text.match(bobAccount) ?? [])

let server: RunningServer
test.before(async () => {
  server = await startServer({ engine, store, credentials, port: 0, logger: silentLogger })
})
test.after.always(async () => {
  // Whatever came before, the server still answers a valid request.
  const after = await client(server.url).send(new ListImageScanFindingAggregationsCommand({}))
  if ((after.responses ?? []).length !== 100) throw new Error('the server stopped answering')
  await server?.close()
})

const exchange = (request: RawRequest) => rawExchange(server.port, [frame(request)])

/** Sends as alice and checks the answer and that it names none of bob's accounts the request did not. */
const asAlice = async (
  t: ExecutionContext,
  request: { readonly path?: string; readonly contentType?: string | null; readonly body: Uint8Array },
) => {
  const r = await exchange(signed(server.port, alice, request))
  assertClientAnswer(t, r, true)
  const asked = bobIdsIn(Buffer.from(request.body).toString('latin1'))
  for (const id of bobIdsIn(r.body)) t.true(asked.has(id), `answer names bob's account ${id}`)
  return r
}

const validBodyArb = fc.oneof(
  fc.constant({}),
  fc.record(
    {
      filter: fc.record({
        name: fc.constantFrom('accountId', 'imageBuildVersionArn', 'imagePipelineArn', 'vulnerabilityId'),
        values: fc.array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 10 }),
      }),
      nextToken: fc.string({ minLength: 1, maxLength: 200 }),
      maxResults: fc.integer({ min: -5, max: 30 }),
      filters: fc.array(fc.record({ name: fc.string(), values: fc.array(fc.string()) }), { maxLength: 2 }),
    },
    { requiredKeys: [] },
  ),
)

const bodyArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 2000 }),
  fc.jsonValue({ maxDepth: 6 }).map((v) => Buffer.from(JSON.stringify(v) ?? '')),
  validBodyArb.map((v) => Buffer.from(JSON.stringify(v))),
  // A valid body with a random cut or splice: truncated JSON, stray bytes.
  fc.tuple(validBodyArb, fc.nat(), fc.string({ maxLength: 5 })).map(([v, at, extra]) => {
    const text = JSON.stringify(v)
    const cut = at % (text.length + 1)
    return Buffer.from(`${text.slice(0, cut)}${extra}${text.slice(cut + (at % 3))}`)
  }),
)

const contentTypeArb = fc.option(
  fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/x-amz-json-1.1',
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
      '',
    ),
    fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 40,
    }),
  ),
  { nil: null },
)

testProp(
  'any body with any content type, signed, to either operation: a 200 or a named 4xx, never another caller’s accounts',
  [bodyArb, contentTypeArb, fc.constantFrom(...paths)],
  async (t, body, contentType, path) => {
    await asAlice(t, { path, contentType, body })
  },
  { numRuns: 150 },
)

testProp(
  'any filter through the SDK: exactly the caller’s own counts, or ForbiddenException for another’s account',
  [
    fc.constantFrom('accountId', 'imageBuildVersionArn', 'imagePipelineArn', 'vulnerabilityId'),
    fc.array(
      fc.oneof(
        fc.integer({ min: 0, max: 3099 }).map(accountOf),
        fc.integer({ min: 0, max: 3200 }).map((i) => `CVE-2024-${String(i).padStart(5, '0')}`),
        fc
          .integer({ min: 0, max: 45 })
          .map((i) => `arn:aws:imagebuilder:us-east-1:111111111111:image/img${i}/1.0.${i % 4}/1`),
        fc
          .integer({ min: 0, max: 12 })
          .map((i) => `arn:aws:imagebuilder:us-east-1:111111111111:image-pipeline/p${i}`),
      ),
      { minLength: 1, maxLength: 10 },
    ),
  ],
  async (t, name, values) => {
    const input = { filter: { name, values } }
    const expected = listImageScanFindingAggregations(engine, aliceCaller)(input)
    const sent = client(server.url, alice).send(new ListImageScanFindingAggregationsCommand(input))
    if (Either.isLeft(expected)) {
      const e = await t.throwsAsync(sent)
      t.is(e?.name, expected.left.name)
      t.is(e?.message, expected.left.message)
      if (name === 'accountId') t.true(e instanceof ForbiddenException)
      return
    }
    const answer = await sent
    t.deepEqual(JSON.parse(JSON.stringify(answer.responses)), expected.right.responses)
    t.is(answer.aggregationType, expected.right.aggregationType)
    for (const r of answer.responses ?? [])
      t.false(bobIdsIn(JSON.stringify(r)).size > 0 && name === 'accountId', 'an account of bob')
  },
  { numRuns: 60 },
)

test('asking for an account one may not see answers the same whether or not it has findings', async (t) => {
  const messages = []
  for (const account of [accountOf(2500), '999999999999']) {
    const e = await t.throwsAsync(
      client(server.url, alice).send(
        new ListImageScanFindingAggregationsCommand({ filter: { name: 'accountId', values: [account] } }),
      ),
    )
    t.true(e instanceof ForbiddenException)
    messages.push(e?.message.replace(account, 'ACCOUNT'))
  }
  t.is(messages[0], messages[1])
})

const nest = (depth: number, kind: 'list' | 'object') =>
  kind === 'list'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`

// The members each operation reads; nesting under any other member is an unknown member, which
// restJson1 ignores (see Malformed.test.ts), so the request is then served.
const readMembers: Readonly<Record<(typeof paths)[number], ReadonlySet<string>>> = {
  '/ListImageScanFindingAggregations': new Set(['filter', 'filter.values', 'nextToken']),
  '/ListImageScanFindings': new Set(['filters', 'maxResults', 'nextToken']),
}

testProp(
  'deeply nested JSON anywhere in a request: a named 4xx where a member reads it, ignored where none does',
  [
    fc.integer({ min: 1, max: 32_000 }),
    fc.constantFrom('list', 'object') as fc.Arbitrary<'list' | 'object'>,
    fc.constantFrom<readonly [string, (v: string) => string]>(
      ['body', (v: string) => v],
      ['filter', (v: string) => `{"filter":${v}}`],
      ['filter.values', (v: string) => `{"filter":{"name":"vulnerabilityId","values":[${v}]}}`],
      ['nextToken', (v: string) => `{"nextToken":${v}}`],
      ['unknown', (v: string) => `{"unknown":${v}}`],
      ['filters', (v: string) => `{"filters":[{"name":"severity","values":[${v}]}]}`],
      ['maxResults', (v: string) => `{"maxResults":${v}}`],
    ),
    fc.constantFrom(...paths),
  ],
  async (t, depth, kind, [member, place], path) => {
    const r = await asAlice(t, { path, body: Buffer.from(place(nest(depth, kind))) })
    // A nested object as the body is a structure whose one member, "a", is unknown.
    const ignored = member === 'body' ? kind === 'object' : !readMembers[path].has(member)
    t.is(r.status === 200, ignored, `${member} on ${path}: ${r.status} ${r.body.slice(0, 200)}`)
  },
  { numRuns: 40 },
)

const invalidUtf8 = [
  [0xff],
  [0x80],
  [0xc0, 0xaf], // overlong '/'
  [0xe0, 0x80, 0xaf], // overlong
  [0xed, 0xa0, 0x80], // a UTF-16 surrogate
  [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
  [0xe2, 0x82], // truncated
  [0xf8, 0x88, 0x80, 0x80, 0x80], // five-byte form
]

testProp(
  'invalid UTF-8 inside an otherwise valid body is SerializationException',
  [validBodyArb, fc.nat(), fc.constantFrom(...invalidUtf8), fc.constantFrom(...paths)],
  async (t, body, at, bad, path) => {
    const text = Buffer.from(JSON.stringify(body))
    const cut = at % (text.length + 1)
    const r = await asAlice(t, {
      path,
      body: Buffer.concat([text.subarray(0, cut), Buffer.from(bad), text.subarray(cut)]),
    })
    t.is(r.status, 400)
    t.is(r.headers.get('x-amzn-errortype'), 'SerializationException')
    t.regex(r.body, /not valid UTF-8/)
  },
  { numRuns: 60 },
)

testProp(
  'a non-empty body of any other media type is UnsupportedMediaTypeException (415), whatever it holds',
  [
    fc
      .string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1 })
      .filter((s) => s.split(';')[0]?.trim().toLowerCase() !== 'application/json'),
    validBodyArb,
  ],
  async (t, contentType, body) => {
    const r = await asAlice(t, { contentType, body: Buffer.from(JSON.stringify(body)) })
    t.is(r.status, 415)
    t.is(r.headers.get('x-amzn-errortype'), 'UnsupportedMediaTypeException')
  },
  { numRuns: 40 },
)

test('bodies around the limit: up to it is read, over it is RequestEntityTooLargeException (413), a huge declared length is refused unread', async (t) => {
  const padded = (size: number) => {
    const text = '{"filter":{"name":"vulnerabilityId","values":["CVE-2024-00001"]}}'
    return Buffer.from(`${text}${' '.repeat(size - text.length)}`)
  }
  const under = await asAlice(t, { body: padded(defaultMaxBodyBytes) })
  t.is(under.status, 200)
  for (const size of [defaultMaxBodyBytes + 1, 2 * defaultMaxBodyBytes, 10 * defaultMaxBodyBytes]) {
    const over = await asAlice(t, { body: padded(size) })
    t.is(over.status, 413)
    t.is(over.headers.get('x-amzn-errortype'), 'RequestEntityTooLargeException')
    t.regex(over.body, new RegExp(`larger than ${defaultMaxBodyBytes} bytes`))
  }
  // Declares a gigabyte and sends nothing: answered at once, the connection closed.
  const declared = await rawExchange(server.port, [
    'POST /ListImageScanFindingAggregations HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000000000\r\n\r\n',
  ])
  assertClientAnswer(t, declared)
  t.regex(declared.body, /larger than/)
})

test('oversized and malformed request heads get a named ClientException, not a bare status line', async (t) => {
  const big = await exchange({ headers: [['x-padding', 'a'.repeat(20_000)]], body: Buffer.from('{}') })
  assertClientAnswer(t, big)
  t.is(big.status, 431)
  const many = await exchange({
    headers: Array.from({ length: 1500 }, (_, i) => [`x-h${i}`, 'aaaaaaaaaaaaaa'] as const),
    body: Buffer.from('{}'),
  })
  assertClientAnswer(t, many)
  for (const garbage of [
    'GET / HTTP/9.9\r\n\r\n',
    'POST /ListImageScanFindings HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n{}',
    'POST /ListImageScanFindings HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    'POST /ListImageScanFindings HTTP/1.1\r\nbad header\r\n\r\n',
    'POST /ListImageScanFindings HTTP/1.1\r\nx-a: b\x00c\r\n\r\n',
    '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', // a TLS ClientHello on the plain port
  ]) {
    const r = await rawExchange(server.port, [garbage])
    assertClientAnswer(t, r)
  }
})

testProp(
  'random bytes on the socket: a named 4xx or a closed connection, and the server goes on',
  [fc.uint8Array({ minLength: 1, maxLength: 600 })],
  async (t, bytes) => {
    const r = await rawExchange(server.port, [Buffer.from(bytes), { pauseMs: 20 }, '\r\n\r\n'], 3_000)
    // A prefix that is still a valid, unfinished request head waits for the header timeout; that
    // is cut off below. Anything else is answered.
    if (r.status !== -1 && r.status !== 0) assertClientAnswer(t, r)
    else t.pass()
  },
  { numRuns: 40 },
)

// -------------------------------------------------------------------------------------
// tokens
// -------------------------------------------------------------------------------------

const b64 = (s: string) => Buffer.from(s).toString('base64url')

const forgedTokenArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 300 }),
  // The right shape, random parts; sometimes the key id the server uses.
  fc
    .tuple(
      fc.oneof(fc.constant(key.id), fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/)),
      fc.uint8Array({ minLength: 1, maxLength: 200 }),
      fc.uint8Array({ minLength: 0, maxLength: 40 }),
    )
    .map(
      ([id, p, s]) =>
        `v1.${id}.${Buffer.from(p).toString('base64url')}.${Buffer.from(s).toString('base64url')}`,
    ),
  // A plausible payload, signed with a key the server does not have under the server's key id.
  fc
    .tuple(fc.integer({ min: 0, max: 2_999 }), fc.uint8Array({ minLength: 32, maxLength: 32 }))
    .map(([n, secret]) =>
      signToken(
        { keys: [{ id: key.id, secret }], ttlSeconds: 3600, now: Date.now },
        'AAAAAAAAAAAAAAAAAAAAAA',
        [accountOf(n)],
      ),
    ),
  // Unsigned payload edits: a far expiry, another cursor.
  fc
    .integer({ min: 0, max: 2_999 })
    .map((n) => `v1.${key.id}.${b64(JSON.stringify({ e: 9e9, f: 'x', c: [accountOf(n)] }))}.${b64('sig')}`),
)

testProp(
  'forged tokens are InvalidPaginationTokenException on both operations, through the SDK',
  [forgedTokenArb, fc.boolean()],
  async (t, nextToken, findings) => {
    const c = client(server.url, alice)
    const e = await t.throwsAsync(
      findings
        ? c.send(new ListImageScanFindingsCommand({ nextToken }))
        : c.send(new ListImageScanFindingAggregationsCommand({ nextToken })),
    )
    t.true(e instanceof InvalidPaginationTokenException, `${e?.name}: ${e?.message}`)
  },
  { numRuns: 60 },
)

test('real tokens: replaying one gives the same page; with a changed character, another caller, filter, operation or after expiry, refused', async (t) => {
  let clock = Date.now()
  const timed = await startServer({
    index,
    engineOptions: { keys: [key], pageSize: 100 },
    store,
    credentials,
    port: 0,
    logger: silentLogger,
    now: () => clock,
  })
  try {
    const a = client(timed.url, alice)
    const first = await a.send(new ListImageScanFindingAggregationsCommand({}))
    const token = first.nextToken as string
    const again = await a.send(new ListImageScanFindingAggregationsCommand({ nextToken: token }))
    const replayed = await a.send(new ListImageScanFindingAggregationsCommand({ nextToken: token }))
    t.deepEqual(replayed.responses, again.responses)
    const refused = async (send: Promise<unknown>) => {
      const e = await t.throwsAsync(send)
      t.true(e instanceof InvalidPaginationTokenException, `${e?.name}: ${e?.message}`)
    }
    await fc.assert(
      fc.asyncProperty(fc.nat(token.length - 1), fc.constantFrom(...'AZaz09-_.=+/'), async (at, ch) => {
        fc.pre(token[at] !== ch)
        await refused(
          a.send(
            new ListImageScanFindingAggregationsCommand({
              nextToken: `${token.slice(0, at)}${ch}${token.slice(at + 1)}`,
            }),
          ),
        )
      }),
      { numRuns: 40 },
    )
    await refused(
      client(timed.url, bob).send(new ListImageScanFindingAggregationsCommand({ nextToken: token })),
    )
    await refused(
      a.send(
        new ListImageScanFindingAggregationsCommand({
          filter: { name: 'accountId', values: [accountOf(0)] },
          nextToken: token,
        }),
      ),
    )
    await refused(a.send(new ListImageScanFindingsCommand({ nextToken: token })))
    clock += 24 * 3600 * 1000 + 1000
    // The SDK signs with the real clock; the server's clock has moved a day, so sign as it sees time.
    const late = client(timed.url, alice, { systemClockOffset: clock - Date.now() })
    const e = await t.throwsAsync(
      late.send(new ListImageScanFindingAggregationsCommand({ nextToken: token })),
    )
    t.true(e instanceof InvalidPaginationTokenException)
    t.regex(e?.message ?? '', /expired/)
  } finally {
    await timed.close()
  }
})

// -------------------------------------------------------------------------------------
// signatures and clocks
// -------------------------------------------------------------------------------------

const forgeries: ReadonlyArray<{
  readonly name: string
  readonly forge: (r: ReturnType<typeof signed>, n: number) => ReturnType<typeof signed>
}> = [
  {
    name: 'random signature',
    forge: (r, n) => ({
      ...r,
      headers: r.headers.map(([k, v]) =>
        k === 'authorization'
          ? [
              k,
              v.replace(/Signature=[0-9a-f]{64}/, `Signature=${(n.toString(16).padStart(8, '0')).repeat(8)}`),
            ]
          : [k, v],
      ),
    }),
  },
  {
    name: 'body changed after signing',
    forge: (r, n) => ({
      ...r,
      body: Buffer.from(
        JSON.stringify({ filter: { name: 'accountId', values: [accountOf(2000 + (n % 1000))] } }),
      ),
    }),
  },
  {
    name: 'path changed after signing',
    forge: (r) => ({ ...r, path: '/ListImageScanFindings' }),
  },
  {
    name: "bob's secret under alice's key id",
    forge: (r) => ({
      ...signed(server.port, { ...alice, secretAccessKey: bob.secretAccessKey }, { body: r.body }),
    }),
  },
  {
    name: 'a signed header dropped',
    forge: (r) => ({ ...r, headers: r.headers.filter(([k]) => k !== 'content-type') }),
  },
  {
    name: 'another service in the scope',
    forge: (r) => ({
      ...r,
      headers: r.headers.map(([k, v]) =>
        k === 'authorization' ? [k, v.replace('/imagebuilder/', '/inspector2/')] : [k, v],
      ),
    }),
  },
  {
    name: 'upper-case signature',
    forge: (r) => ({
      ...r,
      headers: r.headers.map(([k, v]) =>
        k === 'authorization'
          ? [k, v.replace(/Signature=([0-9a-f]{64})/, (_, s: string) => `Signature=${s.toUpperCase()}`)]
          : [k, v],
      ),
    }),
  },
]

testProp(
  'signatures of valid structure that do not verify are InvalidSignatureException',
  [fc.nat(), fc.constantFrom(...forgeries), validBodyArb],
  async (t, n, forgery, body) => {
    const request = signed(server.port, alice, { body: Buffer.from(JSON.stringify(body)) })
    const r = await exchange(forgery.forge(request, n))
    assertClientAnswer(t, r)
    t.is(r.status, 403, forgery.name)
    t.is(r.headers.get('x-amzn-errortype'), 'InvalidSignatureException', forgery.name)
  },
  { numRuns: 60 },
)

testProp(
  'clock skew: under 5 minutes either way is accepted, beyond it is InvalidSignatureException',
  [
    fc.oneof(
      fc.integer({ min: -(5 * 60 - 15) * 1000, max: (5 * 60 - 15) * 1000 }),
      fc.integer({ min: (5 * 60 + 15) * 1000, max: 48 * 3600 * 1000 }),
      fc.integer({ min: -48 * 3600 * 1000, max: -(5 * 60 + 15) * 1000 }),
    ),
  ],
  async (t, skewMs) => {
    const r = await exchange(signed(server.port, alice, { body: Buffer.from('{}'), skewMs }))
    assertClientAnswer(t, r, true)
    t.is(r.status, Math.abs(skewMs) < 5 * 60 * 1000 ? 200 : 403)
    if (r.status === 403) t.is(r.headers.get('x-amzn-errortype'), 'InvalidSignatureException')
  },
  { numRuns: 40 },
)

test('the SDK with a skewed clock and no retries is refused past 5 minutes and accepted within', async (t) => {
  const ok = await client(server.url, alice, { systemClockOffset: 4 * 60_000 }).send(
    new ListImageScanFindingAggregationsCommand({}),
  )
  t.is(ok.$metadata.httpStatusCode, 200)
  for (const offset of [6 * 60_000, -6 * 60_000]) {
    const e = await t.throwsAsync(
      client(server.url, alice, { systemClockOffset: offset }).send(
        new ListImageScanFindingAggregationsCommand({}),
      ),
    )
    t.is(e?.name, 'InvalidSignatureException')
    t.regex(e?.message ?? '', offset > 0 ? /^Signature not yet current: / : /^Signature expired: /)
  }
})

// -------------------------------------------------------------------------------------
// slow clients
// -------------------------------------------------------------------------------------

test('requests that trickle in are cut off by the timeouts with a named error, while others are served', async (t) => {
  const slow = await startServer({
    engine,
    store,
    credentials,
    port: 0,
    logger: silentLogger,
    headersTimeout: 300,
    requestTimeout: 600,
  })
  try {
    const request = frame(
      signed(slow.port, alice, {
        body: Buffer.from('{"filter":{"name":"accountId","values":["100000000001"]}}'),
      }),
    )
    const headEnd = request.indexOf('\r\n\r\n') + 4
    // The head one byte every 50 ms: past the header timeout long before it is complete.
    const head = Array.from(request.subarray(0, headEnd)).flatMap((b) => [Buffer.from([b]), { pauseMs: 50 }])
    // The head at once, then the body one byte every 100 ms: past the request timeout.
    const body = [
      request.subarray(0, headEnd),
      ...Array.from(request.subarray(headEnd)).flatMap((b) => [Buffer.from([b]), { pauseMs: 100 }]),
    ]
    // Connects and sends nothing at all.
    const silent: ReadonlyArray<{ pauseMs: number }> = [{ pauseMs: 10_000 }]
    // The limit is generous: it only ends an exchange the server never answered, and a loaded
    // machine can delay the server's timeout checks by seconds.
    const slowOnes = [
      ...Array.from({ length: 20 }, () => head),
      ...Array.from({ length: 20 }, () => body),
      silent,
    ].map((writes) => rawExchange(slow.port, writes, 20_000))
    // Meanwhile a well-behaved client is answered.
    const meanwhile = await client(slow.url, alice).send(new ListImageScanFindingAggregationsCommand({}))
    t.is(meanwhile.responses?.length, 100)
    for (const r of await Promise.all(slowOnes)) {
      t.not(r.status, -1, 'the server closed the connection')
      if (r.status !== 0) {
        assertClientAnswer(t, r)
        t.is(r.status, 408)
      }
    }
  } finally {
    await slow.close()
  }
})
