import { fc, testProp } from '@fast-check/ava'
import { sortByKey } from './KeyOrder.js'

// Keys that share long prefixes and differ anywhere, in any UTF-16 units (lone surrogates too).
const keysArb = fc.array(
  fc.tuple(
    fc.constantFrom('', 'arn:aws:imagebuilder:us-east-1:', 'arn:aws:'),
    fc.string({ unit: 'binary', maxLength: 6 }),
  ),
  { maxLength: 300, size: 'max' },
)

testProp('positions come out in the order the built-in sort gives their strings', [keysArb], (t, parts) => {
  const keys = parts.map(([prefix, rest]) => prefix + rest)
  const positions = keys.map((_, i) => i)
  sortByKey(positions, keys)
  // Every position once, and the keys in order: the reference is the built-in string sort.
  t.deepEqual(
    [...positions].sort((a, b) => a - b),
    keys.map((_, i) => i),
  )
  t.deepEqual(
    positions.map((p) => keys[p]),
    [...keys].sort(),
  )
})

// Few units, many keys: long runs of keys equal up to each position, keys that are prefixes of
// others, duplicates, and the lowest and highest units (and a lone surrogate) among them.
testProp(
  'keys of few distinct units, prefixes of each other and repeated, sort as the built-in sort does',
  [
    fc.array(
      fc
        .array(fc.constantFrom('a', 'b', '\u0000', '\uffff', '\ud800'), { maxLength: 8 })
        .map((u) => u.join('')),
      { maxLength: 400, size: 'max' },
    ),
  ],
  (t, keys) => {
    const positions = keys.map((_, i) => i)
    sortByKey(positions, keys)
    t.deepEqual(
      positions.map((p) => keys[p]),
      [...keys].sort(),
    )
  },
)

testProp(
  'many keys alike but for their ends, or all equal, sort as the built-in sort does',
  [fc.array(fc.nat(40), { maxLength: 400, size: 'max' }), fc.boolean()],
  (t, ends, equal) => {
    const keys = ends.map((n) =>
      equal ? 'arn:aws:imagebuilder:x' : `arn:aws:imagebuilder:us-east-1:111122223333:image/app/1.0.${n}`,
    )
    const positions = keys.map((_, i) => i)
    sortByKey(positions, keys)
    t.deepEqual(
      positions.map((p) => keys[p]),
      [...keys].sort(),
    )
  },
)
