import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testProp } from '@fast-check/ava'
import test from 'ava'
import fc from 'fast-check'
import { RecordSpool } from './RecordSpool.js'

// Records of any sizes, some longer than the spool's 1 MiB buffer, written through it and read
// back by the offsets it gave, in any order: each is the bytes appended, and they lie end to end.
testProp(
  'records appended to the spool are read back as they were, by their offsets',
  [
    fc.array(fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1 << 19, max: 3 << 20 })), {
      minLength: 1,
      maxLength: 12,
    }),
    fc.integer(),
  ],
  async (t, sizes, seed) => {
    const dir = await mkdtemp(join(tmpdir(), 'scantally-spool-test-'))
    const spool = new RecordSpool(dir)
    try {
      const records = sizes.map((n, i) => Buffer.alloc(n, (seed + i) & 0xff))
      const offsets = records.map((r) => spool.append(r))
      spool.flush()
      t.is(spool.failure, undefined)
      let end = 0
      for (const [i, r] of records.entries()) {
        t.is(offsets[i], end)
        end += r.length
      }
      t.is(spool.size, end)
      for (const i of records.keys()) {
        const k = records.length - 1 - i
        t.true(spool.read(offsets[k] as number, (records[k] as Buffer).length).equals(records[k] as Buffer))
      }
      // The file is never visible in its directory.
      t.deepEqual(await readdir(dir), [])
    } finally {
      spool.close()
      await rm(dir, { recursive: true, force: true })
    }
  },
  { numRuns: 15 },
)

test('a spool whose directory cannot be written keeps the failure, names it, and takes nothing more', (t) => {
  const dir = join(tmpdir(), 'scantally-no-such-dir', 'deeper')
  const spool = new RecordSpool(dir)
  // Small records stay buffered until the buffer fills: the failure comes with the first write.
  t.is(spool.append(Buffer.alloc(10)), 0)
  t.is(spool.append(Buffer.alloc(2 << 20)), -1)
  t.regex(spool.failure ?? '', new RegExp(`in ${dir}: ENOENT.*set TMPDIR`))
  t.is(spool.append(Buffer.alloc(10)), -1)
})
