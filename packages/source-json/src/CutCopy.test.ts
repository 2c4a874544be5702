import { rm } from 'node:fs/promises'
import { testProp } from '@fast-check/ava'
import test from 'ava'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { formats, type Gen, gensArb, multiset, tempDir, writeFormat } from './exports.test.util.js'
import { collectFindings } from './ReadFindings.js'
import { recordProjection } from './Record.js'
import { RecordReader, type SyntaxProblem } from './RecordReader.js'

// Reads `bytes` pushed in chunks of the sizes `cuts` (in turn), with compact copies from
// `cutFrom` bytes (`Infinity`: the reader as it reads without them, the reference), going on
// past problems as a read under the `skip` policy does; what the sink got and the problems.
const readAll = (bytes: Buffer, cuts: ReadonlyArray<number>, cutFrom: number) => {
  const records: Array<readonly [unknown, number]> = []
  const problems: Array<SyntaxProblem> = []
  const reader = new RecordReader(
    recordProjection,
    (r, offset) => {
      records.push([r, offset])
      return true
    },
    { cutFrom },
  )
  let open = true
  const settle = (first: SyntaxProblem | undefined): void => {
    for (let p = first; p !== undefined && open; p = reader.resume()) {
      problems.push(p)
      open = reader.resync()
    }
  }
  let at = 0
  for (let i = 0; at < bytes.length && open; i++) {
    const n = cuts[i % cuts.length] as number
    settle(reader.push(bytes.subarray(at, at + n)))
    at += n
  }
  if (open) settle(reader.finish())
  return { records, problems }
}

// Text the engine does not read, long enough to be cut: escapes, quotes, backslashes, multi-byte
// and astral characters, control characters (escaped by JSON.stringify).
const longTextArb = fc
  .tuple(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('say \\"hi\\" ', 'é ü ', '😀', '\\', '\t\u0001', 'x'),
    fc.integer({ min: 30, max: 90 }),
  )
  .map(([s, piece, n]) => s + piece.repeat(n) + s)

// Unread members holding long text in any shape: a string, strings in arrays and objects.
const unreadArb = fc.oneof(
  longTextArb,
  fc.array(longTextArb, { maxLength: 3 }),
  fc.record({ text: longTextArb, more: fc.array(fc.record({ deep: longTextArb }), { maxLength: 2 }) }),
)

// A record whose read members are short and whose unread ones are long, some of them nested
// where the projection reads a member next to them.
const recordArb = fc.record({
  findingArn: fc.string({ maxLength: 8 }),
  awsAccountId: fc.constantFrom('111111111111', '222222222222'),
  severity: fc.constantFrom('HIGH', 'LOW'),
  description: unreadArb,
  packageVulnerabilityDetails: fc.record({ vulnerabilityId: fc.string({ maxLength: 6 }), source: unreadArb }),
  resources: fc.array(
    fc.record({
      id: longTextArb,
      tags: fc.record({ Name: unreadArb, Ec2ImageBuilderArn: fc.string({ maxLength: 6 }) }),
    }),
    { maxLength: 2 },
  ),
})

const layout = (records: ReadonlyArray<unknown>, kind: string): string =>
  kind === 'ndjson'
    ? records.map((r) => `${JSON.stringify(r)}\n`).join('')
    : kind === 'array'
      ? JSON.stringify(records, null, 1)
      : kind === 'page'
        ? JSON.stringify({ nextToken: 'n'.repeat(400), findings: records, requestId: 'r'.repeat(300) })
        : JSON.stringify(
            { requestId: 'r'.repeat(300), nextToken: 'n'.repeat(400), findings: records },
            null,
            2,
          )

const layoutArb = fc.constantFrom('ndjson', 'array', 'page', 'pretty page')
const cutsArb = fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 6 })
const cutFromArb = fc.constantFrom(1, 64, 500)

testProp(
  'records with long unread strings read from a compact copy as from their bytes',
  [fc.array(recordArb, { minLength: 1, maxLength: 4 }), layoutArb, cutsArb, cutFromArb],
  (t, records, kind, cuts, cutFrom) => {
    const bytes = Buffer.from(layout(records, kind))
    const cut = readAll(bytes, cuts, cutFrom)
    t.deepEqual(cut, readAll(bytes, cuts, Number.POSITIVE_INFINITY))
    // And the records are what JSON.parse reads, at the offsets where they start.
    t.deepEqual(cut.problems, [])
    t.is(cut.records.length, records.length)
  },
  { numRuns: 60 },
)

// A damage somewhere in the text: a byte inserted or deleted, or the text cut short.
const damagedArb = fc
  .tuple(
    fc.array(recordArb, { minLength: 1, maxLength: 3 }),
    layoutArb,
    fc.nat(),
    fc.constantFrom('', '"', '\\', ',', ':', '{', '}', '[', ']', '0', 'e', '\u0001', 'x', '\\u12', 'end'),
  )
  .map(([records, kind, at, insert]) => {
    const s = layout(records, kind)
    const i = at % (s.length + 1)
    const text =
      insert === 'end'
        ? s.slice(0, i)
        : insert === ''
          ? s.slice(0, i) + s.slice(i + 1)
          : s.slice(0, i) + insert + s.slice(i)
    return { text, kind }
  })

