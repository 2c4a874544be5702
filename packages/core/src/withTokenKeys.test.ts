import test from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import { listImageScanFindingAggregations, withTokenKeys } from './Engine.js'
import type { Finding } from './Finding.js'
import { rightOf, testEngine, testKey } from './testing.js'

const findings = Array.from({ length: 30 }, (_, i) => ({
  awsAccountId: String(100_000_000_000 + i),
  severity: 'HIGH',
  vulnerabilityId: `CVE-2024-${i}`,
})) as unknown as ReadonlyArray<Finding>

test('rotating keys shares the index and the cache; old tokens verify while their key is listed', (t) => {
  const a = testKey(1, 'a')
  const b = testKey(2, 'b')
  const engine = testEngine(findings, { keys: [a], pageSize: 10 })
  const first = rightOf(listImageScanFindingAggregations(engine)({}))
  t.true(first.nextToken?.startsWith('v1.a.'))

  const rotated = withTokenKeys(engine, [b, a])
  t.is(rotated.index, engine.index)
  t.is(rotated.cache, engine.cache)
  t.is(engine.tokens.keys[0], a, 'the original engine is unchanged')
  const second = rightOf(listImageScanFindingAggregations(rotated)({ nextToken: first.nextToken }))
  t.true(second.nextToken?.startsWith('v1.b.'))
  t.deepEqual(Object.values(second.responses[0] ?? {})[0]?.accountId, '100000000010')

  const retired = withTokenKeys(rotated, [b])
  const refused = listImageScanFindingAggregations(retired)({ nextToken: first.nextToken })
  t.true(Either.isLeft(refused))
  if (Either.isLeft(refused)) t.is(refused.left.name, 'InvalidPaginationTokenException')
  t.true(Either.isRight(listImageScanFindingAggregations(retired)({ nextToken: second.nextToken })))
})
