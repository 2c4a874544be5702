import { appendFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { testProp } from '@fast-check/ava'
import type { Finding } from '@scantally/core'
import test from 'ava'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { formats, gensArb, pipelineOf, tempDir } from './exports.test.util.js'
import { FindingArnSet } from './FindingArnSet.js'
import { collectFindings, readFindings } from './ReadFindings.js'
import { recordLocation } from './RecordLocation.js'
import { planFile, readSplit } from './SplitRead.js'
import { damage, optionsArb, rand, reshape, styled, valuesOf, withKeys } from './styling.test.util.js'

// How many generated files were cut at all (else the comparisons below prove nothing).
let cutFiles = 0
let files = 0
test.after('most generated files were cut between threads', (t) => {
  t.log(`${cutFiles} of ${files} files cut`)
  t.true(cutFiles * 2 > files)
})

// Every file is split (splitBytes 0) into parts read by two or three threads, or read as one
// part on this thread alone; the result must be the one-pass read's, finding for finding in the
// same order, with the same report and errors.
for (const format of formats) {
  testProp(
    `${format.name}: a read split between threads gives exactly the one-pass read's findings, report and errors`,
    [
      gensArb(12),
      fc.integer({ min: 1, max: 4 }),
      fc.record({
        escapeRate: fc.constantFrom(0, 0, 0.03),
        spaceRate: fc.constantFrom(0, 0.2),
        duplicateRate: fc.constantFrom(0, 0, 0.05),
      }),
      fc.constantFrom(0, 0, 0.2),
      fc.integer(),
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(false, false, true),
      fc.integer({ min: 1, max: 3 }),
      optionsArb,
    ],
    async (t, gens, pageSize, style, mutationRate, seed, deep, damaged, workers, options) => {
      const r = rand(seed)
      const root = await tempDir()
      try {
        // All the format's files in one, as one export: the format's values one after another.
        const file = join(root, 'export.json')
        const values = format
          .files(gens, pageSize)
          .flatMap(([, text]) => valuesOf(text))
          .map((v) => styled(reshape(v, r, deep, mutationRate), r, style))
        let bytes: Buffer = Buffer.from(values.join(r() < 0.5 ? '\n' : ' \r\n\t'))
        if (damaged) bytes = damage(bytes, r)
        await writeFile(file, bytes)
        if (workers >= 2) {
          files++
          if (planFile(file, workers, 0) !== undefined) cutFiles++
        }
        const read = { ...options, chunkSize: Math.max(options.chunkSize ?? 64, 64) }
        const one = await collectFindings([file], read)()
        const split = await collectFindings([file], { ...read, workers, splitBytes: 0 })()
        // A damaged file is abandoned where it breaks; how many bytes were pulled by then
        // depends on where chunks begin, which differs after a cut: the rest compares exactly.
        const comparable = (r: typeof one) =>
          withKeys(
            damaged && E.isRight(r) ? E.right({ ...r.right, report: { ...r.right.report, bytes: 0 } }) : r,
            options.keys,
          )
        t.deepEqual(comparable(split), comparable(one))
      } finally {
        await rm(root, { recursive: true, force: true })
      }
    },
    { numRuns: 6 },
  )
}

// An export of `n` Inspector findings in one page, each with `nested` objects in an array that
// begin like a record (the first key of every record): a guessed cut may fall on one of them.
const page = (n: number, nested: boolean, invalidAt = -1): { text: string; starts: Array<number> } => {
  const starts: Array<number> = []
  let text = '{"findings":['
  for (let i = 0; i < n; i++) {
    if (i > 0) text += ','
    starts.push(Buffer.byteLength(text))
    const account = String(100000000000 + (i % 7))
    const record = {
      awsAccountId: account,
      severity: i === invalidAt ? 'SEVERE' : ['LOW', 'HIGH', 'CRITICAL'][i % 3],
      status: 'ACTIVE',
      findingArn: `arn:aws:inspector2:us-east-1:${account}:finding/${i % 997}`,
      packageVulnerabilityDetails: { vulnerabilityId: `CVE-2024-${i % 50}` },
      related: nested ? [{ awsAccountId: 'x' }, { awsAccountId: 'y', note: '},{"awsAccountId"' }] : [],
      resources: [
        {
          tags: { Ec2ImageBuilderArn: `arn:aws:imagebuilder:us-east-1:${account}:image/app/1.0.${i % 13}/1` },
        },
      ],
    }
    text += JSON.stringify(record)
  }
  return { text: `${text}]}`, starts }
}

test('a cut guessed inside a record is never taken: the thread before it reads on past it', async (t) => {
  const root = await tempDir()
  try {
    const file = join(root, 'page.json')
    const { text, starts } = page(3000, true)
    await writeFile(file, text)
    const plan = planFile(file, 4, 0)
    if (plan === undefined) return t.fail('no cut was guessed')
    const recordStarts = new Set(starts)
    // The guesses of this file fall on the nested objects, not on records.
    t.true(plan.ends.some((b) => !recordStarts.has(b.offset)))
    const one = await collectFindings([file], { resolvePipeline: pipelineOf })()
    const split = await collectFindings([file], { resolvePipeline: pipelineOf, workers: 4, splitBytes: 0 })()
    t.true(E.isRight(one))
    t.deepEqual(split, one)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('cuts guessed at records are taken, and an invalid record past one is reported where one pass reports it', async (t) => {
  const root = await tempDir()
  try {
    const file = join(root, 'page.json')
    const { text, starts } = page(3000, false, 2500)
    await writeFile(file, text)
    const plan = planFile(file, 3, 0)
    if (plan === undefined) return t.fail('no cut was guessed')
    t.true(plan.ends.length >= 2)
    for (const b of plan.ends) t.true(starts.includes(b.offset))
    for (const policy of ['strict', 'skip'] as const) {
      const one = await collectFindings([file], { policy })()
      if (policy === 'strict') t.true(E.isLeft(one) && one.left.message.includes('record 2501'))
      else t.true(E.isRight(one) && one.right.report.excluded.invalid === 1)
      // Cut for three threads, and as one part on this thread alone.
      for (const workers of [3, 1])
        t.deepEqual(await collectFindings([file], { policy, workers, splitBytes: 0 })(), one, `${workers}`)
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('a split read left early stops its threads and settles its result', async (t) => {
  const root = await tempDir()
  try {
    const file = join(root, 'page.json')
    await writeFile(file, page(3000, false).text)
    for (const workers of [2, 1]) {
      const source = readFindings([file], { workers, splitBytes: 0, chunkSize: 4096 })
      let seen = 0
      for await (const _ of source) if (++seen === 10) break
      t.is(seen, 10)
      t.true(E.isRight(await source.result))
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('a file that changes between the plan and the end of a split read is an error, not a result', async (t) => {
  const root = await tempDir()
  try {
    const file = join(root, 'page.json')
    await writeFile(file, page(3000, false).text)
    // Cut for two threads, and one part for one.
    const plans = [planFile(file, 2, 0), planFile(file, 1, 0)]
    await appendFile(file, '\n{"findings":[]}')
    for (const plan of plans) {
      if (plan === undefined) return t.fail('no plan')
      const tally = { read: 0, counted: 0, notActive: 0, duplicate: 0, noImageLinkage: 0 }
      const split = readSplit(plan, {
        chunkSize: 1 << 16,
        findingArns: false,
        mapping: {},
        seen: new FindingArnSet(),
        tally,
        onBytes: () => undefined,
      })
      const error = await t.throwsAsync(async () => {
        for await (const _ of split);
      })
      t.regex(error?.message ?? '', /changed while it was read/)
    }
    // Through the reader, the same file read whole is fine once it no longer changes.
    t.true(E.isRight(await collectFindings([file], { workers: 2, splitBytes: 0 })()))
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('on one thread a large file is read as one part, unless no record is found in its first mebibyte', async (t) => {
  const root = await tempDir()
  try {
    const file = join(root, 'page.json')
    const { text } = page(3000, false)
    await writeFile(file, text)
    t.like(planFile(file, 1, 0), { threads: 1, ends: [] })
    t.is(planFile(file, 1, text.length + 1), undefined)
    // The same export after a mebibyte of blanks: read in one pass, with the same findings.
    const late = join(root, 'late.json')
    await writeFile(late, `${' '.repeat(1 << 20)}${text}`)
    t.is(planFile(late, 1, 0), undefined)
    const one = await collectFindings([file], {})()
    if (E.isLeft(one)) return t.fail(one.left.message)
    t.is(one.right.report.counted, 3000)
    const lateRead = await collectFindings([late], { workers: 1, splitBytes: 0 })()
    t.deepEqual(E.map((r: typeof one.right) => r.value)(lateRead), E.right(one.right.value))
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

// Where each finding of a read lies, as [start, end] (or the copy's length, or nothing).
const locationsOf = (findings: ReadonlyArray<Finding>) =>
  findings.map((f) => {
    const at = recordLocation(f)
    return at === undefined ? null : at._tag === 'InFile' ? [at.start, at.end] : at.bytes.length
  })

test('a locating read split between threads notes every record where it lies, as one pass does', async (t) => {
  const root = await tempDir()
  try {
    const file = join(root, 'page.json')
    // Distinct ARNs up to 997 records: every record is counted, record i as finding i.
    const { text, starts } = page(990, false)
    await writeFile(file, text)
    const plan = planFile(file, 3, 0)
    if (plan === undefined) return t.fail('no cut was guessed')
    const read = { locate: true, chunkSize: 4096 }
    const one = await collectFindings([file], read)()
    const split = await collectFindings([file], { ...read, workers: 3, splitBytes: 0 })()
    if (E.isLeft(one) || E.isLeft(split)) return t.fail('a read failed')
    // The reference: each record's bytes, from where the export was written.
    const expected = starts.map((s, i) => [
      s,
      (starts[i + 1] ?? text.length - 2) - (i + 1 < starts.length ? 1 : 0),
    ])
    t.deepEqual(locationsOf(one.right.value), expected)
    t.deepEqual(locationsOf(split.right.value), expected)
    t.deepEqual(split.right.value, one.right.value)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

// Every format's values in one file, read to its end with records located: the split read's
// findings and where they lie are the one-pass read's.
for (const format of formats) {
  testProp(
    `${format.name}: a locating read split between threads locates every finding as one pass does`,
    [gensArb(12), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 })],
    async (t, gens, pageSize, workers) => {
      const root = await tempDir()
      try {
        const file = join(root, 'export.json')
        const values = format.files(gens, pageSize).flatMap(([, text]) => valuesOf(text))
        await writeFile(file, values.map((v) => JSON.stringify(v)).join('\n'))
        const read = { locate: true, chunkSize: 64, resolvePipeline: pipelineOf }
        const one = await collectFindings([file], read)()
        const split = await collectFindings([file], { ...read, workers, splitBytes: 0 })()
        t.deepEqual(split, one)
        if (E.isRight(one) && E.isRight(split))
          t.deepEqual(locationsOf(split.right.value), locationsOf(one.right.value))
      } finally {
        await rm(root, { recursive: true, force: true })
      }
    },
    { numRuns: 4 },
  )
}
