import { testProp } from '@fast-check/ava'
import type { InspectorMappingOptions } from '@scantally/core'
import test from 'ava'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import {
  eventOf,
  type Gen,
  gensArb,
  imageScanRecord,
  inspectorRecord,
  pipelineOf,
} from './exports.test.util.js'
import { FastRecord } from './FastRecord.js'
import { fingerprintInto } from './FindingArnSet.js'
import { JsonScanner } from './JsonScanner.js'
import { classifyRecord } from './Record.js'
import { rand, styled } from './styling.test.util.js'
import { WasmRecord } from './WasmRecord.js'

// A scanner over the whole of `text`, with no input after it.
const scannerOver = (text: string): JsonScanner => {
  const s = new JsonScanner()
  s.buf = Buffer.from(text)
  s.eof = true
  return s
}

// Reads the one record of `text` with the fast path: whether it did (else it declined).
const readAlone = (fast: FastRecord, text: string): boolean => {
  try {
    fast.read(scannerOver(text))
    return true
  } catch {
    return false
  }
}

// Reads one record with the fast path: its classification, or 'declined'.
const fastRead = (fast: FastRecord, text: string) =>
  (readAlone(fast, text) ? fast.classify() : undefined) ?? ('declined' as const)

// Whether the walker reads a string as JSON.stringify writes it: without escapes, or with
// escapes but no other byte above ASCII and no lone surrogate (a JavaScript string keeps one,
// UTF-8 cannot; JSON.stringify writes it as an escape, and escapes a pair's halves never).
const walkerReads = (v: string | undefined): boolean => {
  if (v === undefined) return true
  const json = JSON.stringify(v)
  if (!json.includes('\\')) return true
  return ![...json].some((c) => c.charCodeAt(0) > 0x7f) && !/\\u[dD][89a-fA-F]/.test(json)
}

// The mapping options a read may have (the walker decides with the statuses and
// `includeUnlinked`; the reader resolves pipelines), or none.
const mappingArb: fc.Arbitrary<InspectorMappingOptions> = fc.oneof(
  fc.constant({}),
  fc.record({
    statuses: fc.constantFrom<NonNullable<InspectorMappingOptions['statuses']>>(
      ['ACTIVE'],
      ['SUPPRESSED'],
      ['ACTIVE', 'SUPPRESSED', 'CLOSED'],
      ['CLOSED'],
    ),
    includeUnlinked: fc.boolean(),
    resolvePipeline: fc.constantFrom<NonNullable<InspectorMappingOptions['resolvePipeline']>>(
      pipelineOf,
      () => undefined,
      // Not a key string: the finding keeps no pipeline.
      () => '',
    ),
  }),
)

const shapes: ReadonlyArray<readonly [string, (g: Gen) => Record<string, unknown>]> = [
  ['Inspector finding', inspectorRecord],
  ['Image Builder finding', imageScanRecord],
  ['EventBridge event', eventOf],
]

for (const [name, shape] of shapes) {
  testProp(
    `${name}: the compiled walker maps a record as the plain path does, and declines only escaped values it cannot write as UTF-8 alone`,
    [gensArb(6), fc.boolean(), mappingArb],
    (t, gens, arns, mapping) => {
      const fast = new FastRecord({ ...mapping, findingArns: arns })
      for (const g of gens) {
        const record = shape(g)
        const text = JSON.stringify(record)
        const plain = classifyRecord(JSON.parse(text), mapping)
        const got = fastRead(fast, text)
        // Declined only for a value it does not read (see `walkerReads`).
        t.true(got !== 'declined' || !walkerReads(g.vulnerabilityId), text)
        if (got === 'declined') continue
        t.true(E.isRight(plain))
        if (E.isLeft(plain)) continue
        const want =
          plain.right._tag === 'Counted' && !arns
            ? { ...plain.right, finding: { ...plain.right.finding, findingArn: undefined } }
            : plain.right
        const gotNormal =
          got._tag === 'Counted' ? { ...got, finding: { findingArn: undefined, ...got.finding } } : got
        const wantNormal =
          want._tag === 'Counted' ? { ...want, finding: { findingArn: undefined, ...want.finding } } : want
        t.deepEqual(gotNormal, wantNormal)
        // The walker's fingerprint of the ARN is the one `fingerprintInto` makes of the string.
        if (got._tag === 'Counted' && shape !== imageScanRecord) {
          const print = new Uint32Array(4)
          fingerprintInto(g.findingArn, print, 0)
          t.deepEqual(Array.from(fast.print), Array.from(print))
        }
      }
    },
    { numRuns: 60 },
  )
}

