import { fc, testProp } from '@fast-check/ava'
import { findingArb, queryArb } from './arbitraries.js'
import { allGroups } from './Engine.js'
import { accumulate } from './Streaming.js'
import { dedupe, rightOf, testEngine } from './testing.js'

testProp(
  'one streaming pass gives the same groups as the index, for any query and caller',
  [
    fc.array(findingArb(), { maxLength: 80 }),
    queryArb,
    fc.option(fc.subarray(['111111111111', '222222222222', '333333333333']), { nil: undefined }),
  ],
  (t, findings, query, accounts) => {
    const caller = accounts === undefined ? { id: 'c' } : { id: 'c', accounts }
    const fromIndex = allGroups(testEngine(findings), query, caller)
    const acc = accumulate(query, caller)
    if (fromIndex._tag === 'Left' || acc._tag === 'Left') {
      t.is(acc._tag, fromIndex._tag)
      return
    }
    for (const f of findings) acc.right.add(f)
    t.deepEqual(acc.right.result(), rightOf(fromIndex))
  },
)

testProp(
  'without de-duplication, a pass over de-duplicated findings gives the same groups',
  [fc.array(findingArb(), { maxLength: 80 }), queryArb],
  (t, findings, query) => {
    const unique = dedupe(findings)
    const plain = rightOf(accumulate(query))
    const trusting = rightOf(accumulate(query, undefined, { dedupe: false }))
    for (const f of unique) {
      plain.add(f)
      trusting.add(f)
    }
    t.deepEqual(trusting.result(), plain.result())
    t.is(trusting.counted(), unique.length)
  },
)

testProp(
  'a finding added with a count counts as that many equal findings added one by one',
  [fc.array(fc.tuple(findingArb(), fc.integer({ min: 1, max: 5 })), { maxLength: 40 }), queryArb],
  (t, counted, query) => {
    const once = rightOf(accumulate(query, undefined, { dedupe: false }))
    const oneByOne = rightOf(accumulate(query, undefined, { dedupe: false }))
    for (const [f, n] of counted) {
      once.add(f, n)
      for (let i = 0; i < n; i++) oneByOne.add(f)
    }
    t.deepEqual(once.result(), oneByOne.result())
    t.is(once.counted(), oneByOne.counted())
  },
)
