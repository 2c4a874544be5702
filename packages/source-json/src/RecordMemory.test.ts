import test from 'ava'
import { RecordMemory } from './RangeReader.js'

test('memory given back is taken again for the next batches, and a batch always gets as much as it asks', (t) => {
  const memory = new RecordMemory()
  const first = memory.take(0)
  t.true(first.length >= 1 << 20)
  memory.give(first)
  t.true(memory.take(0) === first)
  // Asking for more than any memory given back makes new memory of that size.
  memory.give(first)
  const larger = memory.take(first.length + 1)
  t.false(larger === first)
  t.true(larger.length >= first.length + 1)
  t.true(memory.take(0) === first)
})

test('memory grown for a huge record is let go, not kept for the rest of the read', (t) => {
  const memory = new RecordMemory()
  const huge = memory.take(64 << 20)
  t.true(huge.length >= 64 << 20)
  memory.give(huge)
  t.false(memory.take(0) === huge)
  t.false(memory.take(64 << 20) === huge)
})
