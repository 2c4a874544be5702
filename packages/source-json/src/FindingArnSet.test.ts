import { testProp } from '@fast-check/ava'
import fc from 'fast-check'
import { FindingArnSet } from './FindingArnSet.js'

testProp(
  'the fingerprint set answers like a Set of the ARNs',
  [
    fc.array(fc.oneof(fc.constantFrom('a', 'b', 'arn:aws:inspector2:x'), fc.string({ unit: 'binary' })), {
      maxLength: 3000,
    }),
  ],
  (t, arns) => {
    const set = new FindingArnSet()
    const reference = new Set<string>()
    const got = arns.map((a) => set.add(a))
    const want = arns.map((a) => {
      const fresh = !reference.has(a)
      reference.add(a)
      return fresh
    })
    t.deepEqual(got, want)
    t.is(set.count, reference.size)
  },
)