// Whether a string holds a surrogate that is not half of a pair.
const loneSurrogate = (v: string | undefined): boolean =>
  v !== undefined && /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(v)

for (const [name, shape] of shapes)
  testProp(
    `${name}: the walker reads keys and values with every character escaped (\\uXXXX in either case, \\/, surrogate pairs) as the plain path does, declining only a lone surrogate`,
    [gensArb(6), fc.integer(), fc.boolean(), mappingArb],
    (t, gens, seed, arns, mapping) => {
      const r = rand(seed)
      const fast = new FastRecord({ ...mapping, findingArns: arns })
      for (const g of gens) {
        const text = styled(shape(g), r, { escapeRate: 1, spaceRate: 0.1, duplicateRate: 0 })
        const plain = classifyRecord(JSON.parse(text), mapping)
        const got = fastRead(fast, text)
        if (got === 'declined') {
          t.true(loneSurrogate(g.vulnerabilityId), text)
          continue
        }
        if (E.isLeft(plain)) return t.fail(`the plain path rejects what the walker read: ${text}`)
        const want =
          plain.right._tag === 'Counted' && !arns
            ? { ...plain.right, finding: { ...plain.right.finding, findingArn: undefined } }
            : plain.right
        const normal = (c: typeof want) =>
          c._tag === 'Counted' ? { ...c, finding: { findingArn: undefined, ...c.finding } } : c
        t.deepEqual(normal(got), normal(want), text)
        if (got._tag === 'Counted' && shape !== imageScanRecord) {
          const print = new Uint32Array(4)
          fingerprintInto(g.findingArn, print, 0)
          t.deepEqual(Array.from(fast.print), Array.from(print))
        }
      }
    },
    { numRuns: 40 },
  )

test("a run whose escaped strings fill the walker's arena stops before the record that does not fit, and the next run reads it", (t) => {
  // Image builds of 1,000 bytes written with every '/' and letter 'a' escaped: the walker's
  // arena of 512 KiB holds about 500 of them unescaped, so 700 take two runs.
  const n = 700
  const builds = Array.from({ length: n }, (_, i) =>
    `arn:aws:imagebuilder:us-east-1:111111111111:image/${String(i).padStart(5, '0')}/${'a/'.repeat(470)}`.slice(
      0,
      1000,
    ),
  )
  // Only values are escaped: a run leaves a record whose first key is escaped to the reader.
  const escaped = (v: string) => `"${v.replaceAll('/', '\\/').replaceAll('a', '\\u0061')}"`
  const text = builds
    .map((build, i) =>
      JSON.stringify({
        findingArn: `arn:aws:inspector2:us-east-1:111111111111:finding/${i}`,
        awsAccountId: '111111111111',
        severity: 'HIGH',
        status: 'ACTIVE',
        resources: [{ tags: { Ec2ImageBuilderArn: 'BUILD' } }],
      }).replace('"BUILD"', escaped(build)),
    )
    .join('\n')
  const fast = new FastRecord({ findingArns: false })
  const s = scannerOver(text)
  const seen: Array<string | undefined> = []
  const reads: Array<number> = []
  while (s.pos < s.buf.length && reads.length < 10) {
    const c = fast.run(s, false, Number.POSITIVE_INFINITY)
    reads.push(c.read)
    for (let i = 0; i < c.counted; i++) {
      fast.runParts(i)
      seen.push(fast.parts.build)
    }
  }
  t.is(reads.length, 2)
  t.true((reads[0] as number) > 0 && (reads[0] as number) < n)
  t.deepEqual(seen, builds)
})

