import { createHash } from 'node:crypto'
import { fc, testProp } from '@fast-check/ava'
import test from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import { listImageScanFindingAggregations, queryAggregations } from './Engine.js'
import type { Finding } from './Finding.js'
import {
  CanonicalPart,
  fingerprintParts,
  makeTokenKey,
  parseTokenKey,
  signToken,
  verifyToken,
} from './Token.js'
import { rightOf, testEngine, testKey } from './testing.js'

const findings: Finding[] = Array.from({ length: 30 }, (_, i) => ({
  awsAccountId: i % 2 ? '111111111111' : '222222222222',
  severity: 'HIGH',
  vulnerabilityId: `CVE-2024-${String(i).padStart(4, '0')}`,
})) as unknown as Finding[]

const query = { groupBy: 'vulnerabilityId', maxResults: 5 } as const
const firstToken = (engine = testEngine(findings)) => {
  const token = rightOf(queryAggregations(engine)(query)).nextToken
  if (token === undefined) throw new Error('expected a token')
  return token
}
const errorOf = (r: Either.Either<{ name: string; message: string }, unknown>) =>
  Either.isLeft(r) ? `${r.left.name}: ${r.left.message}` : 'accepted'

test('a token is URL-safe and versioned', (t) => {
  t.regex(firstToken(), /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
})

testProp(
  'changing any one character of a token gets InvalidPaginationTokenException',
  [fc.nat(), fc.nat()],
  (t, at, pick) => {
    const token = firstToken()
    const i = at % token.length
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'
    const replacement = alphabet.replace(token[i] as string, '')[pick % (alphabet.length - 1)] as string
    const forged = token.slice(0, i) + replacement + token.slice(i + 1)
    t.regex(
      errorOf(queryAggregations(testEngine(findings))({ ...query, nextToken: forged })),
      /^InvalidPaginationTokenException: /,
    )
  },
)

test('an expired token is rejected, and one just before expiry is accepted', (t) => {
  let now = 1_700_000_000_000
  const engine = testEngine(findings, { now: () => now })
  const token = firstToken(engine)
  now += 24 * 3600 * 1000 - 1000
  t.is(errorOf(queryAggregations(engine)({ ...query, nextToken: token })), 'accepted')
  now += 1000
  t.regex(
    errorOf(queryAggregations(engine)({ ...query, nextToken: token })),
    /InvalidPaginationTokenException: nextToken expired/,
  )
})

test('a token issued for another filter, query or caller is rejected', (t) => {
  const engine = testEngine(findings, { pageSize: 1 })
  const aws = rightOf(
    listImageScanFindingAggregations(engine)({
      filter: { name: 'accountId', values: ['111111111111', '222222222222', '333333333333'] },
    }),
  )
  const token = aws.nextToken as string
  t.truthy(token)
  t.is(
    errorOf(
      listImageScanFindingAggregations(engine)({
        filter: { name: 'accountId', values: ['111111111111', '222222222222', '333333333333'] },
        nextToken: token,
      }),
    ),
    'accepted',
  )
  t.regex(
    errorOf(
      listImageScanFindingAggregations(engine)({
        filter: { name: 'accountId', values: ['111111111111', '222222222222'] },
        nextToken: token,
      }),
    ),
    /different request or caller/,
  )
  t.regex(
    errorOf(listImageScanFindingAggregations(engine)({ nextToken: token })),
    /different request or caller/,
  )
  t.regex(
    errorOf(
      listImageScanFindingAggregations(engine, { id: 'mallory' })({
        filter: { name: 'accountId', values: ['111111111111', '222222222222', '333333333333'] },
        nextToken: token,
      }),
    ),
    /different request or caller/,
  )
  const q = firstToken(engine)
  t.regex(
    errorOf(queryAggregations(engine)({ ...query, sortOrder: 'DESC', nextToken: q })),
    /different request or caller/,
  )
  t.regex(
    errorOf(queryAggregations(engine)({ ...query, maxResults: 6, nextToken: q })),
    /different request or caller/,
  )
  t.regex(
    errorOf(
      queryAggregations(engine, { id: 'local', accounts: ['111111111111'] })({ ...query, nextToken: q }),
    ),
    /different request or caller/,
  )
})

test('a token signed by an older key still configured is accepted; once the key is rotated out it is rejected', (t) => {
  const oldKey = testKey(1)
  const newKey = testKey(2)
  const before = testEngine(findings, { keys: [oldKey] })
  const token = firstToken(before)
  const rotating = testEngine(findings, { keys: [newKey, oldKey] })
  const page = rightOf(queryAggregations(rotating)({ ...query, nextToken: token }))
  t.is(page.groups[0]?.key, 'CVE-2024-0005')
  t.true(page.nextToken?.startsWith(`v1.${newKey.id}.`))
  const after = testEngine(findings, { keys: [newKey] })
  t.regex(errorOf(queryAggregations(after)({ ...query, nextToken: token })), /not configured/)
})

test('a token for the same key id but another secret is rejected as altered', (t) => {
  const token = firstToken(testEngine(findings, { keys: [testKey(1, 'k1')] }))
  t.regex(
    errorOf(
      queryAggregations(testEngine(findings, { keys: [testKey(2, 'k1')] }))({ ...query, nextToken: token }),
    ),
    /altered/,
  )
})

test('a well-signed token whose cursor does not fit the query is rejected', (t) => {
  const key = testKey(7)
  const config = { keys: [key] as const, ttlSeconds: 60, now: () => 1_700_000_000_000 }
  const forged = signToken(config, 'fp', [1, 2])
  t.regex(errorOf(verifyToken(config, forged, 'other')), /different request/)
  t.deepEqual(rightOf(verifyToken(config, forged, 'fp')), [1, 2])
})

test('keys shorter than 32 bytes are refused; text keys parse from hex and base64 with an optional id', (t) => {
  t.regex(errorOf(makeTokenKey(new Uint8Array(31))), /at least 32 bytes/)
  const hex = rightOf(parseTokenKey(`k2:${'ab'.repeat(32)}`))
  t.is(hex.id, 'k2')
  t.is(hex.secret.length, 32)
  const b64 = rightOf(parseTokenKey(Buffer.alloc(40, 3).toString('base64')))
  t.is(b64.secret.length, 40)
  t.is(b64.id.length, 8)
  t.regex(errorOf(parseTokenKey('not a key!')), /hex or base64/)
})

test('a token refused for another query names the part that differs: grouping, filter, sort, page size, caller scope', (t) => {
  const engine = testEngine(findings)
  const token = firstToken(engine)
  const refused = (q: Record<string, unknown>, caller?: { id: string; accounts?: ReadonlyArray<string> }) =>
    errorOf(queryAggregations(engine, caller)({ ...query, ...q, nextToken: token }))
  const differs = (part: string) =>
    `InvalidPaginationTokenException: nextToken was issued for a different request or caller: ${part} differs; start again without it`
  t.is(refused({ groupBy: 'accountId' }), differs('the grouping (groupBy)'))
  t.is(
    refused({ filters: [{ field: 'severity', comparison: 'EQUALS', value: 'HIGH' }] }),
    differs('the filter'),
  )
  t.is(refused({ sortOrder: 'DESC' }), differs('the sort (sortBy, sortOrder)'))
  t.is(refused({ maxResults: 6 }), differs('the page size (maxResults)'))
  t.is(refused({}, { id: 'other' }), differs('the caller (the identity the token was issued to)'))
  t.is(refused({}, { id: 'local', accounts: ['111111111111'] }), differs("the caller's account scope"))
})

test("a token's payload carries a short digest of each part beside the whole fingerprint, under the signature", (t) => {
  const token = firstToken()
  const payload = JSON.parse(Buffer.from(token.split('.')[2] as string, 'base64url').toString('utf8'))
  t.deepEqual(Object.keys(payload.p).sort(), [
    'accounts',
    'caller',
    'filters',
    'groupBy',
    'operation',
    'size',
    'sortBy',
    'sortOrder',
  ])
  t.true(Object.values(payload.p).every((d) => typeof d === 'string' && /^[A-Za-z0-9_-]{6}$/.test(d)))
  t.is(typeof payload.f, 'string')
})

// The canonical JSON a fingerprint hashes, written out here: members sorted by key (by code
// unit), undefined members left out, arrays and values as JSON writes them.
const canonical = (u: unknown): string => {
  if (Array.isArray(u)) return `[${u.map((e) => canonical(e)).join(',')}]`
  if (u !== null && typeof u === 'object') {
    const o = u as Record<string, unknown>
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`
  }
  return JSON.stringify(u) ?? 'null'
}
const sha = (text: string): string => createHash('sha256').update(text).digest('base64url').slice(0, 22)

testProp(
  "a fingerprint is SHA-256 over the parts' canonical JSON, whole and part by part, whatever their order and shape",
  [
    fc.dictionary(
      fc.string({ maxLength: 6 }),
      fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.array(fc.string({ maxLength: 12 }), { maxLength: 300 }),
        fc.constant(undefined),
      ),
    ),
  ],
  (t, parts) => {
    // Twice: the second is found again, and must be what was made.
    for (const f of [fingerprintParts(parts), fingerprintParts({ ...parts })]) {
      t.is(f.whole, sha(canonical(parts)))
      const named = Object.keys(parts).filter((k) => parts[k] !== undefined)
      t.deepEqual(Object.keys(f.parts).sort(), named.sort())
      for (const k of named) t.is(f.parts[k], sha(canonical(parts[k])).slice(0, 6))
    }
  },
)

testProp(
  'a part made once (CanonicalPart) fingerprints as its value does, and fingerprints found again are never those of other parts',
  [
    fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })), {
      minLength: 1,
      maxLength: 40,
    }),
  ],
  (t, pairs) => {
    for (const [name, value] of pairs) {
      const plain = { [name]: value, [`${name},x`]: 1 }
      t.is(fingerprintParts(plain).whole, sha(canonical(plain)))
      const shared = { [name]: new CanonicalPart(value), [`${name},x`]: 1 }
      t.deepEqual(fingerprintParts(shared), fingerprintParts(plain))
    }
  },
)

test('parts whose names hold separators are told apart from the parts they would run together with', (t) => {
  const cases: ReadonlyArray<Record<string, unknown>> = [
    { a: 1, b: 2 },
    { 'a=1,b': 2 },
    { 'a=1\nb': 2 },
    { 'a:1,b': 2 },
    { 'a":1,"b': 2 },
    { a: '1,b=2' },
    { a: 1, 'b=2': undefined },
    { a: '#', b: 2 },
  ]
  for (const parts of cases) t.is(fingerprintParts(parts).whole, sha(canonical(parts)), JSON.stringify(parts))
})
