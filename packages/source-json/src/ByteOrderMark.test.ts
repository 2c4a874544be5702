// A UTF-8 byte order mark before an export's first value (editors and Windows PowerShell write
// one) is skipped by every way of reading JSON, plain or gzipped, from a file or a stream; one
// anywhere else is malformed JSON, as before. A file in UTF-16 or UTF-32 is named so.
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { testProp } from '@fast-check/ava'
import test from 'ava'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { gensArb, inspectorRecord, multiset, pipelineOf, tempDir } from './exports.test.util.js'
import { collectFindings, type ReadOptions } from './ReadFindings.js'

const bom = Buffer.from([0xef, 0xbb, 0xbf])
const resolvePipeline = (build: string) => pipelineOf(build)

// Every reader of a file: the plain parser and the fast one in one pass, one thread reading the
// file as one piece, and pieces (or a gzipped file's blocks) on several threads.
const fileReaders: ReadonlyArray<ReadOptions> = [
  { workers: 1, parser: 'plain' },
  { workers: 1, fileThreads: false },
  { workers: 1, splitBytes: 0, fileThreads: true },
  { workers: 2, splitBytes: 0 },
  { workers: 3, splitBytes: 0, blockBytes: 2048 },
]
// And of standard input: in one pass, and cut into blocks for other threads.
const streamReaders: ReadonlyArray<ReadOptions> = [{ workers: 1 }, { workers: 3, blockBytes: 2048 }]

const text = (records: ReadonlyArray<unknown>, layout: 'ndjson' | 'document' | 'pretty'): string =>
  layout === 'ndjson'
    ? `${records.map((r) => JSON.stringify(r)).join('\n')}\n`
    : JSON.stringify({ findings: records }, null, layout === 'pretty' ? 2 : undefined)

