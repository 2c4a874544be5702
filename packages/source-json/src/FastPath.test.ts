import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { testProp } from '@fast-check/ava'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { formats, gensArb, tempDir } from './exports.test.util.js'
import { collectFindings } from './ReadFindings.js'
import { damage, optionsArb, rand, reshape, styled, valuesOf, withKeys } from './styling.test.util.js'

for (const format of formats) {
  testProp(
    `${format.name}: the fast path gives exactly the plain path's findings, report and errors`,
    [
      gensArb(8),
      fc.integer({ min: 1, max: 4 }),
      fc.record({
        escapeRate: fc.constantFrom(0, 0.03, 0.3),
        spaceRate: fc.constantFrom(0, 0.2, 0.8),
        duplicateRate: fc.constantFrom(0, 0, 0.05),
      }),
      fc.constantFrom(0, 0, 0.2),
      fc.integer(),
      fc.jsonValue({ maxDepth: 2 }),
      fc.boolean(),
      fc.constantFrom(false, false, true),
      optionsArb,
    ],
    async (t, gens, pageSize, style, mutationRate, seed, deep, gzip, damaged, options) => {
      const r = rand(seed)
      const root = await tempDir()
      try {
        const dir = join(root, 'in')
        await mkdir(dir)
        for (const [name, text] of format.files(gens, pageSize)) {
          const values = valuesOf(text).map((v) => styled(reshape(v, r, deep, mutationRate), r, style))
          let bytes: Buffer = Buffer.from(values.join(r() < 0.5 ? '\n' : ' \r\n\t'))
          if (damaged) bytes = damage(bytes, r)
          await writeFile(join(dir, name), gzip ? gzipSync(bytes) : bytes)
        }
        const plain = await collectFindings([dir], { ...options, parser: 'plain' })()
        const fast = await collectFindings([dir], { ...options, parser: 'fast' })()
        // Where a damaged file stops being read, how many raw bytes were pulled before a gzip
        // error surfaced depends on stream timing, not on the parser: compare the rest exactly.
        const comparable = (r: typeof plain) =>
          withKeys(
            damaged && E.isRight(r) ? E.right({ ...r.right, report: { ...r.right.report, bytes: 0 } }) : r,
            options.keys,
          )
        t.deepEqual(comparable(fast), comparable(plain))
      } finally {
        await rm(root, { recursive: true, force: true })
      }
    },
    { numRuns: 25 },
  )
}
