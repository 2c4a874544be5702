import type { Caller, Finding, ListImageScanFindingAggregationsRequest } from '@scantally/core'
import { answerAggregationsRequest, decodeQuery } from '@scantally/core/internal'
import { testEngine } from '@scantally/core/testing'
import test from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import { answerFromCache, bytesPerGroup, defaultAnswerCacheBytes, makeAnswerCache } from './AnswerCache.js'
import { makeHandler } from './Handler.js'
import { silentLogger } from './Logger.js'
import { authorizationHeader, formatAmzDate } from './SigV4.js'

// A small seeded world: 6 accounts, 9 pipelines, 40 builds, 60 vulnerabilities, 800 findings.
const seeded = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0
    return a / 4294967296
  }
}
const r = seeded(42)
const accounts = Array.from({ length: 6 }, (_, i) => String(111_111_111_111 + i))
const pipelines = Array.from(
  { length: 9 },
  (_, i) => `arn:aws:imagebuilder:us-east-1:${accounts[i % 6]}:image-pipeline/p${i}`,
)
const builds = Array.from(
  { length: 40 },
  (_, i) => `arn:aws:imagebuilder:us-east-1:${accounts[i % 6]}:image/i${i % 9}/1.${i}.0/1`,
)
const cves = Array.from({ length: 60 }, (_, i) => `CVE-2024-${1000 + i}`)
const severities = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNTRIAGED'] as const
const findings = Array.from({ length: 800 }, () => {
  const b = Math.floor(r() * builds.length)
  return {
    awsAccountId: accounts[b % 6] as string,
    imageBuildVersionArn: builds[b] as string,
    imagePipelineArn: pipelines[b % 9] as string,
    vulnerabilityId: cves[Math.floor(r() * cves.length)] as string,
    severity: severities[Math.floor(r() * severities.length)] as Finding['severity'],
    ...(r() < 0.5 ? { fixAvailable: 'YES' as const } : {}),
  }
}) as unknown as ReadonlyArray<Finding>

// Every request shape the soak sends: no filter, and each filter name with present, absent and
// repeated values.
const requests = [
  {},
  { filter: { name: 'accountId', values: [accounts[1], accounts[0], accounts[1]] } },
  { filter: { name: 'imageBuildVersionArn', values: [builds[7], 'arn:nope', builds[3], builds[39]] } },
  { filter: { name: 'imagePipelineArn', values: pipelines.slice(0, 7) } },
  { filter: { name: 'vulnerabilityId', values: [...cves.slice(10, 19), 'CVE-1999-0001'] } },
  { filter: { name: 'vulnerabilityId', values: cves.slice(50, 60) } },
] as unknown as ReadonlyArray<ListImageScanFindingAggregationsRequest>
const all: Caller = { id: 'all' }
const team: Caller = { id: 'team', accounts: accounts.slice(0, 2) }

// Every page of a request, each rendered as the wire has it, following nextToken.
type Answer = (
  request: ListImageScanFindingAggregationsRequest,
) => Either.Either<unknown, { nextToken?: string }>
const walk = (answer: Answer, request: ListImageScanFindingAggregationsRequest): ReadonlyArray<string> => {
  const pages: string[] = []
  let next: ListImageScanFindingAggregationsRequest | undefined = request
  while (next !== undefined && pages.length < 100) {
    const page = answer(next)
    pages.push(JSON.stringify(page))
    const token = Either.isRight(page) ? page.right.nextToken : undefined
    next = token === undefined ? undefined : { ...request, nextToken: token }
  }
  return pages
}

