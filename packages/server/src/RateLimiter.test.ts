import { fc, testProp } from '@fast-check/ava'
import test from 'ava'
import { burstOf, fullBucket, makeRateLimiter, take } from './RateLimiter.js'

const limitArb = fc.record({
  perSecond: fc.integer({ min: 1, max: 50 }),
  burst: fc.integer({ min: 1, max: 20 }),
})
const gapsArb = fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 200 })

testProp(
  'over any window a caller gets at most burst + rate x elapsed requests through',
  [limitArb, gapsArb],
  (t, limit, gaps) => {
    let bucket = fullBucket(limit, 0)
    let at = 0
    let allowed = 0
    for (const gap of gaps) {
      at += gap
      const d = take(limit)(bucket, at)
      bucket = d.bucket
      if (d.allowed) allowed++
    }
    t.true(allowed <= burstOf(limit) + Math.floor((at / 1000) * limit.perSecond))
  },
)

testProp(
  'a refused request is told how long until a token is back, and then gets through',
  [limitArb],
  (t, limit) => {
    let bucket = fullBucket(limit, 0)
    for (let i = 0; i < limit.burst; i++) bucket = take(limit)(bucket, 0).bucket
    const refused = take(limit)(bucket, 0)
    t.false(refused.allowed)
    t.true(refused.retryAfterSeconds > 0)
    t.true(take(limit)(refused.bucket, refused.retryAfterSeconds * 1000 + 1).allowed)
  },
)

test('buckets are per caller, and a clock stepping back neither refills nor breaks them', (t) => {
  let clock = 10_000
  const limiter = makeRateLimiter({ perSecond: 1, burst: 2 }, () => clock)
  t.deepEqual(
    [
      limiter.take('a').allowed,
      limiter.take('a').allowed,
      limiter.take('a').allowed,
      limiter.take('b').allowed,
    ],
    [true, true, false, true],
  )
  clock = 5_000
  t.false(limiter.take('a').allowed)
  clock = 11_000
  t.true(limiter.take('a').allowed)
})

test('a rate that cannot work is refused at construction', (t) => {
  t.throws(() => makeRateLimiter({ perSecond: 0 }, Date.now), { instanceOf: RangeError })
  t.throws(() => makeRateLimiter({ perSecond: 1, burst: 0.5 }, Date.now), { instanceOf: RangeError })
  t.is(burstOf({ perSecond: 2.5 }), 3)
})
