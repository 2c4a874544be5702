import { setImmediate as turn } from 'node:timers/promises'
import test from 'ava'
import { writePieces } from './Render.js'

// A reader slower than the writer: every write says its text waits in memory, and the waiting
// ends a turn of the event loop later. No piece may be made while a write waits.
test('while a write waits to be drained, no further piece of the answer is made', async (t) => {
  const pieces = Array.from({ length: 40 }, (_, i) => `${String(i).padStart(3, '0')}${'x'.repeat(5000)}`)
  let waiting = false
  let made = 0
  function* lazily(): Generator<string> {
    for (const p of pieces) {
      t.false(waiting, `piece ${made} was made while a write waited`)
      made++
      yield p
    }
  }
  const writes: Array<string> = []
  await writePieces(
    (text) => {
      writes.push(text)
      waiting = true
      return false
    },
    lazily(),
    async () => {
      await turn()
      waiting = false
    },
    16_384,
  )
  t.is(writes.join(''), pieces.join(''))
  t.true(writes.length > 5, `${writes.length} writes`)
})

test('writes that never wait are not held back', async (t) => {
  const writes: Array<string> = []
  await writePieces(
    (text) => {
      writes.push(text)
      return true
    },
    ['a', 'b', 'c'],
  )
  t.deepEqual(writes, ['abc'])
})