testProp(
  'ASCII finding ARNs of any length up to 1024 fingerprint as fingerprintInto does',
  [
    fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      minLength: 1,
      maxLength: 1024,
    }),
  ],
  (t, arn) => {
    fc.pre(!arn.includes('"') && !arn.includes('\\'))
    const record = {
      findingArn: arn,
      awsAccountId: '111111111111',
      severity: 'HIGH',
      status: 'ACTIVE',
      resources: [
        { tags: { Ec2ImageBuilderArn: 'arn:aws:imagebuilder:us-east-1:111111111111:image/a/1.0.0/1' } },
      ],
    }
    const fast = new FastRecord({ findingArns: false })
    const got = fastRead(fast, JSON.stringify(record))
    t.is(got !== 'declined' && got._tag, 'Counted')
    const print = new Uint32Array(4)
    fingerprintInto(arn, print, 0)
    t.deepEqual(Array.from(fast.print), Array.from(print))
  },
)

testProp(
  'the walker counts the newlines of any stretch of its buffer',
  [fc.uint8Array({ maxLength: 600 }), fc.nat(), fc.nat(), fc.boolean()],
  (t, raw, a, b, dense) => {
    const bytes = Buffer.from(dense ? raw.map((x) => (x % 3 === 0 ? 0x0a : x)) : raw)
    const from = bytes.length === 0 ? 0 : a % (bytes.length + 1)
    const end = from + (b % (bytes.length - from + 1))
    const s = new JsonScanner()
    s.buf = bytes
    const w = new WasmRecord()
    w.walk(s)
    let n = 0
    let last = -1
    for (let i = from; i < end; i++) if (bytes[i] === 0x0a) [n, last] = [n + 1, i]
    t.deepEqual(w.newlines(s, from, end), [n, last])
  },
)

test('the walker knows only the buffer it walked: another buffer is counted by the reader', (t) => {
  const s = new JsonScanner()
  s.buf = Buffer.from('{}\n{}\n')
  const w = new WasmRecord()
  w.walk(s)
  t.deepEqual(w.newlines(s, 0, 6), [2, 5])
  s.buf = Buffer.from('{}\n')
  t.is(w.newlines(s, 0, 3), undefined)
})

test('a hundred thousand distinct group keys, each read twice, are read exactly', (t) => {
  const n = 100_500
  const id = (i: number) => `CVE-${2000 + (i % 25)}-${i}`
  const lines: Array<string> = []
  for (let round = 0; round < 2; round++)
    for (let i = 0; i < n; i++)
      lines.push(
        JSON.stringify({
          awsAccountId: '111111111111',
          imageBuildVersionArn: 'arn:aws:imagebuilder:us-east-1:111111111111:image/a/1.0.0/1',
          severity: 'LOW',
          packageVulnerabilityDetails: { vulnerabilityId: id(i) },
        }),
      )
  const s = scannerOver(lines.join('\n'))
  const fast = new FastRecord({})
  let wrong = 0
  for (let k = 0; k < lines.length; k++) {
    if (k > 0) s.pos++ // the newline
    fast.read(s)
    const c = fast.classify()
    if (c?._tag !== 'Counted' || c.finding.vulnerabilityId !== id(k % n)) wrong++
  }
  t.is(wrong, 0)
  t.is(s.pos, s.buf.length)
})

