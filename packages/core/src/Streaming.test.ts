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
