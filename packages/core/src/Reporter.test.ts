import test from 'ava'
import * as io from 'io-ts'
import { boundedArray, boundedString, closed } from './Closed.js'
import { describeValidationErrors, reportFirst } from './Reporter.js'

const errorsOf = (codec: io.Mixed, u: unknown): io.Errors => {
  const r = codec.decode(u)
  if (r._tag === 'Right') throw new Error('expected a failure')
  return r.left
}

test('paths: members by dots, list items by index, intersection and union members by nothing', (t) => {
  const custom = closed(
    'Outer',
    { items: boundedArray(closed('Item', { id: boundedString('Id', 1, 3) }, {}), 0, 5, 'Items') },
    {},
  )
  t.is(
    reportFirst('request', errorsOf(custom, { items: [{ id: 'a' }, { id: 'long' }] })),
    'items[1].id must be a string of 1 to 3 characters, got "long"',
  )
  t.is(
    reportFirst('request', errorsOf(custom, [])),
    'request must be a structure (a JSON object), got a list',
  )
  const builtIn = io.intersection([
    io.type({ a: io.string }),
    io.partial({ b: io.union([io.array(io.number), io.null]) }),
  ])
  t.is(
    describeValidationErrors(errorsOf(builtIn, { a: 1, b: [1, 'x'] })),
    'a: expected string but got 1; b[1]: expected number but got "x"; b: expected null but got [1,"x"]',
  )
  t.is(reportFirst('value', errorsOf(builtIn, { b: null })), 'a must be string')
})
