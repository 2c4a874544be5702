import { createHash } from 'node:crypto'
import { fc, testProp } from '@fast-check/ava'
import test from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import { type Caller, planPage, scopeKey } from './Paging.js'
import type { Query } from './Query.js'
import { sha256 } from './Sha256.js'
import { testKey } from './testing.js'

const tokens = { keys: [testKey(9)] as const, ttlSeconds: 60, now: () => 1_700_000_000_000 }
const account = fc.integer({ min: 100_000_000_000, max: 999_999_999_999 }).map(String)

const plan = (caller: Caller, query: Query) =>
  Either.map((p: { fingerprint: unknown; visible: ReadonlySet<string> | undefined; size: number }) => ({
    fingerprint: p.fingerprint,
    size: p.size,
    visible: p.visible === undefined ? undefined : [...p.visible].sort(),
  }))(planPage(tokens, caller, 'ListImageScanFindingAggregations', query, 10))

// A caller's scope is made once when its accounts are frozen: every page it plans must be the
// one the same accounts in a list that may change plan, fingerprint (whole and parts) and all, so
// tokens cross between the two, and a refused account is refused alike.
testProp(
  "a caller's frozen accounts plan exactly the pages the same accounts, unfrozen, plan",
  [
    fc.uniqueArray(account, { minLength: 1, maxLength: 40 }),
    fc.option(account, { nil: undefined }),
    fc.boolean(),
    fc.constantFrom('accountId', 'imageBuildVersionArn', 'vulnerabilityId'),
  ],
  (t, accounts, named, listed, groupBy) => {
    const filter = named ?? (listed ? accounts[0] : undefined)
    const query = {
      groupBy,
      ...(filter === undefined
        ? {}
        : { filters: [{ field: 'accountId', comparison: 'EQUALS', value: filter }] }),
    } as Query
    const frozen = Object.freeze([...accounts])
    const once = plan({ id: 'alice', accounts: frozen }, query)
    t.deepEqual(once, plan({ id: 'alice', accounts: [...accounts] }, query))
    t.deepEqual(plan({ id: 'alice', accounts: frozen }, query), once)
    // The same accounts in another order are the same scope.
    t.deepEqual(plan({ id: 'alice', accounts: Object.freeze([...accounts].reverse()) }, query), once)
  },
)

test('a list of accounts that may change is read again on every page planned', (t) => {
  const accounts = ['111111111111']
  const query = {
    groupBy: 'accountId',
    filters: [{ field: 'accountId', comparison: 'EQUALS', value: '222222222222' }],
  } as Query
  const caller = { id: 'alice', accounts }
  t.true(Either.isLeft(planPage(tokens, caller, 'ListImageScanFindingAggregations', query, 10)))
  accounts.push('222222222222')
  t.true(Either.isRight(planPage(tokens, caller, 'ListImageScanFindingAggregations', query, 10)))
})

test("a scope made once has a key of its own; another scope's key differs", (t) => {
  const visibleOf = (accounts: ReadonlyArray<string>) => {
    const p = planPage(
      tokens,
      { id: 'a', accounts },
      'ListImageScanFindingAggregations',
      { groupBy: 'accountId' },
      1,
    )
    if (Either.isLeft(p) || p.right.visible === undefined) throw new Error('expected a scope')
    return p.right.visible
  }
  const one = scopeKey(visibleOf(Object.freeze(['111111111111', '222222222222'])))
  t.is(one, scopeKey(visibleOf(Object.freeze(['222222222222', '111111111111']))))
  t.not(one, scopeKey(visibleOf(Object.freeze(['111111111111']))))
  t.not(one, scopeKey(visibleOf(Object.freeze(['111111111111', '333333333333']))))
  t.is(scopeKey(visibleOf(['222222222222', '111111111111'])), '["222222222222","111111111111"]')
})

testProp(
  'sha256 gives the digest a Hash object gives, of texts and of bytes',
  [fc.string({ unit: 'binary', maxLength: 300 }), fc.uint8Array({ maxLength: 300 })],
  (t, text, bytes) => {
    t.is(sha256(text, 'base64url'), createHash('sha256').update(text).digest('base64url'))
    t.is(sha256(bytes, 'hex'), createHash('sha256').update(bytes).digest('hex'))
  },
)