test('cached answers equal the uncached ones, page for page, byte for byte, for every request and scope', (t) => {
  const engine = testEngine(findings, { pageSize: 3 })
  const cache = makeAnswerCache()
  for (const caller of [all, team])
    for (const request of requests) {
      const uncached = walk(answerAggregationsRequest(engine, caller), request)
      // Twice: the first walk fills the cache, the second is answered from it.
      t.deepEqual(walk(answerFromCache(cache)(engine, caller), request), uncached)
      t.deepEqual(walk(answerFromCache(cache)(engine, caller), request), uncached)
      t.regex(uncached[0] ?? '', /^\{"_tag":"Right"/)
    }
  // Two scopes, four groupings: eight roll-ups, every other request a hit.
  t.is(cache.stats().entries, 8)
  t.is(cache.stats().misses, 8)
  // An account outside the scope is refused as before, cache or not.
  const hidden = { filter: { name: 'accountId', values: [accounts[4]] } } as never
  t.deepEqual(
    walk(answerFromCache(cache)(engine, team), hidden),
    walk(answerAggregationsRequest(engine, team), hidden),
  )
  t.regex(walk(answerFromCache(cache)(engine, team), hidden)[0] ?? '', /ForbiddenException/)
})

test('a handler with the cache answers exactly as one without it, across pages', (t) => {
  const cached = makeHandler({ engine: testEngine(findings, { pageSize: 4 }), logger: silentLogger })
  const uncached = makeHandler({
    engine: testEngine(findings, { pageSize: 4 }),
    logger: silentLogger,
    answerCacheBytes: 0,
  })
  t.is(uncached.answerCache(), undefined)
  for (const request of requests) {
    let body: Record<string, unknown> = { ...request }
    for (let page = 0; page < 100; page++) {
      const wire = {
        method: 'POST',
        target: '/ListImageScanFindingAggregations',
        headers: new Map([['content-type', 'application/json']]),
        body: Buffer.from(JSON.stringify(body)),
      }
      const a = cached.handle(wire)
      const b = uncached.handle(wire)
      t.is(a.status, 200)
      t.deepEqual({ ...a.headers, date: '' }, { ...b.headers, date: '' })
      t.is(a.body, b.body)
      const next = (JSON.parse(a.body) as { nextToken?: string }).nextToken
      if (next === undefined) break
      body = { ...request, nextToken: next }
    }
  }
  t.not(cached.answerCache()?.hits ?? 0, 0)
})

test("a caller is never answered from another caller's scope, whoever fills the cache first", (t) => {
  const now = Date.parse('2026-03-01T12:00:00Z')
  const keys = [
    { accessKeyId: 'AKIDALL', secretAccessKey: 'secret-all', accountIds: accounts },
    { accessKeyId: 'AKIDTEAM', secretAccessKey: 'secret-team', accountIds: accounts.slice(0, 2) },
  ]
  const handler = makeHandler({
    engine: testEngine(findings, { pageSize: 1000 }),
    credentials: keys,
    now: () => now,
    logger: silentLogger,
  })
  const send = (key: (typeof keys)[number], body: unknown) => {
    const amzDate = formatAmzDate(now)
    const headers = new Map([
      ['host', 'localhost'],
      ['content-type', 'application/json'],
      ['x-amz-date', amzDate],
    ])
    const bytes = Buffer.from(JSON.stringify(body))
    const signed = { method: 'POST', target: '/ListImageScanFindingAggregations', headers, body: bytes }
    const authorization = authorizationHeader(
      signed,
      key,
      { region: 'us-east-1', service: 'imagebuilder' },
      amzDate,
    )
    const response = handler.handle({
      ...signed,
      headers: new Map([...headers, ['authorization', authorization]]),
    })
    t.is(response.status, 200)
    return JSON.parse(response.body) as { responses: ReadonlyArray<Record<string, { accountId?: string }>> }
  }
  // The reference: what the library answers each scope, from findings filtered by hand.
  const teamFindings = findings.filter((f) => accounts.slice(0, 2).includes(f.awsAccountId))
  const expected = (fs: ReadonlyArray<Finding>, request: ListImageScanFindingAggregationsRequest) => {
    const answer = answerAggregationsRequest(testEngine(fs, { pageSize: 1000 }))(request)
    return Either.isRight(answer) ? answer.right.responses : []
  }
  for (const request of requests.filter((q) => q.filter?.name !== 'accountId')) {
    const wide = send(keys[0] as (typeof keys)[number], request)
    const narrow = send(keys[1] as (typeof keys)[number], request)
    t.deepEqual(wide.responses, expected(findings, request))
    t.deepEqual(narrow.responses, expected(teamFindings, request))
  }
  // The team's accounts grouping names only its own two accounts, though the wider one is cached.
  t.deepEqual(
    send(keys[1] as (typeof keys)[number], {}).responses.map((g) => g.accountAggregation?.accountId),
    accounts.slice(0, 2),
  )
  t.is(handler.answerCache()?.entries, 8)
})

test('the cache never holds more than its bound, evicts the least recently used, and still answers', (t) => {
  const engine = testEngine(findings, { pageSize: 5 })
  const groupsOf = (name: 'vulnerabilityId' | 'imageBuildVersionArn' | 'accountId') => {
    const query = decodeQuery({ groupBy: name })
    if (Either.isLeft(query)) throw new Error(query.left.message)
    return query.right
  }
  // Room for the 60-key grouping but not with the 40-key one beside it.
  const bound = 1024 + 70 * bytesPerGroup
  const cache = makeAnswerCache(bound)
  for (const name of ['vulnerabilityId', 'imageBuildVersionArn', 'accountId', 'vulnerabilityId'] as const) {
    const uncached = walk(answerAggregationsRequest(engine, all), {
      filter: { name, values: [cves[3] as string] },
    })
    t.deepEqual(
      walk(answerFromCache(cache)(engine, all), { filter: { name, values: [cves[3] as string] } }),
      uncached,
    )
    t.true(cache.stats().bytes <= bound, `${cache.stats().bytes} bytes held, bound ${bound}`)
    t.not(cache.groups(engine.index, groupsOf(name), undefined).length, 0)
  }
  // The vulnerability roll-up was pushed out by the builds one, so the second ask computed it again.
  const { hits, misses, entries, tooLarge } = cache.stats()
  t.deepEqual({ hits, misses, tooLarge, entries }, { hits: 4, misses: 4, tooLarge: 0, entries: 2 })

  // A roll-up larger than the bound is used and not kept; a bound of 0 keeps nothing.
  for (const tiny of [makeAnswerCache(1024 + 10 * bytesPerGroup), makeAnswerCache(0)]) {
    const request = {
      filter: { name: 'vulnerabilityId' as const, values: cves.slice(0, 10) as [string, ...string[]] },
    }
    t.deepEqual(
      walk(answerFromCache(tiny)(engine, team), request),
      walk(answerAggregationsRequest(engine, team), request),
    )
    t.is(tiny.stats().entries, 0)
    t.is(tiny.stats().bytes, 0)
    t.not(tiny.stats().tooLarge, 0)
  }
  t.throws(() => makeAnswerCache(-1), { instanceOf: RangeError, message: /0 or more bytes, got -1/ })
  t.throws(() => makeHandler({ engine, answerCacheBytes: Number.NaN, logger: silentLogger }), {
    instanceOf: RangeError,
  })
})

test('queries other than the standard form are answered by a pass over the index, uncached', (t) => {
  const engine = testEngine(findings)
  const cache = makeAnswerCache()
  const query = decodeQuery({
    groupBy: 'imagePipelineArn',
    filters: [{ field: 'severity', comparison: 'EQUALS', value: 'CRITICAL' }],
    sortBy: 'CRITICAL',
    sortOrder: 'DESC',
  })
  if (Either.isLeft(query)) return t.fail(query.left.message)
  const groups = cache.groups(engine.index, query.right, undefined)
  const critical = findings.filter((f) => f.severity === 'CRITICAL')
  t.is(
    groups.reduce((n, g) => n + g.counts.critical, 0),
    critical.length,
  )
  t.deepEqual(
    groups.map((g) => g.counts.critical),
    groups.map((g) => g.counts.critical).sort((a, b) => b - a),
  )
  t.deepEqual(cache.stats(), {
    entries: 0,
    bytes: 0,
    maxBytes: defaultAnswerCacheBytes,
    hits: 0,
    misses: 0,
    tooLarge: 0,
  })
})
