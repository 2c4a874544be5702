/**
 * Export files in every spelling JSON allows, for the tests that compare two ways of reading
 * the same bytes (the fast and plain paths, a split and a one-pass read).
 */
import { type Finding, type GroupKey, groupKeys } from '@scantally/core'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { pipelineOf } from './exports.test.util.js'
import type { ReadOptions } from './ReadFindings.js'

// A small deterministic generator, so one fast-check seed decides every styling choice.
export const rand = (seed: number) => {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 4294967296
  }
}

export interface Style {
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
      else
        for (let i = 0; i < ch.length; i++) {
          const hex = ch.charCodeAt(i).toString(16).padStart(4, '0')
          out += `\\u${r() < 0.5 ? hex : hex.toUpperCase()}`
        }
    } else out += ch
  }
  return `${out}"`
}

const ws = (r: () => number, style: Style): string =>
  r() < style.spaceRate ? (spaces[Math.floor(r() * spaces.length)] as string) : ''

// Serializes a value with members in any order, whitespace anywhere between tokens, escapes,
// and (sometimes) a member given twice, a decoy first: JSON keeps the last.
export const styled = (v: unknown, r: () => number, style: Style): string => {
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

export const reshape = (v: unknown, r: () => number, deep: unknown, mutationRate: number): unknown => {
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
export const valuesOf = (text: string): ReadonlyArray<unknown> => {
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
export const damage = (bytes: Buffer, r: () => number): Buffer => {
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

export const optionsArb: fc.Arbitrary<ReadOptions> = fc.record({
  policy: fc.constantFrom('strict' as const, 'skip' as const),
  statuses: fc.constantFrom<NonNullable<ReadOptions['statuses']>>(
    ['ACTIVE'],
    ['ACTIVE', 'SUPPRESSED', 'CLOSED'],
    ['CLOSED'],
  ),
  includeUnlinked: fc.boolean(),
  findingArns: fc.boolean(),
  keys: fc.option(fc.subarray([...groupKeys]), { nil: undefined }),
  resolvePipeline: fc.constantFrom<NonNullable<ReadOptions['resolvePipeline']>>(pipelineOf, () => undefined),
  chunkSize: fc.oneof(
    fc.integer({ min: 1, max: 16 }),
    fc.integer({ min: 17, max: 400 }),
    fc.constant(1 << 20),
  ),
})

/**
 * A read's result with only the group keys `keys` names kept on its findings (the account
 * always): what a read with `keys` gives, whichever path read each record.
 */
export const withKeys = <L, R extends { readonly value: ReadonlyArray<Finding> }>(
  r: E.Either<L, R>,
  keys: ReadonlyArray<GroupKey> | undefined,
): E.Either<L, R> => {
  if (keys === undefined || E.isLeft(r)) return r
  const drop = (f: Finding): Finding => {
    const out: Record<string, unknown> = { ...f }
    // A pipeline is resolved from the image build, which is kept with it.
    if (!keys.includes('imageBuildVersionArn') && !keys.includes('imagePipelineArn'))
      delete out.imageBuildVersionArn
    if (!keys.includes('imagePipelineArn')) delete out.imagePipelineArn
    if (!keys.includes('vulnerabilityId')) delete out.vulnerabilityId
    return out as Finding
  }
  return E.right({ ...r.right, value: r.right.value.map(drop) })
}

/** Damage to a gzip stream: cut short, or a byte of its deflated data changed. */
export const damageGzip = (bytes: Buffer, r: () => number): Buffer => {
  const at = 10 + Math.floor(r() * (bytes.length - 10))
  if (r() < 0.5) return bytes.subarray(0, at)
  const out = Buffer.from(bytes)
  out[at] = (out[at] as number) ^ 0x5a
  return out
}

/**
 * A read's result, with the compressed bytes pulled left out when an input was broken: how far
 * a broken input is read before it fails or is given up differs between reads; the rest is exact.
 */
export const comparable = (r: E.Either<unknown, { report: { bytes: number } }>, broken: boolean) =>
  broken && E.isRight(r) ? E.right({ ...r.right, report: { ...r.right.report, bytes: 0 } }) : r
