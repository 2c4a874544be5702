import { testEngine } from '@scantally/core/testing'
import test from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import { makeHandler } from './Handler.js'
import { silentLogger } from './Logger.js'
import { defaultMaxBodyBytes, parseJsonBody } from './Wire.js'

const request = (body: string, extra: Record<string, string> = {}) => ({
  method: 'POST',
  target: '/ListImageScanFindingAggregations',
  headers: new Map(Object.entries({ 'content-type': 'application/json', ...extra })),
  body: Buffer.from(body),
})

test('an open handler answers anyone as the anonymous caller, with the request id in header and body', (t) => {
  const handler = makeHandler({
    engine: testEngine([{ awsAccountId: '111111111111', severity: 'HIGH' } as never]),
    logger: silentLogger,
  })
  const r = handler.handle(request('{}'))
  t.is(r.status, 200)
  t.is(r.headers['x-amzn-requestid'], 'req-1')
  t.is(r.headers['content-type'], 'application/json')
  t.deepEqual(JSON.parse(r.body), {
    requestId: 'req-1',
    aggregationType: 'accountId',
    responses: [
      {
        accountAggregation: {
          accountId: '111111111111',
          severityCounts: { all: 1, critical: 0, high: 1, medium: 0 },
        },
      },
    ],
  })
  t.false(handler.authenticated)
})

test('a refused request carries retry-after, in whole seconds', (t) => {
  const handler = makeHandler({
    engine: testEngine([]),
    rateLimit: { perSecond: 0.5, burst: 1 },
    now: () => 0,
    logger: silentLogger,
  })
  t.is(handler.handle(request('{}')).status, 200)
  const refused = handler.handle(request('{}'))
  t.is(refused.status, 429)
  t.is(refused.headers['x-amzn-errortype'], 'CallRateLimitExceededException')
  t.is(refused.headers['retry-after'], '2')
})

test('credentials that cannot work are refused when the handler is made', (t) => {
  t.throws(
    () =>
      makeHandler({
        engine: testEngine([]),
        credentials: [{ accessKeyId: 'a/b', secretAccessKey: 's', accountIds: ['111111111111'] }],
      }),
    {
      instanceOf: TypeError,
      message: /^credentials\[0\]\.accessKeyId must be a string of 1 to 128 characters/,
    },
  )
  t.throws(
    () =>
      makeHandler({
        engine: testEngine([]),
        credentials: [
          { accessKeyId: 'A', secretAccessKey: 's', accountIds: ['111111111111'] },
          { accessKeyId: 'A', secretAccessKey: 't', accountIds: ['111111111111'] },
        ],
      }),
    { message: 'credentials repeat access key id A' },
  )
})

test('bodies: empty is {}; not UTF-8 or not a JSON object is SerializationException, another media type UnsupportedMediaTypeException, too large RequestEntityTooLargeException', (t) => {
  const message = (contentType: string | undefined, body: Uint8Array | 'tooLarge') =>
    Either.match(
      (e: { name: string; message: string }) => `${e.name}: ${e.message}`,
      (u) => JSON.stringify(u),
    )(parseJsonBody(contentType, body))
  t.deepEqual(
    [
      message(undefined, new Uint8Array()),
      message('application/json; charset=utf-8', Buffer.from('{"a":1}')),
      message('Application/JSON', Buffer.from('{}')),
      message('Application/JSON', Buffer.from('[]')),
      message('application/json', Buffer.from('null')),
      message('application/json', Buffer.from('10')),
      message('application/json', Buffer.from('"x"')),
      message('application/json', Buffer.from('{"a":1,}')),
      message('application/json', Buffer.from([0x7b, 0xff, 0x7d])),
      message(undefined, Buffer.from('{}')),
      message('application/json', 'tooLarge'),
    ],
    [
      '{}',
      '{"a":1}',
      '{}',
      'SerializationException: request body must be a JSON object, got an array',
      'SerializationException: request body must be a JSON object, got null',
      'SerializationException: request body must be a JSON object, got a number',
      'SerializationException: request body must be a JSON object, got a string',
      `SerializationException: request body is not valid JSON: ${jsonError('{"a":1,}')}`,
      'SerializationException: request body is not valid UTF-8',
      'UnsupportedMediaTypeException: content type must be application/json, got none',
      `RequestEntityTooLargeException: request body is larger than ${defaultMaxBodyBytes} bytes`,
    ],
  )
})

const jsonError = (text: string): string => {
  try {
    JSON.parse(text)
    return ''
  } catch (e) {
    return (e as Error).message
  }
}

test('the Date header follows the clock from one second to the next, and back', (t) => {
  let now = Date.UTC(2026, 0, 2, 3, 4, 5)
  const handler = makeHandler({
    engine: testEngine([{ awsAccountId: '111111111111', severity: 'HIGH' } as never]),
    logger: silentLogger,
    now: () => now,
  })
  const dateAt = (ms: number) => {
    now = ms
    return handler.handle(request('{}')).headers.date
  }
  const start = Date.UTC(2026, 0, 2, 3, 4, 5)
  t.deepEqual(
    [start, start + 999, start + 1000, Date.UTC(2027, 11, 31, 23, 59, 59, 500), start].map(dateAt),
    [
      'Fri, 02 Jan 2026 03:04:05 GMT',
      'Fri, 02 Jan 2026 03:04:05 GMT',
      'Fri, 02 Jan 2026 03:04:06 GMT',
      'Fri, 31 Dec 2027 23:59:59 GMT',
      'Fri, 02 Jan 2026 03:04:05 GMT',
    ],
  )
})

test('every answer carries a Date header of the server clock, errors included', (t) => {
  const now = Date.UTC(2026, 0, 2, 3, 4, 5)
  const handler = makeHandler({
    engine: testEngine([{ awsAccountId: '111111111111', severity: 'HIGH' } as never]),
    credentials: [{ accessKeyId: 'A', secretAccessKey: 's', accountIds: ['111111111111'] }],
    logger: silentLogger,
    now: () => now,
  })
  const answers = [
    handler.handle(request('{}')),
    handler.handle({ ...request('{}'), target: '/Nothing' }),
    handler.handle({ ...request('{}'), body: 'tooLarge' }),
  ]
  t.deepEqual(
    answers.map((r) => [r.status, r.headers['x-amzn-errortype'], r.headers.date]),
    [
      [403, 'MissingAuthenticationTokenException', 'Fri, 02 Jan 2026 03:04:05 GMT'],
      [404, 'UnknownOperationException', 'Fri, 02 Jan 2026 03:04:05 GMT'],
      [413, 'RequestEntityTooLargeException', 'Fri, 02 Jan 2026 03:04:05 GMT'],
    ],
  )
})

test('the default body limit is the largest valid request rounded up to a KiB', (t) => {
  // {"filter":{"name":"imageBuildVersionArn","values":[ ten values ]},"nextToken": token }
  // with every character in its longest JSON form: \" (2 bytes) in a value, \u001f (6) in the token.
  const value = `"${'\\"'.repeat(1024)}"`
  const token = `"${'\\u001f'.repeat(65_535)}"`
  const body = `{"filter":{"name":"imageBuildVersionArn","values":[${Array(10).fill(value).join(',')}]},"nextToken":${token}}`
  t.is(JSON.parse(body).nextToken.length, 65_535)
  t.is(Buffer.byteLength(body), 413_788)
  t.is(defaultMaxBodyBytes, 405 * 1024)
})