testProp(
  'a damaged record with long unread strings fails alike, at the same offset, line and column',
  [damagedArb, cutsArb, cutFromArb],
  (t, { text, kind }, cuts, cutFrom) => {
    const bytes = Buffer.from(text)
    const cut = readAll(bytes, cuts, cutFrom)
    const whole = readAll(bytes, cuts, Number.POSITIVE_INFINITY)
    // A skipping read goes on after the line of a problem; the lines of a pretty-printed value
    // whose strings were cut are gone, so the read stops there instead (see `RecordReader.resync`).
    if (kind === 'ndjson' || kind === 'page') t.deepEqual(cut, whole)
    else {
      t.deepEqual(cut.problems[0], whole.problems[0])
      t.deepEqual(cut.records, whole.records.slice(0, cut.records.length))
    }
  },
  { numRuns: 300 },
)

test('a huge value the engine reads is read whole', (t) => {
  const id = `CVE-${'\\"é😀'.repeat(3000)}`
  const arn = `arn:${'a'.repeat(100_000)}`
  const record = {
    findingArn: arn,
    description: 'd'.repeat(100_000),
    packageVulnerabilityDetails: { vulnerabilityId: id },
  }
  const bytes = Buffer.from(`${JSON.stringify(record)}\n`)
  const { records, problems } = readAll(bytes, [1000], 100)
  t.deepEqual(problems, [])
  t.deepEqual(records, [[{ findingArn: arn, packageVulnerabilityDetails: { vulnerabilityId: id } }, 0]])
})

test('a huge unread string is held in memory bounded by the chunk size, not by its length', (t) => {
  const description = `${'lorem \\"ipsum\\" \\u00e9 é '.repeat(450_000)}`
  const text = `{"a":1}\n{"awsAccountId":"111111111111","description":"${description}","severity":"LOW"}\n`
  const bytes = Buffer.from(text)
  // Read as a split read's thread reads: what is pending, then as much again, at least a chunk.
  const held = (cutFrom: number): number => {
    const got: Array<unknown> = []
    const reader = new RecordReader(recordProjection, (r) => got.push(r) > 0, { cutFrom })
    let most = 0
    for (let at = 0; at < bytes.length; ) {
      const pending = reader.pending()
      const n = Math.max(1 << 16, pending.length)
      t.is(reader.pushWhole(Buffer.concat([pending, bytes.subarray(at, at + n)])), undefined)
      at += n
      most = Math.max(most, pending.length)
    }
    t.is(reader.finish(), undefined)
    t.deepEqual(got, [{}, { awsAccountId: '111111111111', severity: 'LOW' }])
    return most
  }
  t.true(bytes.length > 10 << 20)
  t.true(held(1 << 20) <= 2 << 20, 'with compact copies from 1 MiB')
  // Read as before, the record is held whole before it is read.
  t.true(held(Number.POSITIVE_INFINITY) >= bytes.length / 2)
})

test('newlines inside a cut string count for the lines of an error after it', (t) => {
  // Raw newlines in a skipped string: not JSON, but the scanner does not look inside it.
  const text = `{"a":1,"d":"${'x\n'.repeat(300)}","b":2}\n{"c":[1,,2]}\n`
  const bytes = Buffer.from(text)
  const offset = text.indexOf(',,') + 1
  const expected = {
    offset,
    line: text.slice(0, offset).split('\n').length,
    column: offset - text.lastIndexOf('\n', offset - 1),
    message: "unexpected ',', expected a JSON value",
  }
  for (const cuts of [[7], [100], [5000]]) {
    const { problems } = readAll(bytes, cuts, 16)
    t.deepEqual(problems, [expected])
  }
})

test('after an error in a cut record whose bytes hold a newline, a skipping read stops there', (t) => {
  // Lines of a value whose strings are cut are gone: the read cannot go on from the next one.
  const text = `{"d":"${'x\n'.repeat(300)}", oops}\n{"awsAccountId":"111111111111"}\n`
  const bytes = Buffer.from(text)
  const cut = readAll(bytes, [64], 16)
  const whole = readAll(bytes, [64], Number.POSITIVE_INFINITY)
  t.deepEqual(cut.problems, [whole.problems[0]])
  t.deepEqual(cut.records, [])
})

// Findings whose descriptive text (description, title, remediation, a resource tag) is long.
const longGensArb = fc
  .tuple(gensArb(6), fc.array(fc.oneof(longTextArb, unreadArb), { minLength: 1, maxLength: 6 }))
  .map(([gs, texts]): ReadonlyArray<Gen> => gs.map((g, i) => ({ ...g, title: texts[i % texts.length] })))

testProp(
  'exports in every format with long descriptive text read alike with and without compact copies',
  [
    longGensArb,
    fc.constantFrom(...formats),
    fc.constantFrom('fast', 'plain' as const),
    fc.integer({ min: 16, max: 2000 }),
  ],
  async (t, gens, format, parser, chunkSize) => {
    const root = await tempDir()
    try {
      const dir = await writeFormat(root, format, gens, 2, false)
      const read = async (cutBytes: number) => {
        const r = await collectFindings([dir], { parser, chunkSize, cutBytes })()
        return E.map(({ value, report }: { value: ReadonlyArray<unknown>; report: unknown }) => ({
          findings: multiset(value as never),
          report,
        }))(r)
      }
      const whole = await read(Number.POSITIVE_INFINITY)
      t.true(E.isRight(whole))
      t.deepEqual(await read(32), whole)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  },
  { numRuns: 40 },
)
