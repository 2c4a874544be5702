import { connect } from 'node:net'
import {
  CallRateLimitExceededException,
  ForbiddenException,
  type ImagebuilderClient,
  ImagebuilderServiceException,
  InvalidPaginationTokenException,
  InvalidRequestException,
  ListImageScanFindingAggregationsCommand,
  type ListImageScanFindingAggregationsCommandInput,
  ListImageScanFindingsCommand,
  type ListImageScanFindingsCommandInput,
  paginateListImageScanFindingAggregations,
  paginateListImageScanFindings,
  ServiceException,
} from '@aws-sdk/client-imagebuilder'
import {
  allGroups,
  type Caller,
  type Engine,
  listImageScanFindingAggregations,
  listImageScanFindings,
  makeEngine,
  type ScanFindingStore,
} from '@scantally/core'
import {
  aggregationMember,
  fromAwsRequest,
  imageScanFindingAt,
  toSeverityCounts,
} from '@scantally/core/internal'
import { testKey } from '@scantally/core/testing'
import test, { type ExecutionContext } from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import { silentLogger } from './Logger.js'
import { isLoopback, type RunningServer, startServer } from './Server.js'
import {
  accountOf,
  asFetchRequest,
  client,
  credentials,
  dataset,
  recordingLogger,
  replay,
  signedBySdk,
  summary,
  wireForm,
} from './test/harness.js'
import { defaultMaxBodyBytes } from './Wire.js'

const { records, index, store } = dataset(9000)
const alice = credentials[0] as (typeof credentials)[number]
const bob = credentials[1] as (typeof credentials)[number]
const aliceCaller: Caller = { id: alice.accessKeyId, accounts: alice.accountIds }
const pageSize = 50
const engineOf = (): Engine => makeEngine(index, { keys: [testKey(3)], pageSize })

// One authenticated and one open server for the whole file; others where a test needs its own.
let secured: RunningServer
let open: RunningServer
test.before(async () => {
  secured = await startServer({ engine: engineOf(), store, credentials, port: 0, logger: silentLogger })
  open = await startServer({ engine: engineOf(), store, port: 0, logger: silentLogger })
})
test.after.always(async () => {
  await secured?.close()
  await open?.close()
})

