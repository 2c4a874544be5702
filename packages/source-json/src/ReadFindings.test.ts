import { rm } from 'node:fs/promises'
import { testProp } from '@fast-check/ava'
import { allGroups, buildIndex, decodeQuery, type Finding, groupKeys, makeEngine } from '@scantally/core'
import test from 'ava'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import {
  csvFormats,
  expected,
  formats,
  gensArb,
  multiset,
  pipelineOf,
  tempDir,
  writeFormat,
} from './exports.test.util.js'
import { collectFindings, readFindingBatches } from './ReadFindings.js'

const resolvePipeline = (build: string) => pipelineOf(build)

// Every grouping the engine offers, for comparing aggregates rather than findings.
const aggregates = (findings: ReadonlyArray<Finding>) => {
  const index = buildIndex(findings)
  if (E.isLeft(index)) throw new Error(index.left.message)
  const engine = makeEngine(index.right, { keys: [{ id: 'k', secret: new Uint8Array(32).fill(7) }] })
  return groupKeys.map((groupBy) => {
    const query = decodeQuery({ groupBy, maxResults: 1000 })
    if (E.isLeft(query)) throw new Error(query.left.message)
    return allGroups(engine, query.right)
  })
}

for (const format of [...formats, ...csvFormats]) {
  testProp(
    `${format.name} (plain or gzip, any chunking) gives exactly the generated findings`,
    [
      gensArb(),
      fc.integer({ min: 1, max: 7 }),
      fc.boolean(),
      fc.oneof(fc.integer({ min: 7, max: 300 }), fc.constant(1 << 20)),
    ],
    async (t, gens, pageSize, gzip, chunkSize) => {
      const root = await tempDir()
      try {
        const dir = await writeFormat(root, format, gens, pageSize, gzip)
        const read = await collectFindings([dir], { resolvePipeline, chunkSize })()
        if (E.isLeft(read)) return t.fail(read.left.message)
        const want = expected(gens, format.family)
        t.deepEqual(multiset(read.right.value), multiset(want))
        t.deepEqual(aggregates(read.right.value), aggregates(want))
        const unlinked = gens.filter((g) => g.build === undefined).length
        t.like(read.right.report, {
          read: gens.length,
          counted: gens.length - unlinked,
          excluded: { notActive: 0, duplicate: 0, noImageLinkage: unlinked, invalid: 0 },
          skipped: [],
        })
      } finally {
        await rm(root, { recursive: true, force: true })
      }
    },
    { numRuns: 15 },
  )
}

test('batches are never empty and add up to the counted findings', async (t) => {
  const root = await tempDir()
  try {
    const gens = fc.sample(gensArb(40), { numRuns: 1, seed: 42 })[0] ?? []
    const dir = await writeFormat(root, formats[4] as (typeof formats)[number], gens, 5, false)
    const source = readFindingBatches([dir], { chunkSize: 100 })
    let total = 0
    for await (const batch of source) {
      t.true(batch.length > 0)
      total += batch.length
    }
    const result = await source.result
    if (E.isLeft(result)) return t.fail(result.left.message)
    t.is(total, result.right.counted)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})
