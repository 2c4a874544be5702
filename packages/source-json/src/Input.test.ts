import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import test from 'ava'
import { decodedSize, gunzipped, readUnchanged, releaseInflated } from './Input.js'

test('a file decodes to its size, a gzipped one to the size its trailer records, never less than its own', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-decoded-size-'))
  const at = (name: string) => join(dir, name)
  try {
    const text = Buffer.from('{"findingArn":"arn:aws:inspector2:x"}\n'.repeat(20_000))
    const tail = Buffer.from('{"findingArn":"y"}\n')
    await writeFile(at('plain.ndjson'), text)
    await writeFile(at('one.ndjson.gz'), gzipSync(text))
    // Two members: the trailer is the last one's, a low guess.
    const two = Buffer.concat([gzipSync(text), gzipSync(tail)])
    await writeFile(at('two.ndjson.gz'), two)
    // The gzip magic bytes, then a trailer claiming less than the file.
    const odd = Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(40)])
    await writeFile(at('odd.gz'), odd)
    await writeFile(at('tiny.gz'), Buffer.from([0x1f, 0x8b, 8]))
    t.is(await decodedSize(at('plain.ndjson')), text.length)
    t.is(await decodedSize(at('one.ndjson.gz')), text.length)
    t.is(await decodedSize(at('two.ndjson.gz')), two.length)
    t.is(await decodedSize(at('odd.gz')), odd.length)
    t.is(await decodedSize(at('tiny.gz')), 3)
    t.is(await decodedSize(at('missing.gz')), 0)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

// `length` hexadecimal digits from a fixed sequence: they deflate to about half, so a few MiB of
// them make compressed bytes that arrive in several 1 MiB pieces.
const hexDigits = (length: number, seed: number): Buffer => {
  let x = seed
  const digits = Buffer.alloc(length)
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    digits[i] = '0123456789abcdef'.charCodeAt(x >>> 28)
  }
  return digits
}

test('releaseInflated gives back the inflated buffers zlib filled, when their last chunk is copied, and nothing else', async (t) => {
  // Over 8 MiB of hexadecimal digits from a fixed sequence: it deflates to about half, so the
  // compressed bytes come in several 1 MiB pieces, and a buffer is filled across pieces.
  const digits = hexDigits((8 << 20) + 12_345, 12345)
  const gz = gzipSync(digits)
  async function* raw(): AsyncGenerator<Buffer> {
    for (let at = 0; at < gz.length; at += 100_000) yield gz.subarray(at, at + 100_000)
  }
  const copy = Buffer.alloc(digits.length)
  let at = 0
  let givenBack = 0
  let sharing = 0
  // Taken all before any is copied, as a reader that queues chunks holds them.
  const chunks: Array<Buffer> = []
  for await (const chunk of gunzipped(raw())) chunks.push(chunk)
  for (const chunk of chunks) {
    chunk.copy(copy, at)
    at += chunk.length
    const { length } = chunk
    const endsFull = chunk.buffer.byteLength === 1 << 20 && chunk.byteOffset + length === 1 << 20
    if (!endsFull && chunk.byteOffset + length < chunk.buffer.byteLength) sharing++
    releaseInflated(chunk)
    if (endsFull) {
      givenBack++
      t.is(chunk.buffer.byteLength, 0)
    } else t.is(chunk.length, length)
  }
  t.true(copy.equals(digits))
  // Each full MiB was given back; the last, partly filled buffer was not.
  t.is(givenBack, 8)
  // Some chunks shared their buffer with what was inflated after them, and were left alone.
  t.true(sharing > 0)
  // A buffer not inflated here is never touched.
  const own = Buffer.allocUnsafeSlow(1 << 20)
  releaseInflated(own)
  t.is(own.buffer.byteLength, 1 << 20)
})

test('compressed bytes read from a file are given back once zlib has taken them, and never the buffers a caller made', async (t) => {
  // Over 2 MiB of gzip data: hexadecimal digits from a fixed sequence deflate to about half.
  const digits = hexDigits(5 << 20, 54321)
  const gz = gzipSync(digits)
  t.true(gz.length > 2 << 20)
  const dir = await mkdtemp(join(tmpdir(), 'scantally-compressed-'))
  try {
    const path = join(dir, 'digits.gz')
    await writeFile(path, gz)
    const inflate = async (source: AsyncIterable<Buffer>) => {
      const read: Array<Buffer> = []
      async function* tapped(): AsyncGenerator<Buffer> {
        for await (const chunk of source) {
          read.push(chunk)
          yield chunk
        }
      }
      const out: Array<Buffer> = []
      for await (const chunk of gunzipped(tapped())) out.push(Buffer.from(chunk))
      return { read, inflated: Buffer.concat(out) }
    }
    // The file's chunks, each a buffer of its own, are given back once inflated.
    const file = await inflate(readUnchanged(path, 1 << 20))
    t.true(file.inflated.equals(digits))
    t.true(file.read.length >= 3)
    t.true(file.read.every((c) => c.buffer.byteLength === 0))
    // Whole buffers the caller made are the caller's: left as they are.
    const own = Array.from({ length: Math.ceil(gz.length / (1 << 20)) }, (_, i) =>
      Buffer.from(gz.subarray(i << 20, (i + 1) << 20)),
    )
    async function* caller(): AsyncGenerator<Buffer> {
      yield* own
    }
    const theirs = await inflate(caller())
    t.true(theirs.inflated.equals(digits))
    t.true(own.every((c) => c.length > 0 && c.buffer.byteLength === c.length))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
