import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ImagebuilderClient } from '@aws-sdk/client-imagebuilder'
import { Inspector2Client } from '@aws-sdk/client-inspector2'
import { ConfiguredRetryStrategy } from '@smithy/core/retry'
import test from 'ava'
import * as E from 'fp-ts/lib/Either.js'
import { boundedClientConfig, collectInspectorFindings } from './InspectorSource.js'

// Faults of the services a live read depends on: every one ends the read as a whole with
// ServiceUnavailableException (no value at all), never as counts of the pages that worked.

type Answer =
  | { readonly status: number; readonly errorType?: string; readonly body: string }
  | 'drop'
  | 'truncated'
  | 'stall'

interface Route {
  readonly list: (request: number, input: { nextToken?: string; maxResults?: number }) => Answer
  readonly getImage: (request: number, arn: string) => Answer
}

const build = 'arn:aws:imagebuilder:us-east-1:111111111111:image/web/1.0.0/1'
const finding = (i: number) => ({
  findingArn: `arn:aws:inspector2:us-east-1:111111111111:finding/${i}`,
  awsAccountId: '111111111111',
  severity: 'HIGH',
  status: 'ACTIVE',
  resources: [{ type: 'AWS_EC2_INSTANCE', id: 'i-1', tags: { Ec2ImageBuilderArn: build } }],
  packageVulnerabilityDetails: { vulnerabilityId: `CVE-2024-${i}`, source: 'NVD' },
})
const ok = (body: unknown): Answer => ({ status: 200, body: JSON.stringify(body) })
/** 30 findings in pages of 10, tokens "10" and "20". */
const pageOf = (input: { nextToken?: string }): Answer => {
  const start = Number(input.nextToken ?? 0)
  return ok({
    findings: Array.from({ length: 10 }, (_, i) => finding(start + i)),
    ...(start + 10 < 30 ? { nextToken: String(start + 10) } : {}),
  })
}
const image = (arn: string): Answer =>
  ok({
    requestId: 'r',
    image: { arn, sourcePipelineArn: 'arn:aws:imagebuilder:us-east-1:111111111111:image-pipeline/web' },
  })

