import { fc, testProp } from '@fast-check/ava'
import { grown, trimmed } from './Columns.js'

// A column of `length` with its first `rows` rows filled, as a builder leaves it.
const columnArb = fc
  .integer({ min: 1, max: 64 })
  .chain((length) => fc.tuple(fc.constant(length), fc.integer({ min: 0, max: length })))

testProp(
  'a trimmed column holds exactly the rows used, sharing the column only when at least half of it is used',
  [columnArb, fc.constantFrom('Int32Array', 'Uint32Array', 'Uint8Array', 'Float64Array')],
  (t, [length, rows], kind) => {
    const make = { Int32Array, Uint32Array, Uint8Array, Float64Array }[kind]
    const column = new make(length)
    for (let i = 0; i < length; i++) column[i] = i < rows ? i + 1 : 99
    const kept = trimmed(column, rows)
    t.deepEqual(
      Array.from(kept),
      Array.from({ length: rows }, (_, i) => i + 1),
    )
    t.is(kept.constructor, column.constructor)
    // Room never used is at most half of what stays held.
    const sharesMemory = kept.buffer === column.buffer
    t.is(sharesMemory, rows * 2 >= length)
    t.true(kept.buffer.byteLength <= 2 * rows * column.BYTES_PER_ELEMENT)
  },
)

testProp(
  'a grown column starts with the rows it grew from, the rest empty',
  [fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 40 })],
  (t, values) => {
    const from = Int32Array.from(values)
    const to = grown(from, new Int32Array(values.length * 2 + 1))
    t.deepEqual(Array.from(to.subarray(0, values.length)), values)
    t.true(to.subarray(values.length).every((v) => v === 0))
  },
)