testProp(
  'a UTF-8 byte order mark before an export: the findings and report of the same export without it, on every reader',
  [
    gensArb(30),
    fc.constantFrom('ndjson', 'document', 'pretty'),
    fc.boolean(),
    fc.constantFrom('', '\n', '  \r\n'),
  ],
  async (t, gens, layout, gzip, space) => {
    const root = await tempDir()
    try {
      const bare = Buffer.from(space + text(gens.map(inspectorRecord), layout))
      const marked = Buffer.concat([bom, bare])
      const pack = (b: Buffer) => (gzip ? gzipSync(b) : b)
      const plainPath = join(root, 'bare.json')
      const markedPath = join(root, 'marked.json')
      await writeFile(plainPath, pack(bare))
      await writeFile(markedPath, pack(marked))
      const reference = await collectFindings([plainPath], { resolvePipeline, workers: 1, parser: 'plain' })()
      if (E.isLeft(reference)) return t.fail(reference.left.message)
      const expected = { findings: multiset(reference.right.value), report: reference.right.report }
      const check = (read: Awaited<ReturnType<ReturnType<typeof collectFindings>>>, what: string) => {
        if (E.isLeft(read)) return t.fail(`${what}: ${read.left.message}`)
        t.deepEqual(multiset(read.right.value), expected.findings, what)
        t.deepEqual({ ...read.right.report, bytes: 0 }, { ...expected.report, bytes: 0 }, what)
      }
      for (const r of fileReaders)
        check(await collectFindings([markedPath], { resolvePipeline, ...r })(), `file ${JSON.stringify(r)}`)
      for (const r of streamReaders) {
        const stdin = Readable.from([pack(marked)])
        check(await collectFindings(['-'], { resolvePipeline, stdin, ...r })(), `stdin ${JSON.stringify(r)}`)
      }
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  },
  { numRuns: 12 },
)

test('a byte order mark split across the first chunks is still skipped; one after the start is malformed JSON; one alone is an empty input', async (t) => {
  const [gen] = fc.sample(gensArb(1), { numRuns: 1, seed: 7 })[0] ?? []
  if (gen === undefined) return t.fail('no finding generated')
  const record = JSON.stringify(inspectorRecord(gen))
  // The mark arrives a byte at a time.
  const stdin = Readable.from([
    bom.subarray(0, 1),
    bom.subarray(1, 2),
    Buffer.concat([bom.subarray(2), Buffer.from(record)]),
  ])
  const split = await collectFindings(['-'], { stdin, workers: 1 })()
  if (E.isLeft(split)) return t.fail(split.left.message)
  t.is(split.right.report.read, 1)

  const root = await tempDir()
  try {
    const twice = join(root, 'twice.ndjson')
    await writeFile(twice, Buffer.concat([bom, Buffer.from(`${record}\n`), bom, Buffer.from(`${record}\n`)]))
    for (const workers of [1, 2]) {
      const read = await collectFindings([twice], { workers, splitBytes: 0 })()
      if (E.isRight(read)) return t.fail('a byte order mark after the first record was read')
      t.is(read.left._tag, 'MalformedJson')
      t.regex(
        read.left.message,
        new RegExp(`:2:1: malformed JSON at byte ${record.length + 4}: unexpected byte 0xef`),
      )
    }
    const alone = join(root, 'alone.json')
    await writeFile(alone, bom)
    const read = await collectFindings([alone], {})()
    if (E.isRight(read)) return t.fail('a byte order mark alone was read as an export')
    t.is(read.left._tag, 'EmptyInput')
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('an export in UTF-16 or UTF-32 (its byte order mark says which) is in no known format, and the error names its encoding; converted to UTF-8 it reads', async (t) => {
  const [gens] = fc.sample(gensArb(5), { numRuns: 1, seed: 11 })
  if (gens === undefined) return t.fail('no findings generated')
  const export_ = `\ufeff${text(gens.map(inspectorRecord), 'ndjson')}`
  const utf16le = Buffer.from(export_, 'utf16le')
  const swapped = (b: Buffer, width: 2 | 4) =>
    width === 2 ? Buffer.from(b).swap16() : Buffer.from(b).swap32()
  // UTF-32 by hand: every unit of these records is in the basic plane, so a code unit each.
  const utf32le = Buffer.alloc(2 * utf16le.length)
  for (let i = 0; i < utf16le.length / 2; i++) utf32le.writeUInt32LE(utf16le.readUInt16LE(2 * i), 4 * i)
  const encodings: ReadonlyArray<readonly [string, Buffer]> = [
    ['UTF-16LE', utf16le],
    ['UTF-16BE', swapped(utf16le, 2)],
    ['UTF-32LE', utf32le],
    ['UTF-32BE', swapped(utf32le, 4)],
  ]
  const root = await tempDir()
  try {
    const utf8 = join(root, 'utf8.ndjson')
    await writeFile(utf8, Buffer.from(export_))
    const reference = await collectFindings([utf8], { resolvePipeline })()
    if (E.isLeft(reference)) return t.fail(reference.left.message)
    t.is(reference.right.report.read, gens.length)
    for (const [encoding, bytes] of encodings) {
      const path = join(root, `${encoding}.ndjson`)
      await writeFile(path, bytes)
      const read = await collectFindings([path], { resolvePipeline })()
      t.like(read, { _tag: 'Left', left: { _tag: 'UnknownFormat', file: path, encoding } }, encoding)
      if (E.isLeft(read))
        t.is(
          read.left.message,
          `${path}: not an export in any known format: it is ${encoding} text (its byte order mark says so), and exports are read as UTF-8; convert it first (for example: iconv -f ${encoding} -t UTF-8)`,
        )
      // In a directory it is skipped, and named with its encoding.
      const dir = join(root, encoding)
      await mkdir(dir)
      await writeFile(join(dir, 'findings.ndjson'), bytes)
      await writeFile(join(dir, 'utf8.ndjson'), Buffer.from(export_))
      const skipped: Array<string> = []
      const listed = await collectFindings([dir], {
        resolvePipeline,
        onSkippedInput: (file, why) => skipped.push(`${file}: ${why}`),
      })()
      if (E.isLeft(listed)) return t.fail(listed.left.message)
      t.deepEqual(skipped, [`${join(dir, 'findings.ndjson')}: not an export: ${encoding} text`])
      t.deepEqual(multiset(listed.right.value), multiset(reference.right.value))
    }
    // Converted as the message says (Node's decoder standing in for iconv), the byte order mark
    // becomes UTF-8's, which is skipped.
    const converted = join(root, 'converted.ndjson')
    await writeFile(converted, Buffer.from(`\ufeff${new TextDecoder('utf-16le').decode(utf16le)}`))
    const read = await collectFindings([converted], { resolvePipeline })()
    if (E.isLeft(read)) return t.fail(read.left.message)
    t.deepEqual(multiset(read.right.value), multiset(reference.right.value))
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})
