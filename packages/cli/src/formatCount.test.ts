import { fc, testProp } from '@fast-check/ava'
import { formatCount } from './Summary.js'

// The reference is the locale's own formatting of the rounded number.
testProp(
  'a count (or a rate) is written as toLocaleString en-US writes it, rounded',
  [
    fc.oneof(
      fc.nat(),
      fc.double({ min: 0, max: 1e15, noNaN: true }),
      fc.constantFrom(0, 999, 1000, 999_999, 1e6),
    ),
  ],
  (t, n) => {
    t.is(formatCount(n), Math.round(n).toLocaleString('en-US'))
  },
)
