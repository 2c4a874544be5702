import { fc, testProp } from '@fast-check/ava'
import test from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import { findingArb } from './arbitraries.js'
import type { Finding } from './Finding.js'
import { decodeFindingsRequest, listImageScanFindings } from './ListImageScanFindings.js'
import type { Caller } from './Paging.js'
import { imageScanFindingAt, scanFindingStoreOf } from './ScanFindingStore.js'
import { severities } from './Severity.js'
import { testEngine } from './testing.js'

const storeOf = (findings: ReadonlyArray<Finding>) => {
  const s = scanFindingStoreOf(findings)
  if (Either.isLeft(s)) throw new Error(s.left.message)
  return s.right
}

const filterArb = (findings: ReadonlyArray<Finding>) =>
  fc.option(
    fc.oneof(
      fc.record({ name: fc.constant('severity' as const), value: fc.constantFrom(...severities) }),
      ...(['imageBuildVersionArn', 'imagePipelineArn', 'vulnerabilityId'] as const).map((name) =>
        fc.record({
          name: fc.constant(name),
          value: fc.constantFrom(
            'CVE-2024-0001',
            'nothing',
            ...(findings
              .map((f) => f[name])
              .filter((v) => v !== undefined && /^[0-9a-zA-Z./_ :,{}"-]+$/.test(v)) as string[]),
          ),
        }),
      ),
    ),
    { nil: undefined },
  )

const callerArb = fc.option(
  fc
    .subarray(['111111111111', '222222222222', '333333333333', '012345678901'])
    .map((accounts): Caller => ({ id: 'k', accounts })),
  { nil: undefined },
)

testProp(
  'following nextToken to the end yields every matching, visible finding once, in store order',
  [
    fc
      .array(findingArb({ arns: false }), { maxLength: 60 })
      .chain((fs) => fc.tuple(fc.constant(fs), filterArb(fs))),
    fc.integer({ min: 1, max: 25 }),
    callerArb,
  ],
  (t, [findings, filter], maxResults, caller) => {
    const engine = testEngine([])
    const store = storeOf(findings)
    const list = listImageScanFindings(engine, store, caller)
    const seen: unknown[] = []
    let nextToken: string | undefined
    let pages = 0
    do {
      const r = list({
        maxResults,
        ...(filter === undefined ? {} : { filters: [{ name: filter.name, values: [filter.value] }] }),
        ...(nextToken === undefined ? {} : { nextToken }),
      })
      if (Either.isLeft(r)) return t.fail(r.left.message)
      t.true(r.right.findings.length <= maxResults)
      t.not(r.right.nextToken, '')
      seen.push(...r.right.findings)
      nextToken = r.right.nextToken
      pages++
    } while (nextToken !== undefined && pages < 100)
    const fieldOf = (f: Finding) =>
      filter?.name === 'severity' ? f.severity : filter === undefined ? undefined : f[filter.name]
    const expected = findings
      .map((f, i) => [f, i] as const)
      .filter(
        ([f]) =>
          (caller?.accounts ?? [f.awsAccountId]).includes(f.awsAccountId) &&
          (filter === undefined || fieldOf(f) === filter.value),
      )
      .map(([, i]) => imageScanFindingAt(store, i))
    t.deepEqual(seen, expected)
    t.is(pages, Math.max(1, Math.ceil(expected.length / maxResults)))
  },
)

test('a token is bound to its filter, page size and caller, and must be one this service signed', (t) => {
  const findings = Array.from(
    { length: 30 },
    (_, i) => ({ awsAccountId: '111111111111', severity: severities[i % 6] }) as Finding,
  )
  const engine = testEngine([])
  const store = storeOf(findings)
  const first = listImageScanFindings(engine, store)({ maxResults: 4 })
  const token = Either.isRight(first) ? (first.right.nextToken as string) : ''
  const messageOf = (caller: Caller | undefined, body: unknown) => {
    const r = listImageScanFindings(engine, store, caller)(body)
    return Either.isLeft(r) ? `${r.left.name}: ${r.left.message}` : 'ok'
  }
  const different = (part: string) =>
    `InvalidPaginationTokenException: nextToken was issued for a different request or caller: ${part} differs; start again without it`
  t.is(messageOf(undefined, { maxResults: 4, nextToken: token }), 'ok')
  t.is(messageOf(undefined, { maxResults: 5, nextToken: token }), different('the page size (maxResults)'))
  t.is(
    messageOf(undefined, {
      maxResults: 4,
      nextToken: token,
      filters: [{ name: 'severity', values: ['LOW'] }],
    }),
    different('the filter'),
  )
  t.is(
    messageOf({ id: 'someone' }, { maxResults: 4, nextToken: token }),
    different('the caller (the identity the token was issued to)'),
  )
  t.is(
    messageOf(undefined, { maxResults: 4, nextToken: `${token}.x` }),
    'InvalidPaginationTokenException: nextToken is malformed: not a token this service issued',
  )
})

test('requests are validated against the model, naming the member and the rule', (t) => {
  const messageOf = (u: unknown) =>
    Either.match(
      (e: { message: string }) => e.message,
      () => 'ok',
    )(decodeFindingsRequest(u))
  t.deepEqual(
    [
      {},
      { maxResults: 0 },
      { maxResults: 2.5 },
      { filters: [] },
      { filters: [{ name: 'severity' }] },
      { filters: [{ name: 'vulnerabilityId', values: ['a|b'] }] },
      {
        filters: [
          { name: 'vulnerabilityId', values: ['CVE-1'] },
          { name: 'severity', values: ['LOW'] },
        ],
      },
      { nextToken: '' },
      { other: 1 },
      [],
    ].map(messageOf),
    [
      'ok',
      'maxResults must be an integer from 1 to 25, got 0',
      'maxResults must be an integer from 1 to 25, got 2.5',
      'filters must hold 1 to 1 items, got 0',
      'filters[0].values is required in ImageScanFindingsFilter',
      'filters[0].values[0] must be a string of 1 to 1024 characters matching ^[0-9a-zA-Z./_ :,{}"-]{1,1024}$, got "a|b"',
      'filters must hold 1 to 1 items, got 2',
      'nextToken must be a string of 1 to 65535 characters, got ""',
      'other is not a member of ListImageScanFindingsRequest',
      'request must be a structure (a JSON object), got a list',
    ],
  )
})
