import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { testProp } from '@fast-check/ava'
import test from 'ava'
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

// A number in every spelling the grammar has, and in spellings it does not, inside members the
// engine skips (at the top of a record and nested), with text after it, so that the walker reads
// it where whole vectors of bytes follow. Validity is JSON.parse's, not either parser's.
const spellings = [
  ...['0', '-0', '7', '1709558704', '0.5', '-0.51883', '12.25', '1e5', '1E+5', '2.5e-3', '-12.0'],
  ...['123456789012345', '1234567890123456', '12345678901234567890', '0.1234567890123456789', '9.0e0'],
  ...['0123', '00', '-', '-a', '1.', '.5', '1e', '1e+', '--1', '01.5', '1.2.3', '+1', '0x10', '1.e5', '1.5.'],
]

test('a number in a skipped member is read as the plain path reads it, valid or not', async (t) => {
  const root = await tempDir()
  try {
    for (const n of spellings) {
      const record = (i: number, num: string) =>
        `{"awsAccountId":"111122223333","firstObservedAt":${num},"epss":{"score":${num},"n":[${num},${num}]},` +
        `"description":"${'text '.repeat(20)}","findingArn":"arn:aws:inspector2:us-east-1:111122223333:finding/${i}",` +
        '"severity":"HIGH","status":"ACTIVE","packageVulnerabilityDetails":{"vulnerabilityId":"CVE-1"},' +
        '"resources":[{"tags":{"Ec2ImageBuilderArn":"arn:aws:imagebuilder:us-east-1:111122223333:image/a/1.0.0/1"}}]}'
      const lines = [record(1, '1'), record(2, n), record(3, '2')]
      const file = join(root, 'numbers.ndjson')
      await writeFile(file, `${lines.join('\n')}\n`)
      const valid = (() => {
        try {
          JSON.parse(n)
          return true
        } catch {
          return false
        }
      })()
      const plain = await collectFindings([file], { parser: 'plain' })()
      const fast = await collectFindings([file], { parser: 'fast' })()
      t.deepEqual(fast, plain, n)
      t.is(E.isRight(fast) && fast.right.value.length === 3, valid, n)
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})
