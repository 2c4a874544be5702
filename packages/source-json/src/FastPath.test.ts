import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { testProp } from '@fast-check/ava'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { formats, gensArb, pipelineOf, tempDir } from './exports.test.util.js'
import { collectFindings, type ReadOptions } from './ReadFindings.js'

// A small deterministic generator, so one fast-check seed decides every styling choice.
const rand = (seed: number) => {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 4294967296
  }
}

interface Style {
  readonly escapeRate: number
  readonly spaceRate: number
  readonly duplicateRate: number
}

const spaces = [' ', '\n', '\t', '\r\n', '  ']

// JSON text of a string, escaping some characters that need no escape (\u form, surrogate pairs
// as two escapes, `\/`), so keys and values reach the readers in every spelling JSON allows.
const str = (s: string, r: () => number, style: Style): string => {
  let out = '"'
  for (const ch of s) {
    const code = ch.codePointAt(0) as number
    if (ch === '"' || ch === '\\' || code < 0x20) out += JSON.stringify(ch).slice(1, -1)
    else if (r() < style.escapeRate) {
      if (ch === '/' && r() < 0.5) out += '\\/'
      else for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`
    } else out += ch
  }
  return `${out}"`
}

const ws = (r: () => number, style: Style): string =>
  r() < style.spaceRate ? (spaces[Math.floor(r() * spaces.length)] as string) : ''

// Serializes a value with members in any order, whitespace anywhere between tokens, escapes,
// and (sometimes) a member given twice, a decoy first: JSON keeps the last.
const styled = (v: unknown, r: () => number, style: Style): string => {
  if (v === null || typeof v !== 'object') return typeof v === 'string' ? str(v, r, style) : JSON.stringify(v)
  if (Array.isArray(v))
    return `[${ws(r, style)}${v.map((x) => styled(x, r, style)).join(`${ws(r, style)},${ws(r, style)}`)}${ws(r, style)}]`
  const entries = Object.entries(v as Record<string, unknown>)
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1))
    ;[entries[i], entries[j]] = [entries[j] as [string, unknown], entries[i] as [string, unknown]]
  }
  const members: string[] = []
  for (const [k, x] of entries) {
    if (r() < style.duplicateRate) members.push(`${str(k, r, style)}:${styled('decoy', r, style)}`)
    members.push(`${str(k, r, style)}${ws(r, style)}:${ws(r, style)}${styled(x, r, style)}`)
  }
  return `{${ws(r, style)}${members.join(`${ws(r, style)},${ws(r, style)}`)}${ws(r, style)}}`
}

// Unknown members with brackets, braces and quotes inside strings, added to every record.
const extra = (deep: unknown) => ({
  'x-notes': { text: '}{ ][ "quoted" \\ end', list: [1, { k: '{[' }, ']}'], é: 'é 😀', deep },
})

const isRecord = (o: Record<string, unknown>) => 'awsAccountId' in o || 'detail' in o

// Record-level changes that make some records invalid or odd in ways the plain path reports.
const mutations: ReadonlyArray<(o: Record<string, unknown>) => void> = [
  (o) => {
    o.severity = 'SEVERE'
  },
  (o) => {
    delete o.awsAccountId
  },
  (o) => {
    o.fixAvailable = 42
  },
  (o) => {
    if ('detail-type' in o) o['detail-type'] = 'Scan Completed'
  },
  (o) => {
    o.status = null
  },
  (o) => {
    o.resources = 'none'
  },
  (o) => {
    o.packageVulnerabilityDetails = null
  },
  (o) => {
    o.imageBuildVersionArn = ''
  },
]

const reshape = (v: unknown, r: () => number, deep: unknown, mutationRate: number): unknown => {
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map((x) => reshape(x, r, deep, mutationRate))
  const o = Object.fromEntries(
    Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, reshape(x, r, deep, mutationRate)]),
  )
  if (!isRecord(o)) return o
  if (r() < mutationRate)
    (mutations[Math.floor(r() * mutations.length)] as (o: Record<string, unknown>) => void)(o)
  return { ...o, ...extra(deep) }
}

// The values of a format file: one document, or one per line.
const valuesOf = (text: string): ReadonlyArray<unknown> => {
  try {
    return [JSON.parse(text)]
  } catch {
    return text
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as unknown)
  }
}

// Byte-level damage: a truncation, or a byte replaced or removed.
const damage = (bytes: Buffer, r: () => number): Buffer => {
  if (bytes.length === 0) return bytes
  const at = Math.floor(r() * bytes.length)
  const kind = Math.floor(r() * 3)
  if (kind === 0) return bytes.subarray(0, at)
  if (kind === 1) {
    const out = Buffer.from(bytes)
    out[at] = Buffer.from('"{},x\\\n ]')[Math.floor(r() * 9)] as number
    return out
  }
  return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)])
}

const optionsArb: fc.Arbitrary<ReadOptions> = fc.record({
  policy: fc.constantFrom('strict' as const, 'skip' as const),
  statuses: fc.constantFrom<NonNullable<ReadOptions['statuses']>>(
    ['ACTIVE'],
    ['ACTIVE', 'SUPPRESSED', 'CLOSED'],
    ['CLOSED'],
  ),
  includeUnlinked: fc.boolean(),
  resolvePipeline: fc.constantFrom<NonNullable<ReadOptions['resolvePipeline']>>(pipelineOf, () => undefined),
  chunkSize: fc.oneof(
    fc.integer({ min: 1, max: 16 }),
    fc.integer({ min: 17, max: 400 }),
    fc.constant(1 << 20),
  ),
})

for (const format of formats) {
  testProp(
    `${format.name}: the fast path gives exactly the plain path's findings, report and errors`,
    [
      gensArb(8),
      fc.integer({ min: 1, max: 4 }),
      fc.record({
        escapeRate: fc.constantFrom(0, 0.03, 0.3),
        spaceRate: fc.constantFrom(0, 0.2, 0.8),
        duplicateRate: fc.constantFrom(0, 0, 0.05),
      }),
      fc.constantFrom(0, 0, 0.2),
      fc.integer(),
      fc.jsonValue({ maxDepth: 2 }),
      fc.boolean(),
      fc.constantFrom(false, false, true),
      optionsArb,
    ],
    async (t, gens, pageSize, style, mutationRate, seed, deep, gzip, damaged, options) => {
      const r = rand(seed)
      const root = await tempDir()
      try {
        const dir = join(root, 'in')
        await mkdir(dir)
        for (const [name, text] of format.files(gens, pageSize)) {
          const values = valuesOf(text).map((v) => styled(reshape(v, r, deep, mutationRate), r, style))
          let bytes: Buffer = Buffer.from(values.join(r() < 0.5 ? '\n' : ' \r\n\t'))
          if (damaged) bytes = damage(bytes, r)
          await writeFile(join(dir, name), gzip ? gzipSync(bytes) : bytes)
        }
        const plain = await collectFindings([dir], { ...options, parser: 'plain' })()
        const fast = await collectFindings([dir], { ...options, parser: 'fast' })()
        // Where a damaged file stops being read, how many raw bytes were pulled before a gzip
        // error surfaced depends on stream timing, not on the parser: compare the rest exactly.
        const comparable = (r: typeof plain) =>
          damaged && E.isRight(r) ? E.right({ ...r.right, report: { ...r.right.report, bytes: 0 } }) : r
        t.deepEqual(comparable(fast), comparable(plain))
      } finally {
        await rm(root, { recursive: true, force: true })
      }
    },
    { numRuns: 25 },
  )
}
