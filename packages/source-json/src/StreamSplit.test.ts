import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { testProp } from '@fast-check/ava'
import type { Finding } from '@scantally/core'
import test from 'ava'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { formats, gensArb, inspectorLine, pipelineOf, tempDir } from './exports.test.util.js'
import { collectFindings, type ReadOptions, readFindings } from './ReadFindings.js'
import { recordLocation } from './RecordLocation.js'
import {
  comparable,
  damage,
  damageGzip,
  optionsArb,
  rand,
  reshape,
  styled,
  valuesOf,
  withKeys,
} from './styling.test.util.js'

// How many streams were long enough to be cut into several blocks (else the comparisons below
// prove nothing): those of more than twice the block size.
let cutReads = 0
let reads = 0
test.after('most generated streams were long enough to be cut into several blocks', (t) => {
  t.log(`${cutReads} of ${reads} streams cut`)
  t.true(cutReads * 2 > reads)
})

// Every format's values in one gzipped export (or, damaged, its JSON or its gzip data), read
// as it is inflated on two or three threads in small blocks: the result must be the one-pass
// read's, finding for finding in the same order, with the same report and errors.
for (const format of formats) {
  testProp(
    `${format.name}: a gzipped export cut into blocks as it inflates reads exactly as in one pass`,
    [
      gensArb(12),
      fc.integer({ min: 1, max: 4 }),
      fc.record({
        escapeRate: fc.constantFrom(0, 0, 0.03),
        spaceRate: fc.constantFrom(0, 0.2),
        duplicateRate: fc.constantFrom(0, 0, 0.05),
      }),
      fc.constantFrom(0, 0, 0.2),
      fc.integer(),
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom('none', 'none', 'json', 'gzip'),
      // A gzipped file is cut into blocks when more than one reader thread is left.
      fc.integer({ min: 3, max: 4 }),
      fc.integer({ min: 64, max: 2048 }),
      optionsArb,
    ],
    async (t, gens, pageSize, style, mutationRate, seed, deep, damaged, workers, blockBytes, options) => {
      const r = rand(seed)
      const root = await tempDir()
      try {
        const file = join(root, 'export.json.gz')
        const values = format
          .files(gens, pageSize)
          .flatMap(([, text]) => valuesOf(text))
          .map((v) => styled(reshape(v, r, deep, mutationRate), r, style))
        let json: Buffer = Buffer.from(values.join(r() < 0.5 ? '\n' : ' \r\n\t'))
        if (damaged === 'json') json = damage(json, r)
        let gz: Buffer = gzipSync(json)
        if (damaged === 'gzip') gz = damageGzip(gz, r)
        await writeFile(file, gz)
        reads++
        if (json.length > 2 * blockBytes) cutReads++
        const read = { ...options, chunkSize: Math.max(options.chunkSize ?? 64, 64) }
        const one = await collectFindings([file], read)()
        const split = await collectFindings([file], { ...read, workers, blockBytes })()
        const broken = damaged !== 'none'
        t.deepEqual(
          withKeys(comparable(split, broken) as typeof split, options.keys),
          withKeys(comparable(one, broken) as typeof one, options.keys),
        )
      } finally {
        await rm(root, { recursive: true, force: true })
      }
    },
    { numRuns: 6 },
  )
}

// `n` Inspector findings as NDJSON (every record counted, record i as finding i), record `invalidAt` of
// an unknown severity, with where each record starts.
const ndjson = (n: number, invalidAt = -1): { text: string; starts: Array<number> } => {
  const starts: Array<number> = []
  let text = ''
  for (let i = 0; i < n; i++) {
    starts.push(Buffer.byteLength(text))
    text += i === invalidAt ? inspectorLine(i, 'SEVERE') : inspectorLine(i)
  }
  return { text, starts }
}

test('an invalid record in a later block is reported where one pass reports it, under either policy', async (t) => {
  const root = await tempDir()
  try {
    const file = join(root, 'findings.ndjson.gz')
    await writeFile(file, gzipSync(ndjson(3000, 2500).text))
    for (const policy of ['strict', 'skip'] as const) {
      const one = await collectFindings([file], { policy })()
      const split = await collectFindings([file], { policy, workers: 3, blockBytes: 4096 })()
      t.deepEqual(split, one)
      if (policy === 'strict') t.true(E.isLeft(one) && one.left.message.includes('record 2501'))
      else t.true(E.isRight(one) && one.right.report.excluded.invalid === 1)
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('standard input is cut into blocks as it arrives, with the same findings as in one pass', async (t) => {
  const { text } = ndjson(2000)
  // Arriving in uneven pieces, as a pipe hands them over.
  const stdin = (): Readable => {
    const bytes = Buffer.from(text)
    const pieces: Array<Buffer> = []
    for (let at = 0, k = 1; at < bytes.length; at += k * 97, k = (k % 13) + 1)
      pieces.push(bytes.subarray(at, at + k * 97))
    return Readable.from(pieces)
  }
  const one = await collectFindings(['-'], { stdin: stdin() })()
  const split = await collectFindings(['-'], { stdin: stdin(), workers: 2, blockBytes: 2048 })()
  t.true(E.isRight(one) && one.right.value.length === 2000)
  t.deepEqual(split, one)
})

// Where each finding of a read lies: the copy of its record, as text.
const copiesOf = (findings: ReadonlyArray<Finding>) =>
  findings.map((f) => {
    const at = recordLocation(f)
    return at?._tag === 'Copied' ? at.bytes.toString() : null
  })

test('a locating read of a gzipped export cut into blocks copies every record, as one pass does', async (t) => {
  const root = await tempDir()
  try {
    const file = join(root, 'findings.ndjson.gz')
    const { text, starts } = ndjson(1500)
    await writeFile(file, gzipSync(text))
    const read: ReadOptions = { locate: true, resolvePipeline: pipelineOf }
    const one = await collectFindings([file], read)()
    const split = await collectFindings([file], { ...read, workers: 3, blockBytes: 4096 })()
    if (E.isLeft(one) || E.isLeft(split)) return t.fail('a read failed')
    // The reference: each record's bytes, from where the export was written.
    const expected = starts.map((s, i) => text.slice(s, (starts[i + 1] ?? text.length) - 1))
    t.deepEqual(copiesOf(one.right.value), expected)
    t.deepEqual(copiesOf(split.right.value), expected)
    t.deepEqual(split.right.value, one.right.value)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('a read cut into blocks, left early, stops its threads and settles its result', async (t) => {
  const root = await tempDir()
  try {
    const file = join(root, 'findings.ndjson.gz')
    await writeFile(file, gzipSync(ndjson(3000).text))
    const source = readFindings([file], { workers: 3, blockBytes: 4096 })
    let seen = 0
    for await (const _ of source) if (++seen === 10) break
    t.is(seen, 10)
    t.true(E.isRight(await source.result))
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('a record longer than a block may grow is read on in one pass, with the same findings', async (t) => {
  const root = await tempDir()
  try {
    const file = join(root, 'findings.ndjson.gz')
    const { text } = ndjson(400)
    const lines = text.split('\n')
    // One record in the middle carries a description far longer than the blocks.
    const huge = JSON.parse(lines[200] as string) as Record<string, unknown>
    huge.description = 'x'.repeat(200_000)
    lines[200] = JSON.stringify(huge)
    await writeFile(file, gzipSync(lines.join('\n')))
    const one = await collectFindings([file], {})()
    const split = await collectFindings([file], { workers: 3, blockBytes: 1024 })()
    t.true(E.isRight(one) && one.right.value.length === 400)
    t.deepEqual(split, one)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})
