import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { testProp } from '@fast-check/ava'
import { type Finding, severities } from '@scantally/core'
import { fixCodes } from '@scantally/core/internal'
import test from 'ava'
import fc from 'fast-check'
import { formats, gensArb, inspectorNdjson, pipelineOf, tempDir } from './exports.test.util.js'
import type { FindingIdSink } from './FindingIdSink.js'
import { type ReadOptions, readFindingBatches } from './ReadFindings.js'
import { type RecordLocation, recordLocation } from './RecordLocation.js'
import { valuesOf } from './styling.test.util.js'

// What the index and the store keep of a finding, and where its record lies.
type Kept = readonly [
  string,
  string | null,
  string | null,
  string | null,
  string,
  string | null,
  boolean,
  unknown,
]

const where = (at: RecordLocation | undefined): unknown =>
  at === undefined ? null : at._tag === 'InFile' ? [at.start, at.end] : at.bytes.toString('utf8')

const keptOf = (f: Finding): Kept => [
  f.awsAccountId,
  f.imageBuildVersionArn ?? null,
  f.imagePipelineArn ?? null,
  f.vulnerabilityId ?? null,
  f.severity,
  f.fixAvailable ?? null,
  f.exploitAvailable === 'YES',
  where(recordLocation(f)),
]

// A sink as an index would be: a dictionary per column, the findings as ids read back.
const sinkInto = (out: Array<Kept>): FindingIdSink => {
  const dictionaries = new Map<string, Array<string>>()
  const ids = new Map<string, number>()
  const value = (key: string, id: number): string | null =>
    id === 0 ? null : ((dictionaries.get(key) as Array<string>)[id - 1] ?? 'unknown id')
  return {
    intern: (key, v) => {
      const known = ids.get(`${key} ${v}`)
      if (known !== undefined) return known
      const dictionary = dictionaries.get(key) ?? []
      dictionaries.set(key, dictionary)
      dictionary.push(v)
      ids.set(`${key} ${v}`, dictionary.length)
      return dictionary.length
    },
    add: (account, build, pipeline, vulnerability, severity, fix, exploit, at) => {
      out.push([
        value('accountId', account) ?? 'no account',
        value('imageBuildVersionArn', build),
        value('imagePipelineArn', pipeline),
        value('vulnerabilityId', vulnerability),
        severities[severity] ?? 'no severity',
        fixCodes[fix] ?? null,
        exploit,
        where(at),
      ])
    },
  }
}

// Every finding a read gives, those it put into the sink and those it handed out, in order.
const readKept = async (files: ReadonlyArray<string>, options: ReadOptions) => {
  const kept: Array<Kept> = []
  const source = readFindingBatches(files, { ...options, into: sinkInto(kept) })
  let handedOut = 0
  for await (const batch of source) {
    handedOut += batch.length
    kept.push(...batch.map(keptOf))
  }
  return { kept, sunk: kept.length - handedOut, result: await source.result }
}

// How many split reads put findings into the sink (else the comparisons below prove nothing).
let sunk = 0
let reads = 0
test.after('most split reads put their findings into the sink', (t) => {
  t.log(`${sunk} of ${reads} split reads`)
  t.true(sunk * 2 > reads)
})

// Every format's values in one file, many accounts and image builds (each generated finding has
// its own), read split between threads (or as one piece on one) into a sink: the sink gets the one-pass read's findings,
// in its order, each with its record's place, whichever thread's dictionary named its strings.
for (const format of formats) {
  testProp(
    `${format.name}: a split read into a sink gives it the one-pass read's findings, ids resolved`,
    [gensArb(40), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.boolean()],
    async (t, gens, pageSize, workers, resolve) => {
      const root = await tempDir()
      try {
        const file = join(root, 'export.json')
        const values = format.files(gens, pageSize).flatMap(([, text]) => valuesOf(text))
        await writeFile(file, values.map((v) => JSON.stringify(v)).join('\n'))
        const read: ReadOptions = {
          locate: true,
          findingArns: false,
          chunkSize: 64,
          ...(resolve ? { resolvePipeline: pipelineOf } : {}),
        }
        const one = await readKept([file], { ...read, workers: 1 })
        const split = await readKept([file], { ...read, workers, splitBytes: 0 })
        reads++
        if (split.sunk > 0) sunk++
        t.is(one.sunk, 0)
        t.deepEqual(split.result, one.result)
        t.deepEqual(split.kept, one.kept)
      } finally {
        await rm(root, { recursive: true, force: true })
      }
    },
    { numRuns: 6 },
  )
}

