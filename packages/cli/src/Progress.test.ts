import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import test from 'ava'
import { inputBytes } from './Progress.js'

test('inputs count as their bytes on disk, or with gzipped files as they inflate where room is made for them', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-progress-'))
  try {
    const text = Buffer.from('{"findingArn":"x"}\n'.repeat(50_000))
    const gz = gzipSync(text)
    const parts = join(dir, 'parts')
    await writeFile(join(dir, 'export.ndjson.gz'), gz)
    // A folder of parts: each part as it inflates; progress keeps counting the bytes on disk.
    await mkdir(parts)
    await writeFile(join(parts, 'a.ndjson.gz'), gz)
    await writeFile(join(parts, 'b.ndjson'), text)
    t.is(await inputBytes([parts], true), 2 * text.length)
    t.is(await inputBytes([parts]), gz.length + text.length)
    t.is(await inputBytes([join(dir, 'export.ndjson.gz'), '-'], true), text.length)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
