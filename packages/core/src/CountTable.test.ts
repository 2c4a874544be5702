import { fc, testProp } from '@fast-check/ava'
import test from 'ava'
import { countFields } from './Counts.js'
import { CountTable } from './CountTable.js'
import { severities } from './Severity.js'

const findingArb = fc.record({
  id: fc.integer({ min: 1, max: 3000 }),
  severity: fc.integer({ min: 0, max: severities.length - 1 }),
  fix: fc.boolean(),
  exploit: fc.boolean(),
})

testProp(
  'rows count what was added to them, each field on its own',
  [fc.array(findingArb, { maxLength: 200 })],
  (t, added) => {
    const table = new CountTable()
    for (const f of added) {
      table.hold(f.id)
      table.add(f.id, f.severity, f.fix, f.exploit)
    }
    // The reference: each row's findings filtered field by field.
    const ids = [...new Set(added.map((f) => f.id))].sort((a, b) => a - b)
    const expected = ids.map((id) => {
      const mine = added.filter((f) => f.id === id)
      const count = (p: (f: (typeof added)[number]) => boolean) => mine.filter(p).length
      return {
        all: mine.length,
        ...Object.fromEntries(severities.map((s, i) => [s.toLowerCase(), count((f) => f.severity === i)])),
        fixAvailable: count((f) => f.fix),
        exploitAvailable: count((f) => f.exploit),
      }
    })
    const seen: Array<[number, unknown]> = []
    table.forEach((id, c) => {
      seen.push([id, c])
    })
    t.deepEqual(
      seen.map(([id]) => id),
      ids,
    )
    t.deepEqual(table.ids(), ids)
    t.deepEqual(
      seen.map(([, c]) => c),
      expected,
    )
    t.deepEqual(
      ids.map((id) => table.counts(id)),
      expected,
    )
    t.is(table.isEmpty(), added.length === 0)
  },
)

test('a row past 2^32 - 1 findings keeps counting exactly', (t) => {
  const table = new CountTable()
  table.hold(5)
  table.add(2, 1, true, false)
  table.add(5, 0, true, true, 2 ** 32 - 2)
  table.add(5, 0, false, true, 3)
  table.add(5, 2, true, false)
  const c = table.counts(5)
  t.is(c.all, 2 ** 32 + 2)
  t.is(c.critical, 2 ** 32 + 1)
  t.is(c.medium, 1)
  t.is(c.fixAvailable, 2 ** 32 - 1)
  t.is(c.exploitAvailable, 2 ** 32 + 1)
  // The other rows are carried over as they were.
  t.deepEqual(table.ids(), [2, 5])
  t.deepEqual(
    countFields.map((f) => table.counts(2)[f]),
    [1, 0, 1, 0, 0, 0, 0, 1, 0],
  )
})

test('a row never added to counts nothing, within the table or beyond it', (t) => {
  const table = new CountTable()
  table.hold(40)
  table.add(40, 3, false, false)
  t.deepEqual(table.counts(7), table.counts(1_000_000))
  t.is(table.counts(7).all, 0)
  t.deepEqual(table.ids(), [40])
})
