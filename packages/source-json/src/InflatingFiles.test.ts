import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { testProp } from '@fast-check/ava'
import type { Finding } from '@scantally/core'
import test from 'ava'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { formats, gensArb, tempDir } from './exports.test.util.js'
import { FindingArnSet } from './FindingArnSet.js'
import { InflatingFiles, readInflatingFile } from './InflatingFiles.js'
import { collectFindings } from './ReadFindings.js'
import {
  comparable,
  damage,
  damageGzip,
  optionsArb,
  rand,
  reshape,
  styled,
  valuesOf,
  withKeys,
} from './styling.test.util.js'

const plain = { escapeRate: 0, spaceRate: 0.1, duplicateRate: 0 }

// One or several gzipped exports of every format's values (some of them shared between files, so
// that findings repeat across files; any of them damaged in its JSON or its gzip data; a plain
// file among them), read at once, a thread each: the result must be the one-pass read's,
// finding for finding in the same order, with the same report and errors.
testProp(
  'gzipped exports of any format read on a thread each read exactly as in one pass',
  [
    fc.constantFrom(...formats),
    gensArb(10),
    fc.integer({ min: 1, max: 4 }),
    fc.array(fc.constantFrom('none', 'none', 'none', 'json', 'gzip', 'plain'), {
      minLength: 2,
      maxLength: 4,
    }),
    fc.constantFrom(0, 0, 0.2),
    fc.integer(),
    fc.integer({ min: 2, max: 3 }),
    optionsArb,
  ],
  async (t, format, gens, pageSize, kinds, mutationRate, seed, workers, options) => {
    const r = rand(seed)
    const root = await tempDir()
    try {
      const values = format
        .files(gens, pageSize)
        .flatMap(([, text]) => valuesOf(text))
        .map((v) => styled(reshape(v, r, false, mutationRate), r, plain))
      const files: Array<string> = []
      for (const [i, kind] of kinds.entries()) {
        // Overlapping stretches of the values: a finding may be in two files.
        const from = Math.floor(r() * values.length)
        let json: Buffer = Buffer.from(
          values
            .slice(from)
            .concat(values.slice(0, from / 2))
            .join('\n'),
        )
        if (kind === 'json') json = damage(json, r)
        let bytes: Buffer = kind === 'plain' ? json : gzipSync(json)
        if (kind === 'gzip') bytes = damageGzip(bytes, r)
        const file = join(root, `part-${i}.json${kind === 'plain' ? '' : '.gz'}`)
        await writeFile(file, bytes)
        files.push(file)
      }
      const read = { ...options, chunkSize: Math.max(options.chunkSize ?? 64, 64) }
      const one = await collectFindings(files, read)()
      const each = await collectFindings(files, { ...read, workers, fileThreads: true })()
      // A damaged input may be given up before its end (under `skip`, a problem where reading
      // cannot go on): how many of its compressed bytes were read by then depends on how far
      // ahead it was inflated, which differs between the reads.
      const broken = kinds.includes('gzip') || kinds.includes('json')
      t.deepEqual(
        withKeys(comparable(each, broken) as typeof each, options.keys),
        withKeys(comparable(one, broken) as typeof one, options.keys),
      )
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  },
  { numRuns: 10 },
)

// `n` Inspector findings as NDJSON with distinct ARNs, finding `i` of account `i % 7`.
const ndjson = (n: number, first = 0): string => {
  let text = ''
  for (let i = first; i < first + n; i++) {
    const account = String(100000000000 + (i % 7))
    text += `${JSON.stringify({
      awsAccountId: account,
      severity: ['LOW', 'HIGH', 'CRITICAL'][i % 3],
      status: 'ACTIVE',
      findingArn: `arn:aws:inspector2:us-east-1:${account}:finding/${i}`,
      packageVulnerabilityDetails: { vulnerabilityId: `CVE-2024-${i % 50}` },
      resources: [
        {
          tags: { Ec2ImageBuilderArn: `arn:aws:imagebuilder:us-east-1:${account}:image/app/1.0.${i % 13}/1` },
        },
      ],
    })}\n`
  }
  return text
}

test('a file read ahead pauses at its bound and loses nothing while the files before it are read', async (t) => {
  const root = await tempDir()
  try {
    const paths = [join(root, 'a.ndjson.gz'), join(root, 'b.ndjson.gz'), join(root, 'c.ndjson.gz')]
    // The second file repeats the first's last 500 findings: counted once, from the first.
    await writeFile(paths[0] as string, gzipSync(ndjson(3000)))
    await writeFile(paths[1] as string, gzipSync(ndjson(4000, 2500)))
    await writeFile(paths[2] as string, gzipSync(ndjson(2000, 10000)))
    // A bound of one byte: every batch waits to be taken before the next is read.
    const files = new InflatingFiles(
      paths.map((path, index) => ({ index, path })),
      3,
      { chunkSize: 4096, findingArns: true },
      1,
    )
    const seen = new FindingArnSet()
    const tally = { read: 0, counted: 0, notActive: 0, duplicate: 0, noImageLinkage: 0 }
    const arns: Array<string> = []
    let raw = 0
    try {
      for (const index of [0, 1, 2]) {
        const thread = files.take(index)
        if (thread === undefined) return t.fail(`file ${index} has no thread`)
        // The later files' threads are started, and wait; slow down the taking further.
        await new Promise((resolve) => setTimeout(resolve, 50))
        const read = readInflatingFile(thread, { seen, tally, findingArns: true, mapping: {} }, 4096, (n) => {
          raw += n
        })
        let r = await read.next()
        for (; r.done !== true; r = await read.next())
          for (const f of r.value as ReadonlyArray<Finding>) arns.push(f.findingArn ?? '')
        t.deepEqual(r.value, { end: 'eof', sawValue: true })
      }
    } finally {
      files.close()
    }
    const expected = [
      ...Array.from({ length: 6500 }, (_, i) => i),
      ...Array.from({ length: 2000 }, (_, i) => 10000 + i),
    ]
    t.deepEqual(
      arns.map((a) => Number(a.slice(a.lastIndexOf('/') + 1))),
      expected,
    )
    t.deepEqual(tally, { read: 9000, counted: 8500, notActive: 0, duplicate: 500, noImageLinkage: 0 })
    let compressed = 0
    for (const p of paths) compressed += (await import('node:fs')).statSync(p).size
    t.is(raw, compressed)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('a file whose gzip data breaks is read on from where its thread stopped, and fails there', async (t) => {
  const root = await tempDir()
  try {
    const good = join(root, 'a.ndjson.gz')
    const bad = join(root, 'b.ndjson.gz')
    await writeFile(good, gzipSync(ndjson(2000)))
    const gz = gzipSync(ndjson(2000, 5000))
    await writeFile(bad, gz.subarray(0, Math.floor(gz.length * 0.6)))
    for (const policy of ['strict', 'skip'] as const) {
      const one = await collectFindings([good, bad], { policy })()
      const each = await collectFindings([good, bad], { policy, workers: 2, fileThreads: true })()
      t.deepEqual(comparable(each, true), comparable(one, true))
      if (policy === 'strict') t.true(E.isLeft(one))
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})