test('group keys beyond what the walker interns (1,048,576 a walker) are still read exactly', (t) => {
  // Short records, so that a million and more of them stay small: past the table's room (and a
  // key whose probes run long, before that), a key is not interned and the record is decoded on
  // its own, with the same finding.
  const room = 1 << 20
  const n = room + 20_000
  const id = (i: number) => `V${i}`
  const record = (i: number) =>
    `{"awsAccountId":"111111111111","severity":"LOW","packageVulnerabilityDetails":{"vulnerabilityId":"${id(i)}"}}`
  const parts: Array<string> = []
  for (let i = 0; i < n; i++) parts.push(record(i))
  // The last keys again, after the table filled: still not interned, still read.
  for (let i = n - 1000; i < n; i++) parts.push(record(i))
  const s = scannerOver(parts.join('\n'))
  const fast = new FastRecord({ includeUnlinked: true })
  let wrong = 0
  let lastId = -1
  for (let k = 0; k < parts.length; k++) {
    if (k > 0) s.pos++ // the newline
    fast.read(s)
    const c = fast.classify()
    if (c?._tag !== 'Counted' || c.finding.vulnerabilityId !== id(k < n ? k : k - 1000)) wrong++
    lastId = Math.max(lastId, fast.ids[3] as number)
  }
  t.is(wrong, 0)
  t.is(s.pos, s.buf.length)
  // Not vacuous: the table filled to its last id.
  t.is(lastId, room - 1)
})

// The walker's first hash of a key's bytes (`hashBytes` in assembly/record.ts) over 16 bytes,
// as it stands after its two 8-byte words: two keys with the same state there share the hash.
const mask64 = (1n << 64n) - 1n
const hashStep = (h: bigint, word: bigint): bigint => {
  const m = ((h ^ word) * 0xff51afd7ed558ccdn) & mask64
  return m ^ (m >> 32n)
}
const seed16 = 0x9e3779b97f4a7c15n ^ 16n
const word = (b: Buffer, at: number): bigint => b.readBigUInt64LE(at)

// Two 16-byte vulnerability ids the walker's first hash cannot tell apart: the second's last
// word undoes the difference the first word made. Found by trying first words until that last
// word is printable ASCII without a quote or a backslash.
const collidingIds = (): readonly [string, string] => {
  const a = Buffer.from('CVE-2024-0000001', 'latin1')
  const afterA = hashStep(seed16, word(a, 0))
  const printable = (b: Buffer) => b.every((c) => c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c)
  const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  for (let i = 0; ; i++) {
    let tail = ''
    for (let k = 0, n = i; k < 4; k++, n = Math.floor(n / alnum.length)) tail += alnum[n % alnum.length]
    const first = Buffer.from(`CVE-${tail}`, 'latin1')
    if (first.equals(a.subarray(0, 8))) continue
    const last = Buffer.alloc(8)
    last.writeBigUInt64LE(afterA ^ hashStep(seed16, word(first, 0)) ^ word(a, 8))
    if (printable(last)) return [a.toString('latin1'), Buffer.concat([first, last]).toString('latin1')]
  }
}

test("keys that share the walker's first hash are told apart by its second", (t) => {
  const [a, b] = collidingIds()
  t.not(a, b)
  const record = (id: string) =>
    JSON.stringify({
      awsAccountId: '111111111111',
      imageBuildVersionArn: 'arn:aws:imagebuilder:us-east-1:111111111111:image/a/1.0.0/1',
      severity: 'LOW',
      packageVulnerabilityDetails: { vulnerabilityId: id },
    })
  const fast = new FastRecord({})
  const read = (id: string) => {
    const c = fastRead(fast, record(id))
    return {
      id: fast.ids[3] as number,
      vulnerabilityId: c === 'declined' || c._tag !== 'Counted' ? c : c.finding.vulnerabilityId,
    }
  }
  const first = read(a)
  const second = read(b)
  // The crafted keys do share the first hash in the walker's table (else this test proves nothing).
  t.is(fast.internedHash(first.id), fast.internedHash(second.id))
  t.not(first.id, second.id)
  t.deepEqual([first.vulnerabilityId, second.vulnerabilityId], [a, b])
  t.deepEqual(read(a), first)
  t.deepEqual(read(b), second)
})

