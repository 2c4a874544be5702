import { testProp } from '@fast-check/ava'
import test from 'ava'
import fc from 'fast-check'
import * as O from 'fp-ts/lib/Option.js'
import { parseTimestamp } from './Timestamp.js'

const instant = fc.integer({ min: 0, max: 4_102_444_800_000 })
const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const pad = (n: number, w = 2) => String(n).padStart(w, '0')
const eventBridge = (ms: number) => {
  const d = new Date(ms)
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} UTC ${d.getUTCFullYear()}`
}

testProp(
  'ISO 8601, EventBridge and epoch-second spellings of an instant all parse to it',
  [instant],
  (t, ms) => {
    t.deepEqual(parseTimestamp(new Date(ms).toISOString()), O.some(ms))
    t.deepEqual(parseTimestamp(eventBridge(ms)), O.some(ms))
    t.deepEqual(parseTimestamp(ms / 1000), O.some(ms))
    t.deepEqual(parseTimestamp(String(ms / 1000)), O.some(ms))
  },
)

test('the EventBridge example and an offset ISO time parse', (t) => {
  t.deepEqual(
    parseTimestamp('Wed Sep 04 16:59:44.356 UTC 2024'),
    O.some(Date.UTC(2024, 8, 4, 16, 59, 44, 356)),
  )
  t.deepEqual(parseTimestamp('2024-09-04T18:59:44+02:00'), O.some(Date.UTC(2024, 8, 4, 16, 59, 44)))
})

test('what is not a timestamp is None', (t) => {
  for (const bad of [
    'not a time',
    '2024-02-30T00:00:00Z',
    'Wed Foo 04 16:59:44 UTC 2024',
    '',
    null,
    {},
    Number.NaN,
  ])
    t.deepEqual(parseTimestamp(bad), O.none, String(bad))
})
