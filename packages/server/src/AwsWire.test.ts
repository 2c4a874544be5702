import {
  ImagebuilderServiceException,
  InvalidRequestException,
  ListImageScanFindingAggregationsCommand,
  ListImageScanFindingsCommand,
} from '@aws-sdk/client-imagebuilder'
import { makeEngine } from '@scantally/core'
import { testKey } from '@scantally/core/testing'
import test, { type ExecutionContext } from 'ava'
import { silentLogger } from './Logger.js'
import { type RunningServer, startServer } from './Server.js'
import { accountOf, client, credentials, dataset } from './test/harness.js'
import { frame, rawExchange, signed } from './test/raw.js'
import { defaultMaxBodyBytes } from './Wire.js'

// The AWS wire, row by row: each case answered as AWS answers it, through the real SDK client
// where the SDK can send it, and as a raw signed request where it cannot.

const { index, store } = dataset(600)
const alice = credentials[0] as (typeof credentials)[number]
let server: RunningServer
test.before(async () => {
  server = await startServer({
    engine: makeEngine(index, { keys: [testKey(5)], pageSize: 100 }),
    store,
    credentials,
    port: 0,
    logger: silentLogger,
  })
})
test.after.always(async () => {
  await server?.close()
})

type Sent = Promise<unknown>

/** The SDK's exception: its name, status and message, and that the answer had a Date header. */
const sdkError = async (t: ExecutionContext, sending: Sent) => {
  const e = (await t.throwsAsync(sending)) as Error & {
    $metadata: { httpStatusCode?: number; attempts?: number }
    $response?: { headers: Record<string, string> }
  }
  t.true(e instanceof ImagebuilderServiceException, `${e?.name} is the SDK's service exception`)
  t.false(Number.isNaN(Date.parse(e.$response?.headers.date ?? '')), 'the answer has a Date header')
  return { name: e.name, status: e.$metadata.httpStatusCode, message: e.message }
}

/** A raw signed request's answer: status, error type and message. */
const raw = async (request: Parameters<typeof signed>[2]) => {
  const r = await rawExchange(server.port, [frame(signed(server.port, alice, request))])
  return {
    status: r.status,
    name: r.headers.get('x-amzn-errortype'),
    message: (JSON.parse(r.body) as { message?: string }).message,
    date: r.headers.get('date'),
  }
}

const aggregations = (input: object = {}) => new ListImageScanFindingAggregationsCommand(input)

// A client whose request is changed after serialization and before signing, so the signature
// covers the change.
const changing = (mutate: (request: { headers: Record<string, string>; body: unknown }) => void) => {
  const c = client(server.url)
  c.middlewareStack.add(
    (next) => async (args) => {
      mutate(args.request as { headers: Record<string, string>; body: unknown })
      return next(args)
    },
    { step: 'build', priority: 'low' },
  )
  return c
}

const setBody = (text: string) => (r: { headers: Record<string, string>; body: unknown }) => {
  r.body = text
  r.headers['content-length'] = String(Buffer.byteLength(text))
}

// -------------------------------------------------------------------------------------
// the table of the issue, row by row
// -------------------------------------------------------------------------------------

test('unknown access key: 403 UnrecognizedClientException', async (t) => {
  t.deepEqual(
    await sdkError(
      t,
      client(server.url, { accessKeyId: 'AKIDMALLORY', secretAccessKey: 'x' }).send(aggregations()),
    ),
    {
      name: 'UnrecognizedClientException',
      status: 403,
      message: 'The security token included in the request is invalid.',
    },
  )
})

test('wrong secret: 403 InvalidSignatureException', async (t) => {
  t.deepEqual(
    await sdkError(
      t,
      client(server.url, { accessKeyId: alice.accessKeyId, secretAccessKey: 'wrong' }).send(aggregations()),
    ),
    {
      name: 'InvalidSignatureException',
      status: 403,
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    },
  )
})

test('client clock 10 minutes slow: InvalidSignatureException "Signature expired" with a Date header, and the SDK succeeds on its own retry', async (t) => {
  // Without retries the first answer shows: InvalidSignatureException, "Signature expired: …".
  const once = await sdkError(
    t,
    client(server.url, alice, { systemClockOffset: -600_000 }).send(aggregations()),
  )
  t.is(once.name, 'InvalidSignatureException')
  t.is(once.status, 403)
  t.regex(
    once.message,
    /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/,
  )
  // The SDK's standard retry: it reads the Date header, corrects its clock offset and retries.
  const slow = client(server.url, alice, { systemClockOffset: -600_000, maxAttempts: 3 })
  const ok = await slow.send(aggregations())
  t.is(ok.$metadata.httpStatusCode, 200)
  t.is(ok.$metadata.attempts, 2)
  t.true(Math.abs((await slow.config.systemClockOffset) ?? -600_000) < 5_000, 'the clock was corrected')
  // Corrected, the next call succeeds at once; ListImageScanFindings the same.
  const next = await slow.send(new ListImageScanFindingsCommand({ maxResults: 1 }))
  t.is(next.$metadata.attempts, 1)
})

