import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import test from 'ava'
import { decodedSize } from './Input.js'

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
