import { testEngine } from '@scantally/core/testing'
import test from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import { makeHandler } from './Handler.js'
import { silentLogger } from './Logger.js'
import { parseJsonBody } from './Wire.js'

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

test('bodies: empty is {}, and invalid UTF-8, invalid JSON or another media type are ClientException', (t) => {
  const message = (contentType: string | undefined, body: Uint8Array | 'tooLarge') =>
    Either.match(
      (e: { name: string; message: string }) => `${e.name}: ${e.message}`,
      (u) => JSON.stringify(u),
    )(parseJsonBody(contentType, body))
  t.deepEqual(
    [
      message(undefined, new Uint8Array()),
      message('application/json; charset=utf-8', Buffer.from('{"a":1}')),
      message('Application/JSON', Buffer.from('[]')),
      message('application/json', Buffer.from([0x7b, 0xff, 0x7d])),
      message(undefined, Buffer.from('{}')),
      message('application/json', 'tooLarge'),
    ],
    [
      '{}',
      '{"a":1}',
      '[]',
      'ClientException: request body is not valid UTF-8',
      'ClientException: content type must be application/json, got none',
      'ClientException: request body is larger than 65536 bytes',
    ],
  )
})
