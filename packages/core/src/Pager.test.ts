import test from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import { type KeysetPlan, type KeysetRequest, planKeyset, takeKeyset } from './Pager.js'
import { signToken } from './Token.js'
import { testKey } from './testing.js'

const tokens = { keys: [testKey(5)] as const, ttlSeconds: 60, now: () => 1_700_000_000_000 }
const letters = ['a', 'b', 'c', 'd', 'e', 'f', 'g']

const request = (nextToken: string | undefined, extra: Partial<KeysetRequest<string>> = {}) => ({
  operation: 'ListImageScanFindings' as const,
  caller: { id: 'alice' },
  shape: { filter: null },
  size: 3,
  nextToken,
  cursor: (c: ReadonlyArray<string | number>) =>
    c.length === 1 && typeof c[0] === 'string' ? c[0] : undefined,
  subject: 'request' as const,
  ...extra,
})

// Everything after the cursor, in order: the items are their own cursors.
const after = (cursor: string | undefined, limit: number) =>
  letters.filter((l) => cursor === undefined || l > cursor).slice(0, limit)

const pageOf = (nextToken: string | undefined, extra: Partial<KeysetRequest<string>> = {}) =>
  Either.map((plan: KeysetPlan<string>) => takeKeyset(tokens, plan, after, (l) => [l]))(
    planKeyset(tokens, request(nextToken, extra)),
  )

const errorOf = (r: Either.Either<{ readonly message: string }, unknown>) =>
  Either.isLeft(r) ? r.left.message : 'ok'

test('pages follow each other to the end; the last page has no token', (t) => {
  const first = pageOf(undefined)
  if (Either.isLeft(first)) return t.fail()
  t.deepEqual(first.right.items, ['a', 'b', 'c'])
  const second = pageOf(first.right.nextToken)
  if (Either.isLeft(second)) return t.fail()
  t.deepEqual(second.right.items, ['d', 'e', 'f'])
  const third = pageOf(second.right.nextToken)
  if (Either.isLeft(third)) return t.fail()
  t.deepEqual(third.right, { items: ['g'], nextToken: undefined })
})

test('a page that ends exactly at the last item has no token', (t) => {
  const only = pageOf(undefined, { size: 7 })
  t.deepEqual(only, Either.right({ items: letters, nextToken: undefined }))
})

test('a token is bound to the operation, the shape, the page size and the caller', (t) => {
  const first = pageOf(undefined)
  const token = Either.isRight(first) ? first.right.nextToken : undefined
  t.is(typeof token, 'string')
  const different = (part: string) =>
    `nextToken was issued for a different request or caller: ${part} differs; start again without it`
  t.is(errorOf(pageOf(token)), 'ok')
  t.is(errorOf(pageOf(token, { operation: 'ListImageScanFindingAggregations' })), different('the operation'))
  t.is(errorOf(pageOf(token, { shape: { filter: ['severity', 'LOW'] } })), different('the filter'))
  t.is(errorOf(pageOf(token, { size: 4 })), different('the page size (maxResults)'))
  t.is(
    errorOf(pageOf(token, { caller: { id: 'bob' } })),
    different('the caller (the identity the token was issued to)'),
  )
})

test('a token refused for several differing parts names each; an operation change names only it', (t) => {
  const first = pageOf(undefined)
  const token = Either.isRight(first) ? first.right.nextToken : undefined
  t.is(
    errorOf(pageOf(token, { size: 4, shape: { filter: ['severity', 'LOW'] }, caller: { id: 'bob' } })),
    'nextToken was issued for a different request or caller: the filter, the page size (maxResults) and the caller (the identity the token was issued to) differ; start again without it',
  )
  t.is(
    errorOf(pageOf(token, { operation: 'Query', size: 4, shape: { groupBy: 'accountId' } })),
    'nextToken was issued for a different request or caller: the operation differs; start again without it',
  )
})

test('a token without parts (signed on a bare fingerprint) is refused without naming one', (t) => {
  const planned = planKeyset(tokens, request(undefined))
  const whole = Either.isRight(planned) ? planned.right.fingerprint.whole : ''
  const bare = signToken(tokens, whole, ['c'])
  t.is(errorOf(pageOf(bare)), 'ok')
  t.is(
    errorOf(pageOf(bare, { size: 4 })),
    'nextToken was issued for a different request or caller; start again without it',
  )
})

test('a well-signed token whose cursor does not fit is refused, naming the subject', (t) => {
  const planned = planKeyset(tokens, request(undefined))
  const fingerprint = Either.isRight(planned) ? planned.right.fingerprint : ''
  const misfit = signToken(tokens, fingerprint, [1, 2])
  t.is(errorOf(pageOf(misfit)), 'nextToken is malformed: its cursor does not fit this request')
  t.is(
    errorOf(pageOf(misfit, { subject: 'query' })),
    'nextToken is malformed: its cursor does not fit this query',
  )
  t.is(errorOf(pageOf(signToken(tokens, fingerprint, ['c']))), 'ok')
})
