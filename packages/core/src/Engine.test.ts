import { fc, testProp } from '@fast-check/ava'
import test from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import { findingArb, queryArb, uniqueFindingsArb } from './arbitraries.js'
import { allGroups, listImageScanFindingAggregations, queryAggregations } from './Engine.js'
import { passes } from './Evaluate.js'
import { type Finding, type GroupKey, groupKeys, keyOf } from './Finding.js'
import type { Group, Query, QueryResponse } from './Query.js'
import { aggregationMember, ListImageScanFindingAggregationsResponse } from './Request.js'
import { dedupe, naiveCounts, rightOf, testEngine } from './testing.js'

const groupKeyArb = fc.constantFrom(...groupKeys)
const findingsArb = fc.array(findingArb(), { maxLength: 80 })

const sortByKey = (groups: ReadonlyArray<Group>) => Object.fromEntries(groups.map((g) => [g.key, g.counts]))

testProp(
  'every count equals a naive recount of the same findings, for every grouping',
  [findingsArb, groupKeyArb],
  (t, findings, groupBy) => {
    const groups = rightOf(allGroups(testEngine(findings), { groupBy }))
    t.deepEqual(sortByKey(groups), Object.fromEntries(naiveCounts(findings, groupBy)))
  },
)

testProp(
  'the sum of all over the groups is the number of counted findings carrying the field',
  [findingsArb, groupKeyArb],
  (t, findings, groupBy) => {
    const groups = rightOf(allGroups(testEngine(findings), { groupBy }))
    const carrying = dedupe(findings).filter((f) => keyOf(groupBy)(f) !== undefined).length
    t.is(
      groups.reduce((n, g) => n + g.counts.all, 0),
      carrying,
    )
  },
)

testProp(
  'in every group all >= critical + high + medium, and all is the sum of the six severities',
  [findingsArb, groupKeyArb],
  (t, findings, groupBy) => {
    const groups = rightOf(allGroups(testEngine(findings), { groupBy }))
    t.is(groups.length, naiveCounts(findings, groupBy).size)
    for (const { counts: c } of groups) {
      t.true(c.all >= c.critical + c.high + c.medium)
      t.is(c.all, c.critical + c.high + c.medium + c.low + c.informational + c.untriaged)
      t.true(c.all > 0)
    }
  },
)

testProp(
  'extended filters count exactly the findings that pass every field',
  [findingsArb, queryArb],
  (t, findings, query) => {
    const fields = new Map<string, NonNullable<Query['filters']>[number][]>()
    for (const c of query.filters ?? []) fields.set(c.field, [...(fields.get(c.field) ?? []), c])
    const fieldValue = (f: Finding, field: string) =>
      field === 'severity'
        ? f.severity
        : field === 'fixAvailable'
          ? f.fixAvailable
          : keyOf(field as GroupKey)(f)
    const keep = (f: Finding) => [...fields].every(([field, cs]) => passes(cs, fieldValue(f, field)))
    const groups = rightOf(allGroups(testEngine(findings), { ...query, maxResults: 1000 }))
    t.deepEqual(sortByKey(groups), Object.fromEntries(naiveCounts(findings, query.groupBy, keep)))
  },
)

testProp(
  'no filter answers aggregationType accountId, one entry per account, ordered by key',
  [findingsArb],
  (t, findings) => {
    const r = rightOf(listImageScanFindingAggregations(testEngine(findings))({}))
    t.is(r.aggregationType, 'accountId')
    const accounts = [...new Set(dedupe(findings).map((f) => f.awsAccountId))].sort()
    t.deepEqual(
      r.responses.map((e) => ('accountAggregation' in e ? e.accountAggregation.accountId : 'other member')),
      accounts,
    )
    t.true(Either.isRight(ListImageScanFindingAggregationsResponse.decode(r)))
  },
)

