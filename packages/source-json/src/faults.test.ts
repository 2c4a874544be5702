import { appendFile, open, rm, truncate, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { fc, testProp } from '@fast-check/ava'
import { buildIndexAsync } from '@scantally/core'
import test from 'ava'
import * as E from 'fp-ts/lib/Either.js'
import { tempDir } from './exports.test.util.js'
import { collectFindings, readFindingBatches } from './ReadFindings.js'

// Faults while reading: whatever happens to the bytes, a read either accounts for all of them
// or says it failed. A partial result is never a Right that looks complete.

const record = (n: number, account = '111111111111') =>
  JSON.stringify({
    awsAccountId: account,
    severity: ['CRITICAL', 'HIGH', 'LOW'][n % 3],
    imageBuildVersionArn: `arn:aws:imagebuilder:us-east-1:111111111111:image/web/1.0.${n}/1`,
    packageVulnerabilityDetails: { vulnerabilityId: `CVE-2024-${n}` },
  })

const layouts = {
  page: (rs: ReadonlyArray<string>) => `{"findings":[${rs.join(',')}]}`,
  ndjson: (rs: ReadonlyArray<string>) => rs.map((r) => `${r}\n`).join(''),
} as const

const inTemp = async <A>(f: (dir: string) => Promise<A>): Promise<A> => {
  const dir = await tempDir()
  try {
    return await f(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

testProp(
  'a file cut anywhere inside a record is an error under strict, and a reported skip under skip',
  [
    fc.integer({ min: 1, max: 40 }),
    fc.nat(),
    fc.nat(),
    fc.constantFrom('page', 'ndjson') as fc.Arbitrary<keyof typeof layouts>,
    fc.integer({ min: 1, max: 300 }),
  ],
  async (t, count, which, where, layout, chunkSize) => {
    const records = Array.from({ length: count }, (_, i) => record(i))
    const text = layouts[layout](records)
    const k = which % count
    const start = text.indexOf(records[k] as string)
    const cut = start + 1 + (where % ((records[k] as string).length - 1))
    await inTemp(async (dir) => {
      const path = join(dir, 'cut.json')
      await writeFile(path, text.slice(0, cut))
      const strict = await collectFindings([path], { chunkSize })()
      if (E.isRight(strict)) return t.fail(`a cut file read as ${strict.right.value.length} findings`)
      t.is(strict.left._tag, 'MalformedJson')
      t.true(strict.left.message.startsWith(path))
      const skip = await collectFindings([path], { chunkSize, policy: 'skip' })()
      if (E.isLeft(skip)) return t.fail(skip.left.message)
      t.is(skip.right.value.length, k)
      t.is(skip.right.report.skipped.length, 1)
      t.regex(skip.right.report.skipped[0]?.reason ?? '', /malformed JSON .*end of input/)
    })
  },
  { numRuns: 60 },
)

testProp(
  'a gzip file cut anywhere is an error, never the findings of its first part',
  [fc.integer({ min: 5, max: 60 }), fc.double({ min: 0.05, max: 0.98, noNaN: true })],
  async (t, count, fraction) => {
    const zipped = gzipSync(Buffer.from(layouts.ndjson(Array.from({ length: count }, (_, i) => record(i)))))
    await inTemp(async (dir) => {
      const path = join(dir, 'cut.json.gz')
      await writeFile(path, zipped.subarray(0, Math.max(10, Math.floor(zipped.length * fraction))))
      const read = await collectFindings([path], { chunkSize: 64 })()
      if (E.isRight(read)) return t.fail(`a cut gzip file read as ${read.right.value.length} findings`)
      t.is(read.left._tag, 'ReadFailed')
    })
  },
  { numRuns: 25 },
)

test('standard input that fails or ends mid-record is an error naming -', async (t) => {
  const text = layouts.ndjson(Array.from({ length: 50 }, (_, i) => record(i)))
  async function* failing() {
    yield Buffer.from(text.slice(0, 1000))
    throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' })
  }
  const failed = await collectFindings(['-'], { stdin: failing() })()
  if (E.isRight(failed)) return t.fail('a failed read succeeded')
  t.like(failed.left, { _tag: 'ReadFailed', file: '-' })
  t.regex(failed.left.message, /EIO/)
  async function* cut() {
    yield Buffer.from(text.slice(0, 1000))
  }
  const ended = await collectFindings(['-'], { stdin: cut() })()
  t.true(E.isLeft(ended) && ended.left._tag === 'MalformedJson')
  // Under skip the failure is reported, never silent.
  const skipped = await collectFindings(['-'], { stdin: failing(), policy: 'skip' })()
  if (E.isLeft(skipped)) return t.fail(skipped.left.message)
  t.is(skipped.right.report.skipped.length, 1)
  t.regex(skipped.right.report.skipped[0]?.reason ?? '', /EIO/)
})

/** Reads a file in small chunks and does something to it after the first batch. */
const readWhile = async (
  path: string,
  change: () => Promise<void>,
): Promise<{ readonly seen: number; readonly result: E.Either<{ readonly message: string }, number> }> => {
  const source = readFindingBatches([path], { chunkSize: 4096 })
  let seen = 0
  let first = true
  for await (const batch of source) {
    seen += batch.length
    if (first) {
      first = false
      await change()
    }
  }
  const result = await source.result
  return { seen, result: E.map((r: { readonly counted: number }) => r.counted)(result) }
}

const many = layouts.ndjson(Array.from({ length: 2000 }, (_, i) => record(i)))

test('a file deleted while it is read is still read whole (the open file stays readable)', async (t) => {
  await inTemp(async (dir) => {
    const path = join(dir, 'gone.ndjson')
    await writeFile(path, many)
    const { seen, result } = await readWhile(path, () => unlink(path))
    t.is(seen, 2000)
    t.deepEqual(result, E.right(2000))
  })
})

test('a file of a directory that disappears before it is opened is an error naming it', async (t) => {
  await inTemp(async (dir) => {
    await writeFile(join(dir, 'a.ndjson'), many)
    await writeFile(join(dir, 'b.ndjson'), many)
    const { result } = await readWhile(dir, () => unlink(join(dir, 'b.ndjson')))
    if (E.isRight(result)) return t.fail(`read ${result.right} findings`)
    t.true(result.left.message.startsWith(join(dir, 'b.ndjson')))
    t.regex(result.left.message, /ENOENT/)
  })
})

test('a file that grows while it is read: an error, or every finding of one state of the file', async (t) => {
  await inTemp(async (dir) => {
    const path = join(dir, 'grows.ndjson')
    await writeFile(path, many)
    const { seen, result } = await readWhile(path, () => appendFile(path, many))
    if (E.isLeft(result)) t.pass()
    else {
      t.true(result.right === 2000 || result.right === 4000, `${result.right} findings`)
      t.is(seen, result.right)
    }
  })
})

test('a file cut mid-record while it is read is an error', async (t) => {
  await inTemp(async (dir) => {
    const path = join(dir, 'cut.ndjson')
    await writeFile(path, many)
    const { result } = await readWhile(path, () => truncate(path, many.indexOf('\n', 20_000) - 10))
    t.true(E.isLeft(result))
  })
})

// A file truncated at a line boundary while it is read must not give the findings before the
// cut as a complete result: the reader checks the file against what it was when opened.
test('a file that shrinks at a record boundary while it is read is an error, not a shorter result', async (t) => {
  await inTemp(async (dir) => {
    const path = join(dir, 'shrinks.ndjson')
    await writeFile(path, many)
    const { seen, result } = await readWhile(path, () => truncate(path, many.indexOf('\n', 20_000) + 1))
    if (E.isRight(result)) return t.fail(`the first ${seen} of 2000 findings were given as the whole file`)
    t.regex(result.left.message, /changed while/)
  })
})

// A file rewritten in place (same size, other valid content) while it is read must not give a
// mix of both versions, counts that no version of the file has.
test('a file rewritten in place while it is read is an error, not a mix of two versions', async (t) => {
  await inTemp(async (dir) => {
    const path = join(dir, 'rewritten.ndjson')
    await writeFile(path, many)
    const other = many.replaceAll('111111111111', '222222222222')
    const { result } = await readWhile(path, async () => {
      const file = await open(path, 'r+')
      try {
        await file.write(other, 0)
      } finally {
        await file.close()
      }
    })
    if (E.isRight(result)) return t.fail('a mix of two versions of the file was given as a result')
    t.regex(result.left.message, /changed while/)
  })
})

test('an index is never built from a good export and a cut-short one: the read fails, so the build does', async (t) => {
  await inTemp(async (dir) => {
    const good = join(dir, 'a-good.json')
    const cut = join(dir, 'b-cut.json')
    await writeFile(good, layouts.page([record(1), record(2)]))
    const whole = layouts.page([record(3), record(4)])
    await writeFile(cut, whole.slice(0, whole.length - 20))
    const index = await buildIndexAsync(readFindingBatches([good, cut]))()
    t.true(E.isLeft(index))
    if (E.isLeft(index)) {
      t.is(index.left._tag, 'MalformedJson')
      t.regex(index.left.message, /b-cut\.json/)
    }
  })
})