// Image builds met again and again, with no pipeline in their records: each is resolved to its
// pipeline by name, long after the sink was first told of it, on whichever thread meets it.
test('a split read into a sink resolves the pipelines of builds it met before', async (t) => {
  const root = await tempDir()
  try {
    const file = join(root, 'export.ndjson')
    const lines: Array<string> = []
    for (let i = 0; i < 6000; i++)
      lines.push(
        JSON.stringify({
          awsAccountId: '111111111111',
          severity: 'HIGH',
          status: 'ACTIVE',
          packageVulnerabilityDetails: { vulnerabilityId: `CVE-2024-${i % 31}` },
          resources: [
            {
              tags: {
                Ec2ImageBuilderArn: `arn:aws:imagebuilder:us-east-1:111111111111:image/app${i % 17}/1.0.${i % 5}/1`,
              },
            },
          ],
          description: 'x'.repeat(300),
        }),
      )
    await writeFile(file, lines.join('\n'))
    const read: ReadOptions = { locate: true, findingArns: false, resolvePipeline: pipelineOf }
    const one = await readKept([file], { ...read, workers: 1 })
    const split = await readKept([file], { ...read, workers: 3, splitBytes: 0 })
    t.true(split.sunk > 0)
    t.deepEqual(split.result, one.result)
    t.deepEqual(split.kept, one.kept)
    // Every build's pipeline is its name's, as the resolver gives it.
    t.true(one.kept.every((k) => k[2] === pipelineOf(k[1] as string)))
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

// Gzipped exports (a folder of report parts, findings repeated across them, a plain file among
// them) read a file per thread into a sink: the sink gets the one-pass read's findings, in its
// order, whichever thread's dictionary named their strings, and, located, the same records
// (a gzipped file's copied, lent to the sink from the batch they came in).
testProp(
  "gzipped files read a file per thread into a sink give it the one-pass read's findings",
  [
    fc.constantFrom(...formats),
    gensArb(30),
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 2, max: 3 }),
    fc.integer({ min: 1, max: 4 }),
    fc.boolean(),
    fc.boolean(),
  ],
  async (t, format, gens, pageSize, files, workers, resolve, locate) => {
    const root = await tempDir()
    try {
      const values = format
        .files(gens, pageSize)
        .flatMap(([, text]) => valuesOf(text))
        .map((v) => JSON.stringify(v))
      const paths: Array<string> = []
      for (let i = 0; i < files; i++) {
        // Overlapping stretches: a finding may be in two files, and counts once.
        const from = Math.floor((i * values.length) / (files + 1))
        const text = Buffer.from(values.slice(from, from + Math.ceil((2 * values.length) / files)).join('\n'))
        const path = join(root, `part-${i}.json${i === 1 ? '' : '.gz'}`)
        await writeFile(path, i === 1 ? text : gzipSync(text))
        paths.push(path)
      }
      const read: ReadOptions = {
        findingArns: false,
        chunkSize: 64,
        fileThreads: true,
        locate,
        ...(resolve ? { resolvePipeline: pipelineOf } : {}),
      }
      const one = await readKept(paths, { ...read, workers: 1, fileThreads: false })
      const each = await readKept(paths, { ...read, workers })
      t.is(one.sunk, 0)
      t.deepEqual(each.result, one.result)
      t.deepEqual(each.kept, one.kept)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  },
  { numRuns: 8 },
)

// Inspector findings gzipped in two overlapping parts, read a file per thread: every finding the
// read counts goes to the sink, none is made into an object, and they are the one-pass read's.
test('gzipped parts read a file per thread put every counted finding into the sink', async (t) => {
  const root = await tempDir()
  try {
    const paths = [join(root, 'part-0.json.gz'), join(root, 'part-1.json.gz')]
    await writeFile(paths[0] as string, gzipSync(inspectorNdjson(3000)))
    await writeFile(paths[1] as string, gzipSync(inspectorNdjson(3000, 2000)))
    const read: ReadOptions = { findingArns: false, fileThreads: true }
    const one = await readKept(paths, { ...read, workers: 1, fileThreads: false })
    const each = await readKept(paths, { ...read, workers: 2 })
    t.is(one.sunk, 0)
    // 5,000 distinct findings, the 1,000 in both parts counted once.
    t.is(each.kept.length, 5000)
    t.is(each.sunk, each.kept.length)
    t.deepEqual(each.result, one.result)
    t.deepEqual(each.kept, one.kept)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})
