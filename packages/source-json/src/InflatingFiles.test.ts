import { randomBytes } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { constants, gunzipSync, gzipSync } from 'node:zlib'
import { testProp } from '@fast-check/ava'
import type { Finding } from '@scantally/core'
import { collectSource } from '@scantally/core/internal'
import test from 'ava'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { formats, gensArb, inspectorNdjson, tempDir } from './exports.test.util.js'
import { FindingArnSet } from './FindingArnSet.js'
import { InflatingFile, InflatingFiles, readInflatingFile } from './InflatingFiles.js'
import type { Input } from './Input.js'
import { collectFindings, readInputBatches } from './ReadFindings.js'
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

const plain = { escapeRate: 0, spaceRate: 0.1, duplicateRate: 0 }

// Where a finding's record is: its copy's text, or its range of the file.
const placesOf = (r: E.Either<unknown, { readonly value: ReadonlyArray<Finding> }>) =>
  E.isLeft(r)
    ? []
    : r.right.value.map((f) => {
        const at = recordLocation(f)
        return at === undefined ? null : at._tag === 'Copied' ? at.bytes.toString() : [at.start, at.end]
      })

// A file of an overlapping stretch of the values (a finding may be in two files): plain, or
// gzipped, its JSON damaged (`json`) or its gzip data (`gzip`).
const partOf = (values: ReadonlyArray<string>, kind: string, r: () => number): Buffer => {
  const from = Math.floor(r() * values.length)
  let json: Buffer = Buffer.from(
    values
      .slice(from)
      .concat(values.slice(0, from / 2))
      .join('\n'),
  )
  if (kind === 'json') json = damage(json, r)
  const bytes = kind === 'plain' ? json : gzipSync(json)
  return kind === 'gzip' ? damageGzip(bytes, r) : bytes
}

// One or several gzipped exports of every format's values (some of them shared between files, so
// that findings repeat across files; any of them damaged in its JSON or its gzip data; a plain
// file among them), read at once, a thread each (on two, the first file on the calling thread,
// on one every file, unless records are located): the result must be the one-pass read's, finding for finding in
// the same order, with the same report and errors, and, located, each record in the same place
// (a gzipped file's records copied).
testProp(
  'gzipped exports of any format read on a thread each read exactly as in one pass',
  [
    fc.constantFrom(...formats),
    gensArb(10),
    fc.integer({ min: 1, max: 4 }),
    fc.array(fc.constantFrom('none', 'none', 'none', 'json', 'gzip', 'plain'), {
      minLength: 2,
      maxLength: 4,
    }),
    fc.constantFrom(0, 0, 0.2),
    fc.integer(),
    fc.integer({ min: 2, max: 3 }),
    optionsArb,
    fc.boolean(),
  ],
  async (t, format, gens, pageSize, kinds, mutationRate, seed, workers, options, locate) => {
    const r = rand(seed)
    const root = await tempDir()
    try {
      const values = format
        .files(gens, pageSize)
        .flatMap(([, text]) => valuesOf(text))
        .map((v) => styled(reshape(v, r, false, mutationRate), r, plain))
      const files: Array<string> = []
      for (const [i, kind] of kinds.entries()) {
        const bytes = partOf(values, kind, r)
        const file = join(root, `part-${i}.json${kind === 'plain' ? '' : '.gz'}`)
        await writeFile(file, bytes)
        files.push(file)
      }
      const read = { ...options, chunkSize: Math.max(options.chunkSize ?? 64, 64), locate }
      const one = await collectFindings(files, read)()
      // On `workers` threads, and on this thread alone.
      for (const threads of [workers, 1]) {
        const each = await collectFindings(files, { ...read, workers: threads, fileThreads: true })()
        t.deepEqual(placesOf(each), placesOf(one), `${threads}`)
        // A damaged input may be given up before its end (under `skip`, a problem where reading
        // cannot go on): how many of its compressed bytes were read by then depends on how far
        // ahead it was inflated, which differs between the reads.
        const broken = kinds.includes('gzip') || kinds.includes('json')
        t.deepEqual(
          withKeys(comparable(each, broken) as typeof each, options.keys),
          withKeys(comparable(one, broken) as typeof one, options.keys),
          `${threads}`,
        )
      }
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  },
  { numRuns: 10 },
)

// Bytes that `open` gives again the same each time, as an S3 object pinned to its version:
// in chunks of the sizes `sizes` cycles through, each after a turn of the event loop, and, when
// `failAt` is given, an error after that many bytes (as a connection reset would be).
const sentInput = (name: string, bytes: Buffer, sizes: ReadonlyArray<number>, failAt?: number): Input => ({
  name,
  again: true,
  open: async function* () {
    for (let at = 0, k = 0; at < bytes.length; k++) {
      await new Promise((resolve) => setImmediate(resolve))
      const end = Math.min(bytes.length, at + (sizes[k % sizes.length] as number), failAt ?? bytes.length)
      if (end > at) yield bytes.subarray(at, end)
      at = end
      if (at === failAt) throw new Error(`connection reset after ${failAt} bytes`)
    }
  },
})

// The same, for inputs that are not files: each gzipped one is sent to a thread as it is read
// (its first bytes kept to tell its format, then opened again should that need more; a plain one
// told apart and left to the caller; one whose bytes fail midway read again to the error). The
// one-pass read of the same inputs is the reference: findings in order, report and errors.
testProp(
  'gzipped exports sent to a thread each (bytes opened again) read exactly as in one pass',
  [
    fc.constantFrom(...formats),
    gensArb(10),
    fc.array(fc.constantFrom('none', 'none', 'none', 'json', 'gzip', 'plain', 'cut'), {
      minLength: 2,
      maxLength: 4,
    }),
    fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 4 }),
    fc.integer(),
    fc.integer({ min: 2, max: 3 }),
    optionsArb,
    fc.boolean(),
  ],
  async (t, format, gens, kinds, sizes, seed, workers, options, locate) => {
    const r = rand(seed)
    const values = format
      .files(gens, 3)
      .flatMap(([, text]) => valuesOf(text))
      .map((v) => styled(reshape(v, r, false, 0), r, plain))
    const inputs = kinds.map((kind, i) => {
      const bytes = partOf(values, kind, r)
      const failAt = kind === 'cut' ? 2 + Math.floor(r() * (bytes.length - 2)) : undefined
      return sentInput(`part-${i}`, bytes, sizes, failAt)
    })
    const read = (threads: number) =>
      collectSource(
        readInputBatches(async () => E.right(inputs), 'parts', {
          ...options,
          chunkSize: Math.max(options.chunkSize ?? 64, 64),
          locate,
          workers: threads,
          fileThreads: threads > 1,
        }),
      )()
    const one = await read(1)
    const each = await read(workers)
    t.deepEqual(placesOf(each), placesOf(one))
    const broken = kinds.some((k) => k === 'gzip' || k === 'json' || k === 'cut')
    t.deepEqual(
      withKeys(comparable(each, broken) as typeof each, options.keys),
      withKeys(comparable(one, broken) as typeof one, options.keys),
    )
  },
  { numRuns: 10 },
)

