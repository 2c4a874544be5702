import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { testProp } from '@fast-check/ava'
import type { Finding } from '@scantally/core'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { formats, gensArb, multiset, tempDir } from './exports.test.util.js'
import { collectFindings, type FindingCount, type FoldField, readFindingCounts } from './ReadFindings.js'
import { damage, optionsArb, rand, reshape, styled, valuesOf } from './styling.test.util.js'

// A finding with only the fields a counting read keeps.
const kept = (f: Finding, keep: ReadonlyArray<FoldField>): Finding => {
  const out: Record<string, unknown> = { awsAccountId: f.awsAccountId, severity: f.severity }
  for (const k of keep) if (f[k] !== undefined) out[k] = f[k]
  if (f.fixAvailable !== undefined) out.fixAvailable = f.fixAvailable
  if (f.exploitAvailable !== undefined) out.exploitAvailable = f.exploitAvailable
  return out as Finding
}

const collectCounts = async (files: ReadonlyArray<string>, keep: ReadonlyArray<FoldField>, options = {}) => {
  const source = readFindingCounts(files, keep, options)
  const counts: Array<FindingCount> = []
  for await (const batch of source) counts.push(...batch)
  const result = await source.result
  return E.isLeft(result) ? result : E.right({ counts, report: result.right })
}

// Each counted finding stands for `count` findings: expanded, they must be the findings a plain
// read hands out, with the fields not kept left out, on one thread or split between several.
for (const format of formats) {
  testProp(
    `${format.name}: a counting read gives the findings of a plain read, by the fields kept`,
    [
      gensArb(12),
      fc.integer({ min: 1, max: 4 }),
      fc.integer(),
      fc.constantFrom(false, false, true),
      fc.subarray(['imageBuildVersionArn', 'imagePipelineArn', 'vulnerabilityId'] as const),
      fc.integer({ min: 1, max: 3 }),
      optionsArb,
    ],
    async (t, gens, pageSize, seed, damaged, keep, workers, options) => {
      const r = rand(seed)
      const root = await tempDir()
      try {
        const file = join(root, 'export.json')
        const values = format
          .files(gens, pageSize)
          .flatMap(([, text]) => valuesOf(text))
          .map((v) =>
            styled(reshape(v, r, false, 0), r, { escapeRate: 0.02, spaceRate: 0.1, duplicateRate: 0.05 }),
          )
        let bytes: Buffer = Buffer.from(values.join('\n'))
        if (damaged) bytes = damage(bytes, r)
        await writeFile(file, bytes)
        const read = { ...options, chunkSize: Math.max(options.chunkSize ?? 64, 64) }
        const plain = await collectFindings([file], { ...read, findingArns: false })()
        const counted = await collectCounts([file], keep, { ...read, workers, splitBytes: 0 })
        if (E.isLeft(plain) || E.isLeft(counted)) {
          t.deepEqual(E.isLeft(counted) ? counted.left : undefined, E.isLeft(plain) ? plain.left : undefined)
          return
        }
        t.true(counted.right.counts.every((c) => Number.isInteger(c.count) && c.count >= 1))
        const expanded = counted.right.counts.flatMap((c) => Array.from({ length: c.count }, () => c.finding))
        t.deepEqual(multiset(expanded), multiset(plain.right.value.map((f) => kept(f, keep))))
        const comparable = (report: typeof plain.right.report) => (damaged ? { ...report, bytes: 0 } : report)
        t.deepEqual(comparable(counted.right.report), comparable(plain.right.report))
      } finally {
        await rm(root, { recursive: true, force: true })
      }
    },
    { numRuns: 6 },
  )
}
