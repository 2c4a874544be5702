import { testProp } from '@fast-check/ava'
import fc from 'fast-check'
import { FindingArnSet } from './FindingArnSet.js'

testProp(
  'the fingerprint set answers like a Set of the ARNs, with or without room reserved',
  [
    fc.array(fc.oneof(fc.constantFrom('a', 'b', 'arn:aws:inspector2:x'), fc.string({ unit: 'binary' })), {
      maxLength: 3000,
    }),
    fc.nat({ max: 5000 }),
    fc.nat(),
  ],
  (t, arns, room, when) => {
    const set = new FindingArnSet()
    const reference = new Set<string>()
    // Room made at any point changes no answer.
    const at = arns.length === 0 ? 0 : when % arns.length
    const got = arns.map((a, i) => {
      if (i === at) set.reserve(room)
      return set.add(a)
    })
    const want = arns.map((a) => {
      const fresh = !reference.has(a)
      reference.add(a)
      return fresh
    })
    t.deepEqual(got, want)
    t.is(set.count, reference.size)
  },
)

testProp(
  'every ARN added is still found after the set has grown many times',
  [fc.nat({ max: 20_000 }), fc.string({ maxLength: 8 }), fc.nat({ max: 30_000 })],
  (t, n, prefix, room) => {
    const set = new FindingArnSet()
    set.reserve(room)
    const arns = Array.from({ length: n }, (_, i) => `arn:aws:inspector2:us-east-1:1:finding/${prefix}${i}`)
    t.true(arns.every((a) => set.add(a)))
    t.false(arns.some((a) => set.add(a)))
    t.is(set.count, n)
  },
  { numRuns: 30 },
)
