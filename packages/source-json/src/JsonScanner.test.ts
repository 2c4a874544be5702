import { testProp } from '@fast-check/ava'
import test from 'ava'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { parseJsonDocument, projection } from './JsonScanner.js'
import { RecordReader } from './RecordReader.js'

const jsonParse = (s: string): E.Either<string, unknown> => {
  try {
    return E.right(JSON.parse(s))
  } catch (e) {
    return E.left(String(e))
  }
}

const valueArb = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' })

testProp(
  'a JSON document parses to what JSON.parse gives',
  [valueArb, fc.constantFrom(0, 1, 2, '\t')],
  (t, v, indent) => {
    const text = JSON.stringify(v, null, indent)
    t.deepEqual(parseJsonDocument(Buffer.from(text)), E.right(JSON.parse(text)))
  },
)

// Mutations that keep the text close to JSON, so both parsers are tested near the boundary.
const mutatedArb = fc
  .tuple(
    valueArb,
    fc.nat(),
    fc.constantFrom('', '"', '\\', ',', ':', '{', '}', '[', ']', '0', '-', 'e', '.', '\u0001', ' ', 'n'),
  )
  .map(([v, at, insert]) => {
    const s = JSON.stringify(v)
    const i = s.length === 0 ? 0 : at % (s.length + 1)
    return insert === '' ? s.slice(0, i) + s.slice(i + 1) : s.slice(0, i) + insert + s.slice(i)
  })

testProp('text is accepted exactly when JSON.parse accepts it', [mutatedArb], (t, s) => {
  // Compare on bytes: a lone surrogate in the text becomes U+FFFD when encoded.
  const bytes = Buffer.from(s)
  const ours = parseJsonDocument(bytes)
  const theirs = jsonParse(bytes.toString('utf8'))
  t.is(E.isRight(ours), E.isRight(theirs), s)
  if (E.isRight(ours) && E.isRight(theirs)) t.deepEqual(ours.right, theirs.right)
})

testProp(
  'records read from any chunking of concatenated documents, arrays and pages are the records written',
  [
    fc.array(fc.dictionary(fc.string({ unit: 'binary', maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })), {
      maxLength: 12,
    }),
    fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }),
    fc.constantFrom('ndjson', 'array', 'page'),
  ],
  (t, records, cuts, layout) => {
    // Keys `findings`, `nextToken`, `requestId` would make a record look like a page.
    const clean = records.map((r) =>
      Object.fromEntries(
        Object.entries(r).filter(([k]) => !['findings', 'nextToken', 'requestId'].includes(k)),
      ),
    )
    const text =
      layout === 'ndjson'
        ? clean.map((r) => JSON.stringify(r)).join('\n')
        : layout === 'array'
          ? JSON.stringify(clean)
          : JSON.stringify({ nextToken: 'x', findings: clean })
    const bytes = Buffer.from(text)
    const got: Array<unknown> = []
    // With no projected member, a record's members are all skipped: project everything instead.
    const all = projection(
      Object.fromEntries(clean.flatMap((r) => Object.keys(r)).map((k) => [k, true] as const)),
    )
    const reader = new RecordReader(all, (r) => {
      got.push(r)
      return true
    })
    let at = 0
    for (let i = 0; at < bytes.length; i++) {
      const n = cuts[i % cuts.length] as number
      t.is(reader.push(bytes.subarray(at, at + n)), undefined)
      at += n
    }
    t.is(reader.finish(), undefined)
    t.deepEqual(got, JSON.parse(JSON.stringify(clean)))
  },
)

test('a syntax error is located by byte offset, line and column', (t) => {
  const reader = new RecordReader(projection({ a: true }), () => true)
  const text = '{"a":1}\n{"a":2}\n{"a":3,,}\n'
  t.deepEqual(reader.push(Buffer.from(text.slice(0, 12))), undefined)
  const problem = reader.push(Buffer.from(text.slice(12)))
  t.deepEqual(problem, { offset: 23, line: 3, column: 8, message: "unexpected ',', expected a string key" })
})

test('a truncated document is an error at its end', (t) => {
  const reader = new RecordReader(projection({}), () => true)
  t.is(reader.push(Buffer.from('{"findings":[{"a":1},{"b"')), undefined)
  t.like(reader.finish(), { offset: 25, line: 1, message: 'unexpected end of input (truncated?)' })
})

// A record longer than the chunks it arrives in, after whitespace and the array's bracket:
// however it is cut, the reader says it started where its brace is (counted on the text here),
// also while it holds chunks back to read the record again once twice its bytes are there.
testProp(
  'a record still being read is placed at its start, however its bytes arrive',
  [
    fc.string({ unit: fc.constantFrom(' ', '\n', '\t'), maxLength: 6 }),
    fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1 }),
  ],
  (t, space, cuts) => {
    const text = `${space}[${space}{"detail":{"findingArn":"${'x'.repeat(60)}","title":"${'y'.repeat(60)}"`
    const start = text.indexOf('{')
    const reader = new RecordReader(projection({ detail: true }), () => true)
    let at = 0
    for (let i = 0; at < text.length; i++) {
      const n = cuts[i % cuts.length] as number
      t.is(reader.push(Buffer.from(text.slice(at, at + n))), undefined)
      at += n
      if (at > start)
        t.like(reader.lastStart(), { offset: start, lines: text.slice(0, start).split('\n').length - 1 })
    }
  },
)
