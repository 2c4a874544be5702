import { fc, testProp } from '@fast-check/ava'
import test from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import { filterValueArb } from './arbitraries.js'
import { groupKeys } from './Finding.js'
import { decodeQuery } from './Query.js'
import { decodeAggregationsRequest } from './Request.js'

const failure = (u: unknown) => {
  const r = decodeAggregationsRequest(u)
  return Either.isLeft(r) ? r.left : undefined
}

const validFilter = fc.record({
  name: fc.constantFrom(...groupKeys),
  values: fc.array(filterValueArb, { minLength: 1, maxLength: 10 }),
})

testProp(
  'valid requests decode to themselves',
  [
    fc.option(validFilter, { nil: undefined }),
    fc.option(fc.string({ minLength: 1, maxLength: 100 }), { nil: undefined }),
  ],
  (t, filter, nextToken) => {
    const request = { ...(filter ? { filter } : {}), ...(nextToken ? { nextToken } : {}) }
    t.deepEqual(decodeAggregationsRequest(request), Either.right(request))
  },
)

const invalid: Array<[string, fc.Arbitrary<unknown>, RegExp]> = [
  [
    'a body that is not an object',
    fc.oneof(fc.constant(null), fc.array(fc.nat()), fc.string(), fc.integer()),
    /^request must be a structure/,
  ],
  [
    'an unknown member',
    fc
      .string({ minLength: 1 })
      .filter((k) => !['filter', 'nextToken', '__proto__'].includes(k))
      .map((k) => ({ [k]: 1 })),
    /is not a member of ListImageScanFindingAggregationsRequest/,
  ],
  [
    'a filter name outside the four',
    fc
      .string()
      .filter((n) => !(groupKeys as readonly string[]).includes(n))
      .map((name) => ({ filter: { name, values: ['x'] } })),
    /^filter\.name must be one of accountId, imageBuildVersionArn, imagePipelineArn, vulnerabilityId \(case-sensitive\)/,
  ],
  [
    'a filter name in the wrong case',
    fc
      .constantFrom('AccountId', 'ACCOUNTID', 'vulnerabilityid')
      .map((name) => ({ filter: { name, values: ['x'] } })),
    /^filter\.name must be one of/,
  ],
  [
    'no values',
    fc.constant({ filter: { name: 'accountId', values: [] } }),
    /^filter\.values must hold 1 to 10 items, got 0/,
  ],
  [
    'more than 10 values',
    fc
      .array(filterValueArb, { minLength: 11, maxLength: 30 })
      .map((values) => ({ filter: { name: 'accountId', values } })),
    /^filter\.values must hold 1 to 10 items, got \d+/,
  ],
  [
    'a value outside the pattern',
    fc
      .string({ minLength: 1, maxLength: 20 })
      .filter((v) => !/^[0-9a-zA-Z./_ :,{}"-]+$/.test(v))
      .map((v) => ({ filter: { name: 'vulnerabilityId', values: ['ok', v] } })),
    /^filter\.values\[1\] must be a string of 1 to 1024 characters matching/,
  ],
  [
    'a value over 1024 characters',
    fc
      .integer({ min: 1025, max: 3000 })
      .map((n) => ({ filter: { name: 'vulnerabilityId', values: ['a'.repeat(n)] } })),
    /^filter\.values\[0\] must be a string of 1 to 1024/,
  ],
  [
    'an empty value',
    fc.constant({ filter: { name: 'vulnerabilityId', values: [''] } }),
    /^filter\.values\[0\] must be a string of 1 to 1024/,
  ],
  [
    'a value of the wrong type',
    fc
      .oneof(fc.integer(), fc.boolean(), fc.constant(null))
      .map((v) => ({ filter: { name: 'accountId', values: [v] } })),
    /^filter\.values\[0\] must be a string/,
  ],
  [
    'a filter without name',
    fc.constant({ filter: { values: ['x'] } }),
    /^filter\.name is required in Filter/,
  ],
  [
    'a filter without values',
    fc.constant({ filter: { name: 'accountId' } }),
    /^filter\.values is required in Filter/,
  ],
  [
    'an unknown filter member',
    fc.constant({ filter: { name: 'accountId', values: ['x'], comparison: 'EQUALS' } }),
    /^filter\.comparison is not a member of Filter/,
  ],
  [
    'an empty nextToken',
    fc.constant({ nextToken: '' }),
    /^nextToken must be a string of 1 to 65535 characters/,
  ],
  [
    'a nextToken over 65535 characters',
    fc.constant({ nextToken: 'a'.repeat(65536) }),
    /^nextToken must be a string of 1 to 65535 characters/,
  ],
  [
    'a nextToken of the wrong type',
    fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string())),
    /^nextToken must be a string/,
  ].map((x, i) => (i === 1 ? (x as fc.Arbitrary<unknown>).map((nextToken) => ({ nextToken })) : x)) as [
    string,
    fc.Arbitrary<unknown>,
    RegExp,
  ],
  [
    'a filter that is not a structure',
    fc.oneof(fc.string(), fc.array(fc.string()), fc.integer()).map((filter) => ({ filter })),
    /^filter must be a structure/,
  ],
]

for (const [rule, arb, message] of invalid) {
  testProp(`InvalidRequestException naming the member for ${rule}`, [arb], (t, u) => {
    const e = failure(u)
    t.is(e?.name, 'InvalidRequestException')
    t.is(e?.httpStatus, 400)
    t.regex(e?.message ?? '', message)
  })
}

test('extended queries are validated the same way', (t) => {
  const bad = (u: unknown) => {
    const r = decodeQuery(u)
    return Either.isLeft(r) ? r.left.message : 'accepted'
  }
  t.is(bad({ groupBy: 'vulnerabilityId', maxResults: 1000, sortBy: 'HIGH', sortOrder: 'DESC' }), 'accepted')
  t.regex(bad({}), /^groupBy is required in Query/)
  t.regex(bad({ groupBy: 'severity' }), /^groupBy must be one of/)
  t.regex(
    bad({ groupBy: 'accountId', maxResults: 1001 }),
    /^maxResults must be an integer from 1 to 1000, got 1001/,
  )
  t.regex(bad({ groupBy: 'accountId', maxResults: 1.5 }), /^maxResults must be an integer/)
  t.regex(
    bad({ groupBy: 'accountId', filters: [{ field: 'severity', comparison: 'LIKE', value: 'x' }] }),
    /^filters\[0\]\.comparison must be one of EQUALS, PREFIX, NOT_EQUALS/,
  )
  t.regex(bad({ groupBy: 'accountId', sortBy: 'LOW' }), /^sortBy must be one of KEY, CRITICAL, HIGH, ALL/)
})