type SdkErrorClass = abstract new (...args: never[]) => Error
const rejectsAs = async (
  t: ExecutionContext,
  sending: Promise<unknown>,
  type: SdkErrorClass,
  status: number,
  message: string | RegExp,
) => {
  const e = await t.throwsAsync(sending)
  t.true(e instanceof type, `${e?.name} is not ${type.name}`)
  t.is(e?.name, type.name)
  t.is((e as Error & { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, status)
  if (typeof message === 'string') t.is(e?.message, message)
  else t.regex(e?.message ?? '', message)
}

// What core answers for the same body and caller: the message the SDK must surface.
const coreMessage = (engine: Engine, body: unknown, caller: Caller = aliceCaller) => {
  const r = listImageScanFindingAggregations(engine, caller)(body)
  return Either.isLeft(r) ? r.left.message : 'no error'
}

const aggregationsFromCore = (
  engine: Engine,
  input: ListImageScanFindingAggregationsCommandInput,
  caller?: Caller,
) => {
  const query = fromAwsRequest(input as Parameters<typeof fromAwsRequest>[0], 1000)
  const groups = allGroups(engine, query, caller)
  if (Either.isLeft(groups)) throw new Error(groups.left.message)
  const member = aggregationMember[query.groupBy]
  return groups.right.map((g) => ({
    [member]: { [query.groupBy]: g.key, severityCounts: toSeverityCounts(g.counts) },
  }))
}

const pageThroughAggregations = async (
  c: ImagebuilderClient,
  input: ListImageScanFindingAggregationsCommandInput,
) => {
  const responses: unknown[] = []
  let pages = 0
  for await (const page of paginateListImageScanFindingAggregations({ client: c }, input)) {
    pages++
    responses.push(...(page.responses ?? []))
    if (page.nextToken !== undefined) t_assertNonEmpty(page.nextToken)
  }
  return { responses: wireForm(responses), pages }
}
const t_assertNonEmpty = (s: string) => {
  if (s === '') throw new Error('an empty nextToken was sent')
}

test('the SDK paginator pages through 3000 account groups; the union is what core computes', async (t) => {
  const { responses, pages } = await pageThroughAggregations(client(open.url), {})
  const expected = aggregationsFromCore(engineOf(), {})
  t.is(expected.length, 3000)
  t.is(pages, 3000 / pageSize)
  t.deepEqual(responses, expected)
})

test('a signed caller pages through only its own 2000 accounts', async (t) => {
  const { responses, pages } = await pageThroughAggregations(client(secured.url), {})
  const expected = aggregationsFromCore(engineOf(), {}, aliceCaller)
  t.is(expected.length, 2000)
  t.is(pages, 2000 / pageSize)
  t.deepEqual(responses, expected)
})

test('filtered answers page through the SDK and equal core, for every filter name', async (t) => {
  const c = client(secured.url)
  const values = {
    accountId: [accountOf(5), accountOf(1999), accountOf(2500), accountOf(77)],
    imageBuildVersionArn: Array.from(
      { length: 10 },
      (_, i) => `arn:aws:imagebuilder:us-east-1:111111111111:image/img${i * 3}/1.0.${(i * 3) % 4}/1`,
    ),
    imagePipelineArn: Array.from(
      { length: 10 },
      (_, i) => `arn:aws:imagebuilder:us-east-1:111111111111:image-pipeline/p${i}`,
    ),
    vulnerabilityId: ['CVE-2024-00001', 'CVE-2024-02999', 'CVE-2024-99999', 'CVE-2024-01000'],
  }
  const small = makeEngine(index, { keys: [testKey(3)], pageSize: 3 })
  const server = await startServer({ engine: small, credentials, port: 0, logger: silentLogger })
  try {
    for (const [name, vs] of Object.entries(values)) {
      const input = { filter: { name, values: vs } }
      if (name === 'accountId') {
        // accountOf(2500) is bob's: alice may not name it.
        await rejectsAs(
          t,
          c.send(new ListImageScanFindingAggregationsCommand(input)),
          ForbiddenException,
          403,
          coreMessage(small, input),
        )
        continue
      }
      const { responses } = await pageThroughAggregations(client(server.url), input)
      t.deepEqual(responses, aggregationsFromCore(small, input, aliceCaller), name)
    }
  } finally {
    await server.close()
  }
})

const expectedFindings = (caller: Caller, input: ListImageScanFindingsCommandInput) => {
  const visible = new Set(caller.accounts)
  const f = input.filters?.[0]
  const keyOf = (r: Record<string, unknown>) =>
    f?.name === 'vulnerabilityId'
      ? (r.packageVulnerabilityDetails as { vulnerabilityId: string }).vulnerabilityId
      : r[f?.name ?? '']
  return records
    .map((r, i) => [r, i] as const)
    .filter(([r]) => visible.has(r.awsAccountId as string) && (f === undefined || keyOf(r) === f.values?.[0]))
    .map(([, i]) => i)
}

test("the SDK paginator pages through ListImageScanFindings with maxResults 1 to 25; the union is the caller's findings", async (t) => {
  const c = client(secured.url)
  const cases: ReadonlyArray<readonly [number, ListImageScanFindingsCommandInput]> = [
    [25, {}],
    [
      7,
      {
        filters: [
          {
            name: 'imagePipelineArn',
            values: ['arn:aws:imagebuilder:us-east-1:111111111111:image-pipeline/p3'],
          },
        ],
      },
    ],
    [13, { filters: [{ name: 'severity', values: ['CRITICAL'] }] }],
    [1, { filters: [{ name: 'vulnerabilityId', values: ['CVE-2024-00042'] }] }],
    [
      2,
      {
        filters: [
          {
            name: 'imageBuildVersionArn',
            values: ['arn:aws:imagebuilder:us-east-1:111111111111:image/img9/1.0.1/1'],
          },
        ],
      },
    ],
  ]
  for (const [maxResults, input] of cases) {
    const found: unknown[] = []
    let pages = 0
    for await (const page of paginateListImageScanFindings({ client: c, pageSize: maxResults }, input)) {
      pages++
      t.true((page.findings ?? []).length <= maxResults)
      found.push(...(page.findings ?? []))
    }
    const expected = expectedFindings(aliceCaller, input)
    t.true(expected.length > 0)
    t.is(pages, Math.ceil(expected.length / maxResults), `maxResults ${maxResults}`)
    t.deepEqual(
      wireForm(found),
      expected.map((i) => imageScanFindingAt(store, i)),
      `maxResults ${maxResults}`,
    )
  }
})

test('ListImageScanFindings carries the descriptive members and epoch-second timestamps through the SDK', async (t) => {
  const out = await client(open.url).send(new ListImageScanFindingsCommand({ maxResults: 1 }))
  const first = out.findings?.[0]
  t.true(first?.firstObservedAt instanceof Date)
  t.is(first?.firstObservedAt?.getTime(), 1_700_000_000_000)
  t.is(first?.updatedAt?.toISOString(), '2024-09-04T16:59:44.000Z')
  t.is(first?.title, 'CVE-2024-00000 - openssl')
  t.deepEqual(first?.packageVulnerabilityDetails?.vulnerablePackages, [
    { name: 'openssl', version: '3.0.1', epoch: 0 },
  ])
  t.is(out.$metadata.requestId, out.requestId)
})

test("validation errors arrive as InvalidRequestException with core's message", async (t) => {
  const c = client(secured.url)
  const engine = engineOf()
  const badName = { filter: { name: 'accountID', values: ['x'] } }
  const eleven = {
    filter: { name: 'vulnerabilityId', values: Array.from({ length: 11 }, (_, i) => `CVE-${i}`) },
  }
  await rejectsAs(
    t,
    c.send(new ListImageScanFindingAggregationsCommand(badName)),
    InvalidRequestException,
    400,
    coreMessage(engine, badName),
  )
  await rejectsAs(
    t,
    c.send(new ListImageScanFindingAggregationsCommand(eleven)),
    InvalidRequestException,
    400,
    'filter.values must hold 1 to 10 items, got 11',
  )
  t.is(coreMessage(engine, eleven), 'filter.values must hold 1 to 10 items, got 11')
  await rejectsAs(
    t,
    c.send(new ListImageScanFindingsCommand({ filters: [{ name: 'accountId', values: ['111111111111'] }] })),
    InvalidRequestException,
    400,
    /^filters\[0\]\.name must be one of imageBuildVersionArn, imagePipelineArn, vulnerabilityId, severity/,
  )
  await rejectsAs(
    t,
    c.send(new ListImageScanFindingsCommand({ maxResults: 26 })),
    InvalidRequestException,
    400,
    'maxResults must be an integer from 1 to 25, got 26',
  )
  await rejectsAs(
    t,
    c.send(new ListImageScanFindingsCommand({ filters: [{ name: 'severity', values: ['critical'] }] })),
    InvalidRequestException,
    400,
    /severity filter, got "critical"/,
  )
  await rejectsAs(
    t,
    c.send(new ListImageScanFindingsCommand({ filters: [{ name: 'severity', values: ['HIGH', 'LOW'] }] })),
    InvalidRequestException,
    400,
    'filters[0].values must hold 1 to 1 items, got 2',
  )
})

test('pagination token errors arrive as InvalidPaginationTokenException: tampered, another filter, another operation, another caller', async (t) => {
  const c = client(secured.url)
  const engine = engineOf()
  const first = await c.send(new ListImageScanFindingAggregationsCommand({}))
  const token = first.nextToken as string
  t.is(typeof token, 'string')
  const parts = token.split('.')
  const sig = parts[3] as string
  const flipped = `${sig.slice(0, 5)}${sig[5] === 'A' ? 'B' : 'A'}${sig.slice(6)}`
  const tampered = { nextToken: [parts[0], parts[1], parts[2], flipped].join('.') }
  await rejectsAs(
    t,
    c.send(new ListImageScanFindingAggregationsCommand(tampered)),
    InvalidPaginationTokenException,
    400,
    coreMessage(engine, tampered),
  )
  t.regex(coreMessage(engine, tampered), /altered/)
  const otherFilter = { filter: { name: 'vulnerabilityId', values: ['CVE-2024-00001'] }, nextToken: token }
  await rejectsAs(
    t,
    c.send(new ListImageScanFindingAggregationsCommand(otherFilter)),
    InvalidPaginationTokenException,
    400,
    coreMessage(engine, otherFilter),
  )
  t.regex(
    coreMessage(engine, otherFilter),
    /different request or caller: the grouping \(groupBy\) and the filter differ/,
  )
  await rejectsAs(
    t,
    c.send(new ListImageScanFindingsCommand({ nextToken: token })),
    InvalidPaginationTokenException,
    400,
    'nextToken was issued for a different request or caller: the operation differs; start again without it',
  )
  await rejectsAs(
    t,
    client(secured.url, bob).send(new ListImageScanFindingAggregationsCommand({ nextToken: token })),
    InvalidPaginationTokenException,
    400,
    "nextToken was issued for a different request or caller: the caller (the identity the token was issued to) and the caller's account scope differ; start again without it",
  )
  const findingsPage = await c.send(new ListImageScanFindingsCommand({ maxResults: 5 }))
  await rejectsAs(
    t,
    c.send(new ListImageScanFindingsCommand({ maxResults: 6, nextToken: findingsPage.nextToken as string })),
    InvalidPaginationTokenException,
    400,
    'nextToken was issued for a different request or caller: the page size (maxResults) differs; start again without it',
  )
})

// Authentication's AWS names (UnrecognizedClient, InvalidSignature, MissingAuthenticationToken,
// the skewed clock) are tested row by row in AwsWire.test.ts; ForbiddenException stays for what the
// model means by it.
test("ForbiddenException is the model's: a filter on an account the caller may not see", async (t) => {
  const otherAccount = { filter: { name: 'accountId', values: [accountOf(0), accountOf(2001)] } }
  await rejectsAs(
    t,
    client(secured.url).send(new ListImageScanFindingAggregationsCommand(otherAccount)),
    ForbiddenException,
    403,
    `filter names account ${accountOf(2001)}, which this caller may not see`,
  )
  t.is(
    coreMessage(engineOf(), otherAccount),
    `filter names account ${accountOf(2001)}, which this caller may not see`,
  )
})

test('a caller over its rate gets CallRateLimitExceededException until its bucket refills; others are not affected', async (t) => {
  let clock = Date.now()
  const limited = await startServer({
    index,
    credentials,
    rateLimit: { perSecond: 2, burst: 3 },
    now: () => clock,
    port: 0,
    logger: silentLogger,
  })
  try {
    const c = client(limited.url)
    const send = () =>
      c.send(
        new ListImageScanFindingAggregationsCommand({
          filter: { name: 'accountId', values: [accountOf(1)] },
        }),
      )
    for (let i = 0; i < 3; i++) await send()
    await rejectsAs(
      t,
      send(),
      CallRateLimitExceededException,
      429,
      'caller AKIDALICE is over its rate of 2 requests per second',
    )
    await client(limited.url, bob).send(new ListImageScanFindingAggregationsCommand({}))
    clock += 500
    await t.notThrowsAsync(send())
    await rejectsAs(t, send(), CallRateLimitExceededException, 429, /over its rate/)
  } finally {
    await limited.close()
  }
})

const mutatingClient = (
  endpoint: string,
  mutate: (request: { headers: Record<string, string>; body: unknown }) => void,
) => {
  const c = client(endpoint)
  // Build step: after serialization, before signing, so the signature covers the change.
  c.middlewareStack.add(
    (next) => async (args) => {
      mutate(args.request as { headers: Record<string, string>; body: unknown })
      return next(args)
    },
    { step: 'build', priority: 'low' },
  )
  return c
}

test("body errors have the protocol's names: malformed JSON, wrong content type, oversized body", async (t) => {
  const malformed = mutatingClient(secured.url, (r) => {
    r.body = '{"filter": '
    r.headers['content-length'] = '11'
  })
  const named = async (sending: Promise<unknown>, name: string, status: number, message: string | RegExp) => {
    const e = await t.throwsAsync(sending)
    t.true(e instanceof ImagebuilderServiceException)
    t.is(e?.name, name)
    t.is((e as Error & { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, status)
    if (typeof message === 'string') t.is(e?.message, message)
    else t.regex(e?.message ?? '', message)
  }
  await named(
    malformed.send(new ListImageScanFindingAggregationsCommand({})),
    'SerializationException',
    400,
    /^request body is not valid JSON: /,
  )
  const textPlain = mutatingClient(secured.url, (r) => {
    r.headers['content-type'] = 'text/plain'
  })
  await named(
    textPlain.send(new ListImageScanFindingAggregationsCommand({})),
    'UnsupportedMediaTypeException',
    415,
    'content type must be application/json, got "text/plain"',
  )
  await named(
    client(secured.url).send(
      new ListImageScanFindingAggregationsCommand({ nextToken: 'x'.repeat(defaultMaxBodyBytes) }),
    ),
    'RequestEntityTooLargeException',
    413,
    `request body is larger than ${defaultMaxBodyBytes} bytes`,
  )
  const post = (body: string, contentType = 'application/json') =>
    fetch(`${open.url}/ListImageScanFindingAggregations`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    }).then(summary)
  const strip = ({ requestId, ...s }: Awaited<ReturnType<typeof summary>>) => {
    t.regex(requestId ?? '', /^[0-9a-f-]{36}$/)
    return s
  }
  t.deepEqual(strip(await post('{"filter": ')), {
    status: 400,
    errorType: 'SerializationException',
    body: { message: `request body is not valid JSON: ${jsonError('{"filter": ')}` },
  })
  t.deepEqual(strip(await post('{}', 'application/xml')), {
    status: 415,
    errorType: 'UnsupportedMediaTypeException',
    body: { message: 'content type must be application/json, got "application/xml"' },
  })
  t.deepEqual(strip(await post(' '.repeat(defaultMaxBodyBytes + 1))), {
    status: 413,
    errorType: 'RequestEntityTooLargeException',
    body: { message: `request body is larger than ${defaultMaxBodyBytes} bytes` },
  })
  // Far past the limit the server answers and closes without reading the rest.
  t.is(
    (await post(' '.repeat(20 * defaultMaxBodyBytes)).catch(() => ({ status: 'closed' }))).status === 200,
    false,
  )
  t.deepEqual(strip(await post('{}')).status, 200)
})

const jsonError = (text: string): string => {
  try {
    JSON.parse(text)
    return ''
  } catch (e) {
    return (e as Error).message
  }
}

// As Smithy's reference restJson1 server routes (smithy-rs,
// rust-runtime/aws-smithy-http-server/src/protocol/rest_json_1/router.rs): an unknown path is
// 404 UnknownOperationException; a known path with another method is 405.
test('unknown paths get 404 UnknownOperationException, other methods 405 with allow: POST, and the server keeps serving', async (t) => {
  for (const [method, path, status] of [
    ['POST', '/ListImageScanFindingsX', 404],
    ['GET', '/ListImageScanFindingAggregations', 405],
    ['PUT', '/ListImageScanFindings', 405],
    ['POST', '/', 404],
  ] as const) {
    const raw = await fetch(`${open.url}${path}`, { method, ...(method === 'GET' ? {} : { body: '{}' }) })
    const allow = raw.headers.get('allow')
    const r = await summary(raw)
    t.is(r.status, status)
    t.is(allow, status === 405 ? 'POST' : null)
    t.is(r.errorType, 'UnknownOperationException')
    const answers =
      'this service answers POST /ListImageScanFindingAggregations and POST /ListImageScanFindings'
    t.deepEqual(r.body, {
      message:
        status === 404
          ? `unknown operation ${method} ${path}: ${answers}`
          : `method ${method} not allowed on ${path}: ${answers}`,
    })
  }
  await t.notThrowsAsync(client(open.url).send(new ListImageScanFindingAggregationsCommand({})))
})

test('an unexpected failure answers ServiceException (500), is logged with its request id, and the server keeps serving', async (t) => {
  const logger = recordingLogger()
  const broken: ScanFindingStore = {
    ...store,
    details: new Proxy([], {
      get: () => {
        throw new Error('the disk is on fire')
      },
    }),
  }
  const server = await startServer({ engine: engineOf(), store: broken, port: 0, logger })
  try {
    const c = client(server.url)
    const e = await t.throwsAsync(c.send(new ListImageScanFindingsCommand({})))
    t.true(e instanceof ServiceException)
    const meta = (e as ServiceException).$metadata
    t.is(meta.httpStatusCode, 500)
    t.is(e?.message, `an unexpected error occurred (request id ${meta.requestId})`)
    t.true(logger.lines.some((l) => l.startsWith('error unexpected failure')))
    await t.notThrowsAsync(c.send(new ListImageScanFindingAggregationsCommand({})))
    const none = await c.send(
      new ListImageScanFindingsCommand({ filters: [{ name: 'vulnerabilityId', values: ['none'] }] }),
    )
    t.deepEqual(none.findings, [])
  } finally {
    await server.close()
  }
})

test('without a store ListImageScanFindings is refused with InvalidRequestException', async (t) => {
  const server = await startServer({ engine: engineOf(), port: 0, logger: silentLogger })
  try {
    await rejectsAs(
      t,
      client(server.url).send(new ListImageScanFindingsCommand({})),
      InvalidRequestException,
      400,
      'ListImageScanFindings is not served here: no finding store is configured',
    )
  } finally {
    await server.close()
  }
})

test('the fetch-style handler answers exactly as the listener does', async (t) => {
  // A fixed clock for tokens: their expiry would differ if the two answers straddled a second.
  const at = Date.now()
  const engine = makeEngine(index, {
    keys: [testKey(3)],
    pageSize,
    requestId: () => 'req-fixed',
    now: () => at,
  })
  const server = await startServer({ engine, store, credentials, port: 0, logger: silentLogger })
  try {
    const first = await client(server.url).send(new ListImageScanFindingAggregationsCommand({}))
    const signed = await Promise.all([
      signedBySdk(server.url, new ListImageScanFindingAggregationsCommand({})),
      signedBySdk(
        server.url,
        new ListImageScanFindingAggregationsCommand({ nextToken: first.nextToken as string }),
      ),
      signedBySdk(server.url, new ListImageScanFindingsCommand({ maxResults: 3 })),
      signedBySdk(
        server.url,
        new ListImageScanFindingsCommand({ filters: [{ name: 'severity', values: ['HIGH'] }] }),
      ),
      signedBySdk(
        server.url,
        new ListImageScanFindingAggregationsCommand({ filter: { name: 'x', values: [] } }),
      ),
      signedBySdk(server.url, new ListImageScanFindingAggregationsCommand({ nextToken: 'v1.x.y.z' })),
      signedBySdk(server.url, new ListImageScanFindingAggregationsCommand({}), {
        accessKeyId: alice.accessKeyId,
        secretAccessKey: 'no',
      }),
      signedBySdk(server.url, new ListImageScanFindingAggregationsCommand({ nextToken: 'x'.repeat(70_000) })),
    ])
    const headers = (extra: Record<string, string>) => new Map<string, string>(Object.entries(extra))
    const rawOnes = [
      {
        method: 'POST',
        target: '/ListImageScanFindings',
        headers: headers({ 'content-type': 'application/json' }),
        body: Buffer.from('{}'),
      },
      { method: 'GET', target: '/nowhere', headers: headers({}), body: new Uint8Array() },
    ].map((r) => ({ ...r, url: `${server.url}${r.target}` }))
    for (const request of [...signed, ...rawOnes]) {
      const viaSocket = await summary(await replay(request))
      const direct = await summary(await server.handler.fetch(asFetchRequest(request)))
      t.deepEqual(direct, viaSocket, request.target.slice(0, 60))
    }
    t.is((await summary(await replay(signed[0] as (typeof signed)[0]))).status, 200)
  } finally {
    await server.close()
  }
})

test('slow clients are cut off by the header timeout', async (t) => {
  const server = await startServer({
    index,
    port: 0,
    logger: silentLogger,
    headersTimeout: 200,
    requestTimeout: 400,
  })
  try {
    const started = Date.now()
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(server.port, '127.0.0.1', () =>
        socket.write('POST /ListImageScanFindings HTTP/1.1\r\nHost: x\r\n'),
      )
      let data = ''
      socket.on('data', (d) => {
        data += d.toString()
      })
      socket.on('close', () => resolve(data))
      socket.on('error', () => resolve(data))
    })
    t.true(Date.now() - started < 5_000)
    t.regex(answer, /^HTTP\/1\.1 408|^$/)
  } finally {
    await server.close()
  }
})

test('without credentials the server refuses a non-loopback host and says that authentication is off', async (t) => {
  await t.throwsAsync(startServer({ index, host: '0.0.0.0', port: 0, logger: silentLogger }), {
    message: /^refusing to listen on 0\.0\.0\.0 without credentials/,
  })
  const logger = recordingLogger()
  const server = await startServer({ index, port: 0, logger })
  await server.close()
  t.true(logger.lines.some((l) => /^warn authentication is off/.test(l)))
  t.true(logger.lines.some((l) => /^warn no pagination token key configured/.test(l)))
  t.true(server.url.startsWith('http://127.0.0.1:'))
})

test('loopback addresses are exactly localhost, 127.0.0.0/8 and ::1', (t) => {
  for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1'])
    t.true(isLoopback(h), h)
  for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.1', 'example.com', '128.0.0.1', '::2'])
    t.false(isLoopback(h), h)
})

test('the findings an operation lists equal the core listing for the same caller', (t) => {
  const r = listImageScanFindings(engineOf(), store, aliceCaller)({ maxResults: 25 })
  t.true(Either.isRight(r))
  if (Either.isRight(r))
    t.deepEqual(
      r.right.findings,
      expectedFindings(aliceCaller, {})
        .slice(0, 25)
        .map((i) => imageScanFindingAt(store, i)),
    )
})
