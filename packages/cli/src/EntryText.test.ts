import { fc, testProp } from '@fast-check/ava'
import { countFields, type Group, groupKeys } from '@scantally/core'
import { toAwsResponse, toQueryResponse } from '@scantally/core/internal'
import { awsEntryText, groupEntryText } from './EntryText.js'
import { renderJsonPieces } from './Render.js'

// Keys of any UTF-16 units (quotes, backslashes, control characters, lone surrogates), counts up
// to the largest safe integer, in the order the engine makes them.
const groupsArb = fc.array(
  fc.record({
    key: fc.oneof(
      fc.string({ unit: 'binary', maxLength: 12 }),
      // The units JSON writes specially, or that straddle ASCII's edge, often.
      fc.string({
        unit: fc.constantFrom('a', ' ', '"', '\\', '/', '\n', '\u001f', '\u007f', 'é', '\ud83d'),
        maxLength: 8,
      }),
    ),
    counts: fc.tuple(...countFields.map(() => fc.maxSafeNat())),
  }),
  { maxLength: 30 },
)
const groupsOf = (raw: ReadonlyArray<{ key: string; counts: ReadonlyArray<number> }>): Array<Group> =>
  raw.map(({ key, counts }) => ({
    key,
    counts: Object.fromEntries(countFields.map((f, i) => [f, counts[i]])) as Group['counts'],
  }))

// The reference is JSON.stringify of the whole response as core's mappings make it.
testProp(
  'an AWS answer written entry by entry is what JSON.stringify writes of the response',
  [groupsArb, fc.constantFrom(...groupKeys), fc.option(fc.string(), { nil: undefined })],
  (t, raw, groupBy, nextToken) => {
    const groups = groupsOf(raw)
    const page = { query: { groupBy }, items: groups, nextToken }
    const head = toAwsResponse('id', { ...page, items: [] })
    t.is(
      [...renderJsonPieces(head, 'responses', groups, awsEntryText(groupBy))].join(''),
      `${JSON.stringify(toAwsResponse('id', page), null, 4)}\n`,
    )
  },
)

testProp(
  'an extended answer written entry by entry is what JSON.stringify writes of the response',
  [groupsArb, fc.constantFrom(...groupKeys)],
  (t, raw, groupBy) => {
    const groups = groupsOf(raw)
    const page = { query: { groupBy }, items: groups, nextToken: undefined }
    t.is(
      [
        ...renderJsonPieces(toQueryResponse('id', { ...page, items: [] }), 'groups', groups, groupEntryText),
      ].join(''),
      `${JSON.stringify(toQueryResponse('id', page), null, 4)}\n`,
    )
  },
)
