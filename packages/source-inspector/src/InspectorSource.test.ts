import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ImagebuilderClient } from '@aws-sdk/client-imagebuilder'
import { Inspector2Client } from '@aws-sdk/client-inspector2'
import { severities } from '@scantally/core'
import { ExploitAvailable, FixAvailable } from '@scantally/core/internal'
import { ConfiguredRetryStrategy } from '@smithy/core/retry'
import test from 'ava'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { collectInspectorFindings, readInspectorFindings } from './InspectorSource.js'

const literals = <T extends string>(codec: { readonly keys: Record<T, unknown> }) =>
  fc.constantFrom(...(Object.keys(codec.keys) as T[]))

const builds = [
  'arn:aws:imagebuilder:us-east-1:111111111111:image/web/1.0.0/1',
  'arn:aws:imagebuilder:us-east-1:111111111111:image/web/1.0.1/1',
  'arn:aws:imagebuilder:us-east-1:222222222222:image/db/2.0.0/3',
  'arn:aws:imagebuilder:us-east-1:222222222222:image/gone/1.0.0/1',
]
const pipelineOf = (build: string): string | undefined =>
  build.includes('/web/') ? 'arn:aws:imagebuilder:us-east-1:111111111111:image-pipeline/web' : undefined

/** Inspector findings as the service sends them (timestamps as epoch seconds on the wire). */
const findingsArb = fc
  .array(
    fc.record({
      awsAccountId: fc.constantFrom('111111111111', '222222222222'),
      severity: fc.constantFrom(...severities),
      status: fc.constantFrom('ACTIVE', 'ACTIVE', 'SUPPRESSED', 'CLOSED'),
      build: fc.option(fc.constantFrom(...builds), { nil: undefined, freq: 4 }),
      vulnerabilityId: fc.constantFrom('CVE-2024-0001', 'CVE-2023-9999'),
      fixAvailable: literals(FixAvailable),
      exploitAvailable: literals(ExploitAvailable),
    }),
    { minLength: 1, maxLength: 120 },
  )
  .map((gs) =>
    gs.map((g, i) => ({
      findingArn: `arn:aws:inspector2:us-east-1:111111111111:finding/${i}`,
      awsAccountId: g.awsAccountId,
      type: 'PACKAGE_VULNERABILITY',
      description: 'd',
      severity: g.severity,
      status: g.status,
      firstObservedAt: 1725469184.356,
      lastObservedAt: 1725469184,
      resources: [
        {
          type: 'AWS_EC2_INSTANCE',
          id: 'i-1',
          ...(g.build === undefined ? {} : { tags: { Ec2ImageBuilderArn: g.build } }),
        },
      ],
      packageVulnerabilityDetails: { vulnerabilityId: g.vulnerabilityId, source: 'NVD' },
      fixAvailable: g.fixAvailable,
      exploitAvailable: g.exploitAvailable,
    })),
  )

type Fault = 'throttle' | 'fail' | 'destroy' | undefined

/** A stand-in Inspector + Image Builder speaking restJson1 on 127.0.0.1. */
interface StandIn {
  readonly endpoint: string
  readonly listRequests: Array<Record<string, unknown>>
  readonly getImageCalls: Map<string, number>
  readonly close: () => Promise<void>
}