// The SDK retries InvalidSignatureException at once only when its message says "Signature expired"
// (@smithy/core's isTransientError); for a clock ahead it still corrects its offset from the Date
// header, so the next call succeeds, as against AWS.
test('a client clock 10 minutes fast: "Signature not yet current", the SDK corrects its clock and the next call succeeds', async (t) => {
  const fast = client(server.url, alice, { systemClockOffset: 600_000, maxAttempts: 3 })
  const once = await sdkError(t, fast.send(aggregations()))
  t.is(once.name, 'InvalidSignatureException')
  t.regex(
    once.message,
    /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/,
  )
  t.true(Math.abs((await fast.config.systemClockOffset) ?? 600_000) < 5_000, 'the clock was corrected')
  const ok = await fast.send(aggregations())
  t.is(ok.$metadata.attempts, 1)
})

test('unsigned request: 403 MissingAuthenticationTokenException', async (t) => {
  const unsigned = client(server.url)
  unsigned.middlewareStack.add(
    (next) => async (args) => {
      delete (args.request as { headers: Record<string, string> }).headers.authorization
      return next(args)
    },
    { step: 'finalizeRequest', priority: 'low' },
  )
  t.deepEqual(await sdkError(t, unsigned.send(aggregations())), {
    name: 'MissingAuthenticationTokenException',
    status: 403,
    message: 'Request is missing Authentication Token',
  })
  const r = await fetch(`${server.url}/ListImageScanFindingAggregations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  })
  t.is(r.status, 403)
  t.is(r.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException')
  t.truthy(r.headers.get('date'))
})

test('a malformed Authorization header: 400 IncompleteSignatureException', async (t) => {
  for (const authorization of [
    'Bearer abc',
    'AWS4-HMAC-SHA256 Credential=AKIDALICE/20260101/us-east-1/imagebuilder/aws4_request',
    'AWS4-HMAC-SHA256 Credential=AKIDALICE/us-east-1/imagebuilder, SignedHeaders=host, Signature=' +
      '0'.repeat(64),
  ]) {
    const c = changing(() => undefined)
    c.middlewareStack.add(
      (next) => async (args) => {
        ;(args.request as { headers: Record<string, string> }).headers.authorization = authorization
        return next(args)
      },
      { step: 'finalizeRequest', priority: 'low' },
    )
    const e = await sdkError(t, c.send(aggregations()))
    t.is(e.name, 'IncompleteSignatureException', authorization)
    t.is(e.status, 400)
  }
})

test('body not valid JSON: 400 SerializationException', async (t) => {
  const e = await sdkError(t, changing(setBody('{"filter": ')).send(aggregations()))
  t.is(e.name, 'SerializationException')
  t.is(e.status, 400)
  t.regex(e.message, /^request body is not valid JSON: /)
})

test('body a JSON array or number (or null, or a string): 400 SerializationException', async (t) => {
  for (const [body, got] of [
    ['[{"filter": {}}]', 'an array'],
    ['10', 'a number'],
    ['null', 'null'],
    ['"{}"', 'a string'],
  ] as const)
    t.deepEqual(await sdkError(t, changing(setBody(body)).send(aggregations())), {
      name: 'SerializationException',
      status: 400,
      message: `request body must be a JSON object, got ${got}`,
    })
})

test('Content-Type: text/plain: 415 UnsupportedMediaTypeException', async (t) => {
  const e = await sdkError(
    t,
    changing((r) => {
      r.headers['content-type'] = 'text/plain'
    }).send(aggregations()),
  )
  t.deepEqual(e, {
    name: 'UnsupportedMediaTypeException',
    status: 415,
    message: 'content type must be application/json, got "text/plain"',
  })
})

test('a nextToken of 65,535 characters with a filter of ten 1,024-character values is checked as a token', async (t) => {
  const values = Array.from({ length: 10 }, (_, i) => `${'"'.repeat(1000)}${String(i).padStart(24, '0')}`)
  const input = { filter: { name: 'imageBuildVersionArn', values }, nextToken: 'x'.repeat(65_535) }
  const e = await t.throwsAsync(client(server.url).send(aggregations(input)))
  t.is(e?.name, 'InvalidPaginationTokenException')
  // The same request at its longest JSON: every token character escaped (6 bytes), still read.
  const escaped = `{"filter":${JSON.stringify(input.filter)},"nextToken":"${'\\u001f'.repeat(65_535)}"}`
  t.true(Buffer.byteLength(escaped) > 400_000)
  const r = await raw({ body: Buffer.from(escaped) })
  t.is(r.status, 400)
  t.is(r.name, 'InvalidPaginationTokenException')
  // One more character is the model's rule, not the size limit.
  const tooLong = await t.throwsAsync(
    client(server.url).send(aggregations({ nextToken: 'x'.repeat(65_536) })),
  )
  t.true(tooLong instanceof InvalidRequestException)
  // Past the limit: 413 RequestEntityTooLargeException.
  const over = await raw({ body: Buffer.from(`{"nextToken":"${'x'.repeat(defaultMaxBodyBytes)}"}`) })
  t.deepEqual(
    { status: over.status, name: over.name, message: over.message },
    {
      status: 413,
      name: 'RequestEntityTooLargeException',
      message: `request body is larger than ${defaultMaxBodyBytes} bytes`,
    },
  )
})

test("ForbiddenException keeps the model's meaning: a filter on an account the caller may not see", async (t) => {
  const e = await sdkError(
    t,
    client(server.url).send(aggregations({ filter: { name: 'accountId', values: [accountOf(2001)] } })),
  )
  t.is(e.name, 'ForbiddenException')
  t.is(e.status, 403)
})