// What a record comes to on the fast path: declined (0), or an outcome and, for a counted
// finding, its group keys, its severity, fix and exploit packed as `FindingWords` packs them,
// and its ARN's fingerprint.
type Mapped = readonly [number, ...Array<unknown>]

testProp(
  'a run of records maps each record as reading it alone does, stops before a given offset, and leaves only records the fast path declines',
  [
    gensArb(20),
    fc.array(fc.constantFrom(0, 1, 2), { minLength: 20, maxLength: 20 }),
    fc.boolean(),
    fc.constantFrom(['ACTIVE'] as const, ['ACTIVE', 'CLOSED'] as const, ['SUPPRESSED'] as const),
    fc.boolean(),
    fc.array(fc.constantFrom('', ' ', '\r\n\t '), { minLength: 20, maxLength: 20 }),
    fc.boolean(),
  ],
  (t, gens, shapeOf, inArray, statuses, includeUnlinked, spaces, slashes) => {
    const texts = gens.map((g, i) => {
      const [, shape] = shapes[shapeOf[i] as number] as (typeof shapes)[number]
      // Some writers escape every '/': the ARNs the run interns are then unescaped first.
      const text = JSON.stringify(shape(g))
      return slashes ? text.replaceAll('/', '\\/') : text
    })
    // Records one per line, or elements of an array after its '[' (with spaces around commas).
    const starts: Array<number> = []
    let text = ''
    texts.forEach((x, i) => {
      if (i > 0) text += inArray ? `${spaces[i]},${spaces[i]}` : `${spaces[i]}\n`
      starts.push(Buffer.byteLength(text))
      text += x
    })
    const options = { statuses: [...statuses], includeUnlinked, findingArns: false }

    const alone = new FastRecord(options)
    const want = texts.map((x): Mapped => {
      if (!readAlone(alone, x)) return [0]
      const outcome = alone.outcome()
      if (outcome !== 1) return [outcome]
      const p = alone.parts
      const packed = p.severity * 16 + (p.fix + 1) * 4 + p.exploit + 1
      return [1, p.account, p.build, p.pipeline, p.vulnerabilityId, packed, ...alone.print]
    })

    // A run from each record's start that must stop before the next record: it reads one record
    // or none.
    const fast = new FastRecord(options)
    const s = scannerOver(text)
    const key = (id: number) => (id === 0xffffffff ? undefined : fast.internedString(id))
    starts.forEach((start, i) => {
      s.pos = start
      const c = fast.run(s, inArray, starts[i + 1] ?? Number.POSITIVE_INFINITY)
      if (c.read === 0) {
        t.is(s.pos, start)
        t.deepEqual(want[i], [0])
        return
      }
      t.is(c.read, 1)
      const last = i + 1 === starts.length
      t.is(s.pos, last ? s.buf.length : (starts[i + 1] as number))
      t.is(c.afterRecord, inArray && last)
      if (c.counted === 1) {
        const w = fast.runWords.subarray(fast.runAt, fast.runAt + 9)
        t.deepEqual([1, ...[0, 1, 2, 3].map((j) => key(w[j] as number)), ...w.subarray(4)], want[i])
      } else t.deepEqual([c.notActive === 1 ? 2 : 3], want[i])
    })

    // One run from the start reads every record up to the first it leaves.
    s.pos = 0
    const whole = fast.run(s, inArray, Number.POSITIVE_INFINITY)
    const declined = want.findIndex((m) => m[0] === 0)
    t.is(whole.read, declined < 0 ? want.length : declined)
    t.is(whole.counted, want.slice(0, whole.read).filter((m) => m[0] === 1).length)
  },
  { numRuns: 80 },
)
