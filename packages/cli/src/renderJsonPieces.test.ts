import { fc, testProp } from '@fast-check/ava'
import { indentedJson } from './IndentedJson.js'
import { renderJsonPieces } from './Render.js'

// The reference is JSON.stringify of the whole response, the list in its place.
testProp(
  'a response rendered in pieces, its list an entry at a time, is what JSON.stringify writes of the whole',
  [
    fc.array(
      fc.tuple(
        fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__' && k !== 'listed'),
        fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
      ),
      { maxLength: 5 },
    ),
    fc.nat(5),
    fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 40 }),
    fc.boolean(),
  ],
  (t, members, at, items, wrapped) => {
    const before = members.slice(0, at)
    const after = members.slice(at)
    const head = Object.fromEntries([...before, ['listed', []], ...after])
    const entryOf = wrapped ? (item: unknown) => ({ key: item, counts: { all: 1 } }) : (item: unknown) => item
    // Entries of any shape, through the generic indenting writer.
    const entryText = (item: unknown) => indentedJson(entryOf(item), 2) as string
    const pieces = [...renderJsonPieces(head, 'listed', items, entryText)].join('')
    t.is(pieces, `${JSON.stringify({ ...head, listed: items.map(entryOf) }, null, 4)}\n`)
  },
)