const startStandIn = async (
  findings: ReadonlyArray<Record<string, unknown>>,
  fault: (request: number, page: number) => Fault = () => undefined,
): Promise<StandIn> => {
  const listRequests: Array<Record<string, unknown>> = []
  const getImageCalls = new Map<string, number>()
  const json = (res: ServerResponse, status: number, body: unknown, errorType?: string) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-requestid': `req-${listRequests.length}`,
      ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
    })
    res.end(JSON.stringify(body))
  }
  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (req.method === 'POST' && url.pathname === '/findings/list') {
      const input = JSON.parse(body === '' ? '{}' : body) as { maxResults?: number; nextToken?: string }
      listRequests.push(input as Record<string, unknown>)
      const size = input.maxResults ?? 100
      const start = input.nextToken === undefined ? 0 : Number(input.nextToken)
      const page = start / size
      switch (fault(listRequests.length, page)) {
        case 'throttle':
          return json(res, 429, { message: 'Rate exceeded' }, 'ThrottlingException')
        case 'fail':
          return json(res, 500, { message: 'Internal failure' }, 'InternalServerException')
        case 'destroy': {
          // Headers and half a page, then the connection drops.
          res.writeHead(200, { 'content-type': 'application/json' })
          res.write('{"findings":[{"findingArn":"x",')
          setTimeout(() => res.destroy(), 5)
          return
        }
        default: {
          const slice = findings.slice(start, start + size)
          const next = start + size < findings.length ? { nextToken: String(start + size) } : {}
          return json(res, 200, { findings: slice, ...next })
        }
      }
    }
    if (req.method === 'GET' && url.pathname === '/GetImage') {
      const arn = url.searchParams.get('imageBuildVersionArn') ?? ''
      getImageCalls.set(arn, (getImageCalls.get(arn) ?? 0) + 1)
      if (arn.includes('/gone/'))
        return json(res, 404, { message: 'no such image' }, 'ResourceNotFoundException')
      const pipeline = pipelineOf(arn)
      return json(res, 200, {
        requestId: 'r',
        image: { arn, ...(pipeline === undefined ? {} : { sourcePipelineArn: pipeline }) },
      })
    }
    json(res, 404, { message: `no route ${req.method} ${url.pathname}` }, 'ResourceNotFoundException')
  }
  const server: Server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    listRequests,
    getImageCalls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

const clients = (endpoint: string) => {
  const common = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    // The SDK's standard strategy (3 attempts), with millisecond delays so tests are quick.
    retryStrategy: new ConfiguredRetryStrategy(3, 1),
  }
  return { inspector: new Inspector2Client(common), imagebuilder: new ImagebuilderClient(common) }
}

/** What the source should count: ACTIVE, linked, pipeline where Image Builder knows one. */
const expectedOf = (findings: ReadonlyArray<Record<string, unknown>>) =>
  findings
    .filter((f) => f.status === 'ACTIVE' && (f.resources as Array<{ tags?: unknown }>)[0]?.tags !== undefined)
    .map((f) => {
      const build = (
        (f.resources as Array<{ tags: { Ec2ImageBuilderArn: string } }>)[0] as {
          tags: { Ec2ImageBuilderArn: string }
        }
      ).tags.Ec2ImageBuilderArn
      const pipeline = pipelineOf(build)
      return {
        awsAccountId: f.awsAccountId,
        severity: f.severity,
        imageBuildVersionArn: build,
        ...(pipeline === undefined ? {} : { imagePipelineArn: pipeline }),
        vulnerabilityId: (f.packageVulnerabilityDetails as { vulnerabilityId: string }).vulnerabilityId,
        findingArn: f.findingArn,
        fixAvailable: f.fixAvailable,
        exploitAvailable: f.exploitAvailable,
      }
    })

test('many pages read through the real SDK give every counted finding once, with pipelines from GetImage', async (t) => {
  for (const findings of fc.sample(findingsArb, { numRuns: 4, seed: 7 })) {
    const server = await startStandIn(findings)
    try {
      const read = await collectInspectorFindings({
        ...clients(server.endpoint),
        pageSize: 7,
        statuses: ['ACTIVE'],
      })()
      if (E.isLeft(read)) return t.fail(read.left.message)
      t.deepEqual(read.right.value, expectedOf(findings))
      t.is(server.listRequests.length, Math.ceil(findings.length / 7))
      t.is(read.right.report.read, findings.length)
      t.is(read.right.report.counted, expectedOf(findings).length)
      // Cached: one GetImage per image, however many findings and pages mention it.
      for (const calls of server.getImageCalls.values()) t.is(calls, 1)
    } finally {
      await server.close()
    }
  }
})

test('filters are pushed down as ListFindings filterCriteria', async (t) => {
  const server = await startStandIn([])
  try {
    const read = await collectInspectorFindings({
      ...clients(server.endpoint),
      statuses: ['ACTIVE', 'SUPPRESSED'],
      filter: {
        awsAccountIds: ['111111111111'],
        vulnerabilityIds: ['CVE-2024-0001'],
        severities: ['CRITICAL', 'HIGH'],
        imageBuildVersionArns: [builds[0] as string],
      },
    })()
    t.true(E.isRight(read))
    t.deepEqual(server.listRequests[0], {
      maxResults: 100,
      filterCriteria: {
        awsAccountId: [{ comparison: 'EQUALS', value: '111111111111' }],
        vulnerabilityId: [{ comparison: 'EQUALS', value: 'CVE-2024-0001' }],
        severity: [
          { comparison: 'EQUALS', value: 'CRITICAL' },
          { comparison: 'EQUALS', value: 'HIGH' },
        ],
        findingStatus: [
          { comparison: 'EQUALS', value: 'ACTIVE' },
          { comparison: 'EQUALS', value: 'SUPPRESSED' },
        ],
        resourceTags: [{ comparison: 'EQUALS', key: 'Ec2ImageBuilderArn', value: builds[0] }],
      },
    })
  } finally {
    await server.close()
  }
})

