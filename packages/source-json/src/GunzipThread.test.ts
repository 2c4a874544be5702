import { readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { testProp } from '@fast-check/ava'
import test from 'ava'
import fc from 'fast-check'
import { tempDir } from './exports.test.util.js'
import { gunzippedOnThread } from './GunzipThread.js'
import { errorText, gunzipped, readUnchanged } from './Input.js'
import { damageGzip, rand } from './styling.test.util.js'

// Bytes that compress about as an export does (repeated words, varying numbers), `size` long.
const exportLike = (size: number, r: () => number): Buffer => {
  const words = ['"findingArn":', '"severity":"HIGH"', '"status":"ACTIVE"', '{"id":', '},\n', 'arn:aws:']
  const parts: Array<string> = []
  let n = 0
  while (n < size) {
    const w = r() < 0.3 ? String(Math.floor(r() * 1e9)) : (words[Math.floor(r() * words.length)] as string)
    parts.push(w)
    n += w.length
  }
  return Buffer.from(parts.join('')).subarray(0, size)
}

// What a read gives: every byte before its error, and the error's message.
const collect = async (
  chunks: AsyncIterable<Buffer>,
): Promise<{ readonly bytes: Buffer; readonly error: string | undefined }> => {
  const got: Array<Buffer> = []
  try {
    for await (const c of chunks) got.push(Buffer.from(c))
    return { bytes: Buffer.concat(got), error: undefined }
  } catch (e) {
    return { bytes: Buffer.concat(got), error: errorText(e) }
  }
}

// Files of one to three gzip members, from a few bytes to several of zlib's 1 MiB output
// buffers (so that whole buffers are moved and the last one's bytes copied), some of them
// damaged (cut short, or a byte changed): inflated on a thread of their own, they must give the
// bytes and the error the same file gives inflated here, chunk sizes aside; whole, the bytes
// zlib inflates in one call, with every compressed byte counted.
testProp.serial(
  'a gzipped file inflated on a thread of its own gives the bytes and error of inflating it here',
  [
    fc.array(fc.integer({ min: 0, max: 3 << 20 }), { minLength: 1, maxLength: 3 }),
    fc.boolean(),
    fc.integer(),
    fc.constantFrom(1 << 16, 1 << 20),
  ],
  async (t, sizes, damaged, seed, chunkSize) => {
    const r = rand(seed)
    const inflated = sizes.map((size) => exportLike(size, r))
    const whole = Buffer.concat(inflated.map((b) => gzipSync(b, { level: 1 })))
    const bytes = damaged ? damageGzip(whole, r) : whole
    const root = await tempDir()
    try {
      const path = join(root, 'export.json.gz')
      await writeFile(path, bytes)
      let raw = 0
      const apart = await collect(gunzippedOnThread({ path, chunkSize }, (n) => (raw += n)))
      const here = await collect(gunzipped(readUnchanged(path, chunkSize)))
      t.is(apart.error, here.error)
      t.true(apart.bytes.equals(here.bytes), `${apart.bytes.length} bytes against ${here.bytes.length}`)
      if (!damaged) {
        t.is(apart.error, undefined)
        t.true(apart.bytes.equals(gunzipSync(whole)))
        t.is(raw, whole.length)
      } else t.true(raw <= bytes.length)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  },
  { numRuns: 25 },
)

// The file descriptors of this process open on `path`.
const openOn = async (path: string): Promise<number> => {
  let n = 0
  for (const fd of await readdir('/proc/self/fd'))
    if ((await readlink(`/proc/self/fd/${fd}`).catch(() => '')) === path) n++
  return n
}

// The bytes this process has read from files so far (its threads' too). The tests of this file
// run one at a time, and each test file in a process of its own, so what one test's reads add is
// its own.
const bytesRead = async (): Promise<number> =>
  Number(/^rchar:\s*(\d+)/m.exec(await readFile('/proc/self/io', 'utf8'))?.[1])

// Waits for `path` to be closed (two seconds at most); the bytes read meanwhile.
const readUntilClosed = async (path: string): Promise<{ readonly open: number; readonly read: number }> => {
  const before = await bytesRead()
  let open = await openOn(path)
  for (let tries = 0; open > 0 && tries < 100; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    open = await openOn(path)
  }
  return { open, read: (await bytesRead()) - before }
}

// A gzipped file far larger than the thread inflates ahead of its reader (64 MiB inflated,
// about 17 MB compressed), written into `root`.
const writeBigFile = async (root: string, seed: number): Promise<{ path: string; size: number }> => {
  const path = join(root, 'big.json.gz')
  const bytes = gzipSync(exportLike(64 << 20, rand(seed)), { level: 1 })
  await writeFile(path, bytes)
  return { path, size: bytes.length }
}

test.serial('a reader that takes nothing holds the inflating thread back', async (t) => {
  const root = await tempDir()
  try {
    const { path, size } = await writeBigFile(root, 11)
    const chunks = gunzippedOnThread({ path, chunkSize: 1 << 16 }, () => {})[Symbol.asyncIterator]()
    const before = await bytesRead()
    t.false((await chunks.next()).done)
    // Time enough to read the whole file, were it not held back.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const read = (await bytesRead()) - before
    t.is(await openOn(path), 1)
    t.true(read < size / 2, `${read} bytes read of ${size}`)
    await chunks.return?.(undefined)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test.serial('leaving a file inflated on a thread early stops the thread and closes the file', async (t) => {
  const root = await tempDir()
  try {
    const { path, size } = await writeBigFile(root, 7)
    let seen = 0
    for await (const chunk of gunzippedOnThread({ path, chunkSize: 1 << 16 }, () => {})) {
      seen += chunk.length
      if (seen > 1 << 20) break
    }
    t.true(seen > 1 << 20)
    // Closed, and not read on to its end first.
    const { open, read } = await readUntilClosed(path)
    t.is(open, 0)
    t.true(read < size / 2, `${read} bytes read after leaving, of ${size}`)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test.serial('a file that cannot be opened is an error of the read, after no bytes', async (t) => {
  const root = await tempDir()
  try {
    const path = join(root, 'missing.json.gz')
    const apart = await collect(gunzippedOnThread({ path, chunkSize: 1 << 16 }, () => {}))
    const here = await collect(gunzipped(readUnchanged(path, 1 << 16)))
    t.is(apart.bytes.length, 0)
    t.truthy(apart.error)
    t.is(apart.error, here.error)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})