const standIn = async (route: Route) => {
  let lists = 0
  let images = 0
  const answer = (res: ServerResponse, a: Answer) => {
    if (a === 'drop') {
      res.destroy()
      return
    }
    // Headers and then nothing, never closing: only a client-side time limit ends the wait.
    if (a === 'stall') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"findings":[')
      return
    }
    if (a === 'truncated') {
      // A complete-looking response whose body stops short of its declared length.
      const body = JSON.stringify({ findings: [finding(0), finding(1)] })
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) })
      res.write(body.slice(0, 40))
      setTimeout(() => res.destroy(), 5)
      return
    }
    res.writeHead(a.status, {
      'content-type': 'application/json',
      ...(a.errorType === undefined ? {} : { 'x-amzn-errortype': a.errorType }),
    })
    res.end(a.body)
  }
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x')
      const text = Buffer.concat(chunks).toString('utf8')
      answer(
        res,
        url.pathname === '/findings/list'
          ? route.list(++lists, JSON.parse(text === '' ? '{}' : text))
          : url.pathname === '/GetImage'
            ? route.getImage(++images, url.searchParams.get('imageBuildVersionArn') ?? '')
            : { status: 404, errorType: 'ResourceNotFoundException', body: '{"message":"no route"}' },
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => ({ lists, images }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

const clientsOf = (endpoint: string) => {
  const common = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    // The SDK's standard strategy (3 attempts), with millisecond delays so tests are quick.
    retryStrategy: new ConfiguredRetryStrategy(3, 1),
  }
  return { inspector: new Inspector2Client(common), imagebuilder: new ImagebuilderClient(common) }
}

const failsWhole = async (route: Route) => {
  const server = await standIn(route)
  try {
    const read = await collectInspectorFindings({ ...clientsOf(server.endpoint), pageSize: 10 })()
    return { read, requests: server.requests() }
  } finally {
    await server.close()
  }
}

const unavailable = {
  _tag: 'ServiceUnavailableException',
  httpStatus: 503,
  fault: 'server',
  retryable: true,
} as const

const throttled: Answer = {
  status: 429,
  errorType: 'ThrottlingException',
  body: '{"message":"Rate exceeded"}',
}
const internal: Answer = { status: 500, errorType: 'InternalServerException', body: '{"message":"boom"}' }

test('ListFindings throttled past the retries is ServiceUnavailableException after the SDK gave up', async (t) => {
  const { read, requests } = await failsWhole({
    list: (n, input) => (n === 1 ? pageOf(input) : throttled),
    getImage: (_, arn) => image(arn),
  })
  if (E.isRight(read)) return t.fail(`${read.right.value.length} findings`)
  t.like(read.left, unavailable)
  t.regex(read.left.message, /ThrottlingException.*HTTP 429, after 3 attempts/)
  t.is(requests.lists, 1 + 3)
})

for (const [what, fault] of [
  ['failing with 500s past the retries', internal],
  ['throttled past the retries', throttled],
  ['dropping the connection', 'drop'],
] as const)
  test(`GetImage ${what} fails the read: a pipeline is never silently left out`, async (t) => {
    const { read, requests } = await failsWhole({ list: (_, input) => pageOf(input), getImage: () => fault })
    if (E.isRight(read)) return t.fail(`${read.right.value.length} findings`)
    t.like(read.left, unavailable)
    t.true(requests.images >= 1)
  })

test('a page whose body stops short of its length fails the read', async (t) => {
  const { read } = await failsWhole({
    list: (n, input) => (n === 1 ? pageOf(input) : 'truncated'),
    getImage: (_, arn) => image(arn),
  })
  if (E.isRight(read)) return t.fail(`${read.right.value.length} findings`)
  t.like(read.left, unavailable)
})

for (const [what, body] of [
  ['is not JSON', '{"findings":[{"findingArn":'],
  ['holds findings that are not a list', '{"findings":{"a":1}}'],
  ['holds a finding that is not an object', '{"findings":[42]}'],
] as const)
  test(`a 200 page that ${what} fails the read`, async (t) => {
    const { read } = await failsWhole({
      list: (n, input) => (n === 1 ? pageOf(input) : { status: 200, body }),
      getImage: (_, arn) => image(arn),
    })
    if (E.isRight(read)) return t.fail(`${read.right.value.length} findings`)
    t.true(
      read.left._tag === 'ServiceUnavailableException' || read.left._tag === 'ServiceException',
      read.left._tag,
    )
  })

test('nothing listening is ServiceUnavailableException', async (t) => {
  const server = await standIn({ list: (_, input) => pageOf(input), getImage: (_, arn) => image(arn) })
  const endpoint = server.endpoint
  await server.close()
  const read = await collectInspectorFindings({ ...clientsOf(endpoint) })()
  if (E.isRight(read)) return t.fail('read from nothing')
  t.like(read.left, unavailable)
})

// The SDK paginator follows a nextToken the service repeats forever (smithy's stopOnSameToken
// is off by default, and turning it on would end silently with a partial result), so the source
// checks. The stand-in fails after 20 pages so the test ends even if the check is missing.
test('a service that repeats its nextToken fails the read at once instead of paging forever', async (t) => {
  const { read, requests } = await failsWhole({
    list: (n) => (n > 20 ? internal : ok({ findings: [finding(0)], nextToken: 'same' })),
    getImage: (_, arn) => image(arn),
  })
  t.true(E.isLeft(read))
  if (E.isLeft(read)) {
    t.is(read.left.name, 'ServiceUnavailableException')
    t.regex(read.left.message, /same nextToken again after page 2/)
  }
  t.true(requests.lists <= 3, `${requests.lists} ListFindings requests for one repeated token`)
})

test('a service that stalls without closing the connection fails the read once the time limit and retries are spent', async (t) => {
  const server = await standIn({ list: () => 'stall', getImage: (_, arn) => image(arn) })
  try {
    const common = {
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
      retryStrategy: new ConfiguredRetryStrategy(2, 1),
      // Long enough that a loaded machine still delivers each attempt to the server before its
      // time is up (at 200 ms an attempt could time out while connecting, and go uncounted).
      ...boundedClientConfig(1000),
    }
    const read = await collectInspectorFindings({
      inspector: new Inspector2Client(common),
      imagebuilder: new ImagebuilderClient(common),
    })()
    if (E.isRight(read)) return t.fail('a stalled service gave a result')
    t.like(read.left, unavailable)
    t.is(server.requests().lists, 2)
  } finally {
    await server.close()
  }
})
