import { fc, testProp } from '@fast-check/ava'
import test from 'ava'
import { indentedJson } from './IndentedJson.js'

// The reference is JSON.stringify itself, re-indented.
const reference = (value: unknown, depth: number): string | undefined =>
  JSON.stringify(value, null, 4)?.replace(/\n/g, `\n${'    '.repeat(depth)}`)

testProp(
  'a value is written as JSON.stringify writes it, indented to its depth',
  [
    fc.anything({
      maxDepth: 3,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withSparseArray: true,
      withTypedArray: true,
    }),
    fc.nat(4),
  ],
  (t, value, depth) => {
    t.is(indentedJson(value, depth), reference(value, depth))
  },
)

testProp(
  'answers of many entries with the same members are written alike, entry after entry',
  [
    fc.array(fc.record({ key: fc.string(), counts: fc.dictionary(fc.string(), fc.integer()) }), {
      maxLength: 20,
    }),
  ],
  (t, entries) => {
    t.deepEqual(
      entries.map((e) => indentedJson(e, 2)),
      entries.map((e) => reference(e, 2)),
    )
  },
)

test('what JSON leaves out or writes as null is left out or null here', (t) => {
  const values = [
    { a: undefined, b: () => 1, c: Symbol('s'), d: 1 },
    [undefined, () => 1, Symbol('s'), Number.NaN, Number.POSITIVE_INFINITY, -0],
    { toJSON: () => ({ replaced: true }) },
    { nested: { toJSON: () => 'text' }, list: [new Date(0)] },
    { '': 1, 'a"b': 2, '\n': 3, '\u2028': 4 },
    {},
    [],
    [[]],
    undefined,
  ]
  for (const v of values) t.is(indentedJson(v, 1), reference(v, 1))
})