test("a sent file's kept first bytes are given again, then the bytes opened again past them", async (t) => {
  const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251))
  let opens = 0
  const open = async function* () {
    opens++
    for (let at = 0; at < bytes.length; at += 999) yield bytes.subarray(at, at + 999)
  }
  const read = async (file: InflatingFile) => {
    const out: Array<Buffer> = []
    for await (const chunk of file.head()) out.push(chunk)
    return Buffer.concat(out)
  }
  // Kept in part: the rest is opened again and the kept bytes skipped.
  const part = new InflatingFile(undefined, open)
  part.keep(bytes.subarray(0, 1500))
  part.keep(bytes.subarray(1500, 2100))
  part.keep(undefined)
  t.true((await read(part)).equals(bytes))
  t.is(opens, 1)
  // Kept whole: nothing is opened again.
  const whole = new InflatingFile(undefined, open)
  whole.keep(bytes.subarray(0, 3000))
  whole.keep(bytes.subarray(3000))
  whole.finish()
  t.true((await read(whole)).equals(bytes))
  t.is(opens, 1)
  // Still being kept: the reader waits for what comes.
  const coming = new InflatingFile(undefined, open)
  const got = read(coming)
  coming.keep(bytes.subarray(0, 10))
  await new Promise((resolve) => setImmediate(resolve))
  coming.keep(bytes.subarray(10))
  coming.finish()
  t.true((await got).equals(bytes))
  t.is(opens, 1)
})

