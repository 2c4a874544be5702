import { testProp } from '@fast-check/ava'
import test from 'ava'
import fc from 'fast-check'
import { maxProbes, StringIds } from './StringIds.js'

// The reference: ids as a Map gives them, each string's first place in the list.
const referenceIds = (placeholder: ReadonlyArray<string>, strings: ReadonlyArray<string>) => {
  const list = [...placeholder]
  const ids = new Map<string, number>()
  const out = strings.map((s) => {
    const known = ids.get(s)
    if (known !== undefined) return known
    ids.set(s, list.length)
    return list.push(s) - 1
  })
  return { out, list }
}

const hashes: ReadonlyArray<readonly [string, ((s: string) => number) | undefined]> = [
  ['its own hash', undefined],
  ['a hash of four values', (s) => s.length & 3],
  ['a hash that is always the same', () => 7],
]

for (const [name, hash] of hashes)
  testProp(
    `with ${name}, a string's id is its first place in the list, as a Map gives it`,
    [
      fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 40 })), {
        maxLength: 400,
      }),
      fc.boolean(),
    ],
    (t, pool, placeholder) => {
      // Each string asked for several times, in an order unlike the one it was first seen in.
      const strings = [...pool, ...[...pool].reverse(), ...pool.filter((_, i) => i % 3 === 0)]
      const start = placeholder ? [''] : []
      const ids = new StringIds([...start], hash)
      const want = referenceIds(start, strings)
      t.deepEqual(
        strings.map((s) => ids.intern(s)),
        want.out,
      )
      t.deepEqual(ids.list, want.list)
    },
  )

test('a probe run longer than maxProbes leaves the ids to a Map, which goes on from the same ids', (t) => {
  const ids = new StringIds([], () => 1)
  const strings = Array.from({ length: maxProbes + 10 }, (_, i) => `build/${i}`)
  for (const s of strings.slice(0, maxProbes)) ids.intern(s)
  t.false(ids.inMap)
  for (const [i, s] of strings.entries()) t.is(ids.intern(s), i)
  t.true(ids.inMap)
  t.is(ids.intern('build/3'), 3)
  t.is(ids.list.length, strings.length)
})

test('a placeholder the list held before is not looked up, and clear forgets the strings', (t) => {
  const list = ['']
  const ids = new StringIds(list)
  t.is(ids.intern(''), 1)
  t.is(ids.intern('a'), 2)
  t.is(ids.intern('a'), 2)
  ids.clear()
  t.is(ids.intern('a'), 3)
  t.deepEqual(list, ['', '', 'a', 'a'])
})

test('a hundred thousand distinct strings keep their ids as the table grows', (t) => {
  const ids = new StringIds()
  const n = 100_000
  const key = (i: number) => `arn:aws:imagebuilder:us-east-1:111122223333:image/p${i % 97}/1.0.${i}/1`
  for (let i = 0; i < n; i++) ids.intern(key(i))
  let wrong = 0
  for (let i = n - 1; i >= 0; i--) if (ids.intern(key(i)) !== i) wrong++
  t.is(wrong, 0)
  t.is(ids.list.length, n)
  t.false(ids.inMap)
})