testProp(
  'a filter answers its name as aggregationType and one entry per requested value that has findings',
  [findingsArb, groupKeyArb, fc.array(fc.nat(20), { minLength: 1, maxLength: 10 })],
  (t, findings, name, picks) => {
    const present = [...naiveCounts(findings, name).keys()].filter((k) =>
      /^[0-9a-zA-Z./_ :,{}"-]{1,1024}$/.test(k),
    )
    const values = picks.map((p) => present[p] ?? `missing-${p}`)
    const r = rightOf(listImageScanFindingAggregations(testEngine(findings))({ filter: { name, values } }))
    t.is(r.aggregationType, name)
    const member = aggregationMember[name]
    const expected = [...new Set(values.filter((v) => present.includes(v)))].sort()
    const keys = r.responses.map((e) => {
      t.deepEqual(Object.keys(e), [member])
      return (e as unknown as Record<string, Record<string, string>>)[member]?.[name]
    })
    t.deepEqual(keys, expected)
    const naive = naiveCounts(findings, name)
    for (const e of r.responses) {
      const agg = (e as unknown as Record<string, { severityCounts: unknown } & Record<string, string>>)[
        member
      ]
      const c = naive.get(agg?.[name] as string)
      t.deepEqual(
        agg?.severityCounts,
        c && { all: c.all, critical: c.critical, high: c.high, medium: c.medium },
      )
    }
  },
)

test("AWS's published example: a pipeline with all 25, critical 1, high 7, medium 12", (t) => {
  const pipeline = 'arn:aws:imagebuilder:us-west-2:123456789012:image-pipeline/my-pipeline'
  const bySeverity = { CRITICAL: 1, HIGH: 7, MEDIUM: 12, LOW: 3, INFORMATIONAL: 2 } as const
  const findings = Object.entries(bySeverity).flatMap(
    ([severity, n]) =>
      Array.from({ length: n }, (_, i) => ({
        awsAccountId: '123456789012',
        severity,
        imagePipelineArn: pipeline,
        vulnerabilityId: `CVE-2024-${severity}-${i}`,
      })) as unknown as Finding[],
  )
  const other = {
    awsAccountId: '123456789012',
    severity: 'HIGH',
    imagePipelineArn: `${pipeline}-2`,
  } as Finding
  const r = rightOf(
    listImageScanFindingAggregations(testEngine([...findings, other]))({
      filter: { name: 'imagePipelineArn', values: [pipeline] },
    }),
  )
  t.deepEqual(r, {
    requestId: 'req-1',
    aggregationType: 'imagePipelineArn',
    responses: [
      {
        imagePipelineAggregation: {
          imagePipelineArn: pipeline,
          severityCounts: { all: 25, critical: 1, high: 7, medium: 12 },
        },
      },
    ],
  })
})

test('duplicate findingArns count once', (t) => {
  const f = { awsAccountId: '111111111111', severity: 'HIGH', findingArn: 'arn:x' } as Finding
  const r = rightOf(listImageScanFindingAggregations(testEngine([f, f, { ...f, severity: 'LOW' }]))({}))
  t.deepEqual(r.responses, [
    {
      accountAggregation: {
        accountId: '111111111111',
        severityCounts: { all: 1, critical: 0, high: 1, medium: 0 },
      },
    },
  ])
})

test('a restricted caller sees only its accounts and is refused a filter on another one', (t) => {
  const findings = [
    { awsAccountId: '111111111111', severity: 'HIGH' },
    { awsAccountId: '222222222222', severity: 'LOW' },
  ] as Finding[]
  const engine = testEngine(findings)
  const caller = { id: 'alice', accounts: ['111111111111'] }
  const r = rightOf(listImageScanFindingAggregations(engine, caller)({}))
  t.deepEqual(
    r.responses.map((e) => ('accountAggregation' in e ? e.accountAggregation.accountId : '')),
    ['111111111111'],
  )
  const denied = listImageScanFindingAggregations(
    engine,
    caller,
  )({ filter: { name: 'accountId', values: ['222222222222'] } })
  t.is(Either.isLeft(denied) && denied.left.name, 'ForbiddenException')
})

testProp(
  'paging through any query at any page size yields the unpaged answer, every group once, last page without a token',
  [fc.array(findingArb(), { maxLength: 120 }), queryArb],
  (t, findings, query) => {
    const engine = testEngine(findings)
    const unpaged = rightOf(allGroups(engine, query))
    const pages: QueryResponse[] = []
    let token: string | undefined
    do {
      const page: QueryResponse = rightOf(
        queryAggregations(engine)({ ...query, ...(token ? { nextToken: token } : {}) }),
      )
      pages.push(page)
      t.true(page.groups.length <= (query.maxResults ?? 100))
      if (page.nextToken !== undefined) t.true(page.nextToken.length > 0)
      token = page.nextToken
    } while (token !== undefined && pages.length <= unpaged.length + 1)
    t.deepEqual(
      pages.flatMap((p) => p.groups),
      [...unpaged],
    )
    t.is(pages[pages.length - 1]?.nextToken, undefined)
    t.is(pages.length, Math.max(1, Math.ceil(unpaged.length / (query.maxResults ?? 100))))
  },
)

testProp(
  'paging the AWS request at any page size yields the unpaged answer',
  [uniqueFindingsArb(150), fc.integer({ min: 1, max: 9 }), fc.option(groupKeyArb, { nil: undefined })],
  (t, findings, pageSize, name) => {
    const big = testEngine(findings, { pageSize: 1000 })
    const small = testEngine(findings, { pageSize })
    const values =
      name === undefined
        ? []
        : [...naiveCounts(findings, name).keys()]
            .filter((k) => /^[0-9a-zA-Z./_ :,{}"-]+$/.test(k))
            .slice(0, 10)
    const request = name === undefined || values.length === 0 ? {} : { filter: { name, values } }
    const whole = rightOf(listImageScanFindingAggregations(big)(request))
    const responses = []
    let token: string | undefined
    let pages = 0
    do {
      const page = rightOf(
        listImageScanFindingAggregations(small)({ ...request, ...(token ? { nextToken: token } : {}) }),
      )
      responses.push(...page.responses)
      token = page.nextToken
      pages++
    } while (token !== undefined && pages < 1000)
    t.deepEqual(responses, whole.responses)
    t.is(whole.nextToken, undefined)
  },
)

test('sorting by a count descending breaks ties by key ascending', (t) => {
  const mk = (vulnerabilityId: string, severity: string, n: number) =>
    Array.from({ length: n }, () => ({ awsAccountId: '111111111111', severity, vulnerabilityId }) as Finding)
  const engine = testEngine([
    ...mk('b', 'CRITICAL', 2),
    ...mk('a', 'CRITICAL', 2),
    ...mk('c', 'CRITICAL', 3),
    ...mk('d', 'LOW', 9),
  ])
  const r = rightOf(
    queryAggregations(engine)({ groupBy: 'vulnerabilityId', sortBy: 'CRITICAL', sortOrder: 'DESC' }),
  )
  t.deepEqual(
    r.groups.map((g) => g.key),
    ['c', 'a', 'b', 'd'],
  )
})

test('keys are ordered by UTF-16 code units, not by locale', (t) => {
  const keys = ['b', 'B', 'é', 'a', '😀', '\uffff', 'Z']
  const engine = testEngine(
    keys.map(
      (vulnerabilityId) => ({ awsAccountId: '111111111111', severity: 'LOW', vulnerabilityId }) as Finding,
    ),
  )
  const r = rightOf(queryAggregations(engine)({ groupBy: 'vulnerabilityId' }))
  t.deepEqual(
    r.groups.map((g) => g.key),
    ['B', 'Z', 'a', 'b', 'é', '😀', '\uffff'],
  )
})

testProp(
  'every page at once, from the first or from any token, holds exactly the groups of following each nextToken from there',
  [fc.array(findingArb(), { maxLength: 120 }), queryArb, fc.nat({ max: 6 })],
  (t, findings, query, skip) => {
    const engine = testEngine(findings)
    // The reference: the pages one by one, as a client following every token gets them.
    const pages: QueryResponse[] = []
    let token: string | undefined
    do {
      const page: QueryResponse = rightOf(
        queryAggregations(engine)({ ...query, ...(token ? { nextToken: token } : {}) }),
      )
      pages.push(page)
      token = page.nextToken
    } while (token !== undefined && pages.length < 1000)
    const from = Math.min(skip, pages.length - 1)
    const start = from === 0 ? undefined : pages[from - 1]?.nextToken
    const all: QueryResponse = rightOf(
      queryAggregations(engine, undefined, 'all')({ ...query, ...(start ? { nextToken: start } : {}) }),
    )
    t.deepEqual(
      all.groups,
      pages.slice(from).flatMap((p) => p.groups),
    )
    t.is(all.nextToken, undefined)
    t.is(all.groupBy, query.groupBy)
  },
)

testProp(
  'the AWS request answered with every page at once lists the responses of all its pages, without a token',
  [uniqueFindingsArb(150), fc.integer({ min: 1, max: 9 }), fc.option(groupKeyArb, { nil: undefined })],
  (t, findings, pageSize, name) => {
    const engine = testEngine(findings, { pageSize })
    const values =
      name === undefined
        ? []
        : [...naiveCounts(findings, name).keys()]
            .filter((k) => /^[0-9a-zA-Z./_ :,{}"-]+$/.test(k))
            .slice(0, 10)
    const request = name === undefined || values.length === 0 ? {} : { filter: { name, values } }
    const responses: unknown[] = []
    let token: string | undefined
    do {
      const page = rightOf(
        listImageScanFindingAggregations(engine)({ ...request, ...(token ? { nextToken: token } : {}) }),
      )
      responses.push(...page.responses)
      token = page.nextToken
    } while (token !== undefined)
    const all = rightOf(listImageScanFindingAggregations(engine, undefined, 'all')(request))
    t.deepEqual(all.responses, responses)
    t.false('nextToken' in all)
  },
)

test('every page at once still checks the token and the caller', (t) => {
  const engine = testEngine([{ awsAccountId: '111111111111', severity: 'LOW' } as Finding])
  const forged = queryAggregations(
    engine,
    undefined,
    'all',
  )({ groupBy: 'accountId', nextToken: 'x'.repeat(40) })
  t.is(Either.isLeft(forged) && forged.left.name, 'InvalidPaginationTokenException')
  const denied = listImageScanFindingAggregations(
    engine,
    { id: 'c', accounts: ['111111111111'] },
    'all',
  )({
    filter: { name: 'accountId', values: ['222222222222'] },
  })
  t.is(Either.isLeft(denied) && denied.left.name, 'ForbiddenException')
})