// A file sent faster than its thread reads it waits on this side: with every batch waiting to
// be taken (a bound of one byte), far fewer of its compressed bytes are taken from it than it
// has, and it is still read whole.
test('a sent file is taken from no further ahead of its thread than a bound', async (t) => {
  // Random descriptions, so that it compresses little.
  const hex = (n: number) => randomBytes(n / 2).toString('hex')
  let text = ''
  for (let i = 0; text.length < 48 << 20; i++)
    text += `${JSON.stringify({
      awsAccountId: '111111111111',
      severity: 'HIGH',
      status: 'ACTIVE',
      findingArn: `arn:aws:inspector2:us-east-1:111111111111:finding/${i}`,
      description: hex(2000),
      resources: [
        { tags: { Ec2ImageBuilderArn: 'arn:aws:imagebuilder:us-east-1:111111111111:image/a/1.0.0/1' } },
      ],
    })}\n`
  const lines = text.split('\n').length - 1
  const gz = gzipSync(text, { level: 1 })
  t.true(gz.length > 20 << 20, 'far more compressed bytes than the bound')
  let taken = 0
  const input = sentInput('big', gz, [65_536])
  const counted = {
    ...input,
    open: async function* () {
      for await (const chunk of input.open()) {
        taken += chunk.length
        yield chunk
      }
    },
  }
  const files = new InflatingFiles(
    [{ index: 0, open: counted.open }],
    2,
    { chunkSize: 4096, findingArns: true },
    { ahead: 1 },
  )
  try {
    const thread = await files.take(0)
    if (thread === undefined) return t.fail('the file has no thread')
    await new Promise((resolve) => setTimeout(resolve, 500))
    t.true(taken < gz.length / 2, `${taken} of ${gz.length} bytes taken ahead`)
    const seen = new FindingArnSet()
    const tally = { read: 0, counted: 0, notActive: 0, duplicate: 0, noImageLinkage: 0 }
    let raw = 0
    const read = readInflatingFile(thread, { seen, tally, findingArns: true, mapping: {} }, 4096, (n) => {
      raw += n
    })
    let r = await read.next()
    for (; r.done !== true; r = await read.next());
    t.deepEqual(r.value, { end: 'eof', sawValue: true })
    t.is(tally.counted, lines)
    t.is(raw, gz.length)
  } finally {
    files.close()
  }
})