test('throttling (429 ThrottlingException) is absorbed by the SDK retries', async (t) => {
  const findings = fc.sample(findingsArb, { numRuns: 1, seed: 11 })[0] ?? []
  // The first two attempts at every page are throttled; the third succeeds.
  const attempts = new Map<number, number>()
  const server = await startStandIn(findings, (_, page) => {
    const n = (attempts.get(page) ?? 0) + 1
    attempts.set(page, n)
    return n <= 2 ? 'throttle' : undefined
  })
  try {
    const read = await collectInspectorFindings({ ...clients(server.endpoint), pageSize: 25 })()
    if (E.isLeft(read)) return t.fail(read.left.message)
    t.deepEqual(read.right.value, expectedOf(findings))
    t.is(server.listRequests.length, 3 * Math.ceil(findings.length / 25))
  } finally {
    await server.close()
  }
})

const failsMidRead = (fault: Fault, what: string) =>
  test(`${what} on a later page surfaces as ServiceUnavailableException, never partial counts`, async (t) => {
    const findings = Array.from({ length: 30 }, (_, i) => ({
      findingArn: `f${i}`,
      awsAccountId: '111111111111',
      severity: 'HIGH',
      status: 'ACTIVE',
      resources: [{ type: 'AWS_EC2_INSTANCE', id: 'i', tags: { Ec2ImageBuilderArn: builds[0] } }],
    }))
    const server = await startStandIn(findings, (_, page) => (page >= 1 ? fault : undefined))
    try {
      const read = await collectInspectorFindings({ ...clients(server.endpoint), pageSize: 10 })()
      if (E.isRight(read)) return t.fail(`expected a failure, got ${read.right.value.length} findings`)
      t.like(read.left, {
        _tag: 'ServiceUnavailableException',
        httpStatus: 503,
        fault: 'server',
        retryable: true,
      })
      // The first page succeeded; the failing one was retried by the SDK before giving up.
      t.true(server.listRequests.length >= 2)
      // The streaming interface says the same: the batches read are not the answer.
      const source = readInspectorFindings({ ...clients(server.endpoint), pageSize: 10 })
      let seen = 0
      for await (const batch of source) seen += batch.length
      t.is(seen, 10)
      const result = await source.result
      t.true(E.isLeft(result))
    } finally {
      await server.close()
    }
  })

failsMidRead('fail', '500s past the retries')
failsMidRead('destroy', 'a connection dropped mid-page')

test('a finding the service returns that fails validation is named under strict and reported under skip', async (t) => {
  const good = {
    findingArn: 'g',
    awsAccountId: '111111111111',
    severity: 'LOW',
    status: 'ACTIVE',
    resources: [{ type: 'AWS_EC2_INSTANCE', id: 'i', tags: { Ec2ImageBuilderArn: builds[2] } }],
  }
  const bad = { ...good, findingArn: 'b', severity: 'SEVERE' }
  const server = await startStandIn([good, bad, good])
  try {
    const strict = await collectInspectorFindings({ ...clients(server.endpoint) })()
    if (E.isRight(strict)) return t.fail('expected a failure')
    t.is(strict.left._tag, 'ServiceException')
    t.regex(strict.left.message, /page 1, finding 2 is invalid: severity/)
    const skip = await collectInspectorFindings({ ...clients(server.endpoint), policy: 'skip' })()
    if (E.isLeft(skip)) return t.fail(skip.left.message)
    t.is(skip.right.value.length, 1)
    t.like(skip.right.report, { read: 3, counted: 1, excluded: { duplicate: 1, invalid: 1 } })
    t.is(skip.right.report.skipped.length, 1)
  } finally {
    await server.close()
  }
})