const readAhead = test.macro(async (t, callingThread: boolean) => {
  const root = await tempDir()
  try {
    const paths = [join(root, 'a.ndjson.gz'), join(root, 'b.ndjson.gz'), join(root, 'c.ndjson.gz')]
    // The second file repeats the first's last 500 findings: counted once, from the first. The
    // first is read in several batches (more than 1 MiB inflated).
    await writeFile(paths[0] as string, gzipSync(inspectorNdjson(12000)))
    await writeFile(paths[1] as string, gzipSync(inspectorNdjson(4000, 11500)))
    await writeFile(paths[2] as string, gzipSync(inspectorNdjson(2000, 20000)))
    // A bound of one byte: every batch waits to be taken before the next is read.
    const files = new InflatingFiles(
      paths.map((path, index) => ({ index, path })),
      3,
      { chunkSize: 4096, findingArns: true },
      { ahead: 1, callingThread },
    )
    const seen = new FindingArnSet()
    const tally = { read: 0, counted: 0, notActive: 0, duplicate: 0, noImageLinkage: 0 }
    const arns: Array<string> = []
    let raw = 0
    try {
      for (const index of [0, 1, 2]) {
        const thread = await files.take(index)
        if (thread === undefined) return t.fail(`file ${index} has no thread`)
        // The later files' threads are started, and wait; slow down the taking further.
        await new Promise((resolve) => setTimeout(resolve, 50))
        const read = readInflatingFile(thread, { seen, tally, findingArns: true, mapping: {} }, 4096, (n) => {
          raw += n
        })
        let r = await read.next()
        for (; r.done !== true; r = await read.next())
          for (const f of r.value as ReadonlyArray<Finding>) arns.push(f.findingArn ?? '')
        t.deepEqual(r.value, { end: 'eof', sawValue: true })
      }
    } finally {
      files.close()
    }
    const expected = [
      ...Array.from({ length: 15500 }, (_, i) => i),
      ...Array.from({ length: 2000 }, (_, i) => 20000 + i),
    ]
    t.deepEqual(
      arns.map((a) => Number(a.slice(a.lastIndexOf('/') + 1))),
      expected,
    )
    t.deepEqual(tally, { read: 18000, counted: 17500, notActive: 0, duplicate: 500, noImageLinkage: 0 })
    let compressed = 0
    for (const p of paths) compressed += (await import('node:fs')).statSync(p).size
    t.is(raw, compressed)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test(
  'a file read ahead pauses at its bound and loses nothing while the files before it are read',
  readAhead,
  false,
)
test('the same with the first file read on the calling thread', readAhead, true)

test('a file whose gzip data breaks is read on from where its thread stopped, and fails there', async (t) => {
  const root = await tempDir()
  try {
    const good = join(root, 'a.ndjson.gz')
    const bad = join(root, 'b.ndjson.gz')
    await writeFile(good, gzipSync(inspectorNdjson(2000)))
    const gz = gzipSync(inspectorNdjson(2000, 5000))
    await writeFile(bad, gz.subarray(0, Math.floor(gz.length * 0.6)))
    for (const policy of ['strict', 'skip'] as const) {
      const one = await collectFindings([good, bad], { policy })()
      const each = await collectFindings([good, bad], { policy, workers: 2, fileThreads: true })()
      t.deepEqual(comparable(each, true), comparable(one, true))
      if (policy === 'strict') t.true(E.isLeft(one))
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

// An export of several MiB compressed (random descriptions, so it compresses little), damaged
// past its first MiB: zlib is fed fixed 1 MiB pieces, so every read (one pass, the file on a
// thread of its own, cut into blocks, from standard input, in chunks of any size) hands over the
// same inflated bytes before the damage and fails at the same place. zlib drops what a failing
// write inflated, so without the fixed pieces a second gzip member with a broken header would
// cost the first member's last records or not, depending on the chunks. The findings of the
// first piece must be there: at least those of the lines zlib inflates, here, from it alone.
test('a large gzipped export damaged past its first piece fails the same way however it is read', async (t) => {
  const r = rand(7)
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('')
  const lines: Array<string> = []
  for (let i = 0, length = 0; length < 8 << 20; i++, length += (lines.at(-1)?.length ?? 0) + 1)
    lines.push(
      JSON.stringify({
        awsAccountId: '111111111111',
        severity: 'HIGH',
        status: 'ACTIVE',
        findingArn: `arn:aws:inspector2:us-east-1:111111111111:finding/${i}`,
        description: hex(400),
        packageVulnerabilityDetails: { vulnerabilityId: `CVE-2024-${i % 97}` },
        resources: [
          { tags: { Ec2ImageBuilderArn: 'arn:aws:imagebuilder:us-east-1:111111111111:image/a/1.0.0/1' } },
        ],
      }),
    )
  const half = Math.floor(lines.length * 0.55)
  const first = gzipSync(`${lines.slice(0, half).join('\n')}\n`)
  const second = gzipSync(lines.slice(half).join('\n'))
  const gz = Buffer.concat([first, second])
  t.true(
    first.length > 1 << 20 && first.length % (1 << 20) > 1 << 16,
    'the members meet inside a later piece',
  )
  // The second member's compression method unknown.
  const members = Buffer.from(gz)
  members[first.length + 2] = 9
  // A stretch overwritten: a block header read there is invalid.
  const overwritten = Buffer.from(gz).fill(0xff, 3 << 19, (3 << 19) + (64 << 10))
  const prefix = gunzipSync(gz.subarray(0, 1 << 20), { finishFlush: constants.Z_SYNC_FLUSH })
  const wholeLines = prefix.toString('utf8').split('\n').length - 1
  const root = await tempDir()
  try {
    for (const [name, bytes] of [
      ['a broken second member', members],
      ['overwritten', overwritten],
    ] as const) {
      const file = join(root, `${name}.ndjson.gz`)
      await writeFile(file, bytes)
      for (const policy of ['strict', 'skip'] as const) {
        const one = await collectFindings([file], { policy, workers: 1 })()
        if (policy === 'strict') t.true(E.isLeft(one), name)
        else {
          t.true(
            E.isRight(one) && one.right.value.length >= wholeLines,
            `${name}: findings before the damage`,
          )
          t.true(E.isRight(one) && one.right.report.skipped.length >= 1, name)
        }
        // Chunks of prime sizes end nowhere near the 1 MiB ones a file is read in by default.
        const stdin = () =>
          Readable.from(
            Array.from({ length: Math.ceil(bytes.length / 7919) }, (_, k) =>
              bytes.subarray(k * 7919, (k + 1) * 7919),
            ),
          )
        for (const [how, read] of [
          ['one pass, in small chunks', collectFindings([file], { policy, workers: 1, chunkSize: 7919 })],
          ['a thread of its own', collectFindings([file], { policy, workers: 2 })],
          [
            'a reader of its own on this thread',
            collectFindings([file], { policy, workers: 1, fileThreads: true, chunkSize: 65521 }),
          ],
          [
            'a thread of its own, in small chunks',
            collectFindings([file], { policy, workers: 2, chunkSize: 65521 }),
          ],
          [
            'blocks',
            collectFindings([file], { policy, workers: 3, fileThreads: false, blockBytes: 1 << 16 }),
          ],
          ['standard input', collectFindings(['-'], { policy, workers: 1, stdin: stdin() })],
          [
            'standard input in blocks',
            collectFindings(['-'], { policy, workers: 3, stdin: stdin(), blockBytes: 1 << 16 }),
          ],
        ] as const) {
          const got = await read()
          // Standard input is named `-` where the file is named by its path.
          const norm = (x: typeof one) =>
            JSON.parse(JSON.stringify(comparable(x, true)).replaceAll(file, '-'))
          t.deepEqual(norm(got), norm(one), `${name}, ${policy}, ${how}`)
        }
      }
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})
