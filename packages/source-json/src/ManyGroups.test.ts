// A read of many distinct image builds split between threads, against counts made here by a
// plain loop over the generated rows: each thread's dictionary reaches the chaining thread once,
// threads ahead of the chain wait for it, and pipelines resolve from a map only when kept.
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Finding } from '@scantally/core'
import test from 'ava'
import * as E from 'fp-ts/lib/Either.js'
import { tempDir } from './exports.test.util.js'
import { FindingArnSet } from './FindingArnSet.js'
import { loadPipelineMap } from './PipelineMap.js'
import { collectFindings } from './ReadFindings.js'
import { planFile, readSplit } from './SplitRead.js'

const severities = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const
const builds = 3000
const findings = 12_000

const buildName = (b: number): string =>
  `arn:aws:imagebuilder:us-east-1:111122223333:image/${b % 7 === 0 ? 'Web' : 'web'}${b % 11 === 0 ? 'é' : ''}-${b % 97}/1.0.${b}/1`
const pipelineName = (b: number): string =>
  `arn:aws:imagebuilder:us-east-1:111122223333:image-pipeline/p-${b % 41}`

const rows = Array.from({ length: findings }, (_, i) => ({
  build: (i * 7919) % builds,
  severity: severities[(i * 31) % 4] as (typeof severities)[number],
}))

const ndjson = rows
  .map((r, i) =>
    JSON.stringify({
      findingArn: `arn:aws:inspector2:us-east-1:111122223333:finding/f${i}`,
      awsAccountId: '111122223333',
      severity: r.severity,
      status: 'ACTIVE',
      type: 'PACKAGE_VULNERABILITY',
      packageVulnerabilityDetails: { vulnerabilityId: `CVE-2024-${i % 50}` },
      resources: [
        { id: `i-${i}`, type: 'AWS_EC2_INSTANCE', tags: { Ec2ImageBuilderArn: buildName(r.build) } },
      ],
    }),
  )
  .join('\n')

// Every build but one in ten has a pipeline in the map.
const mapped = (b: number): boolean => b % 10 !== 3

// The reference: findings per key and severity, by a plain loop.
const reference = (
  key: (b: number) => string | undefined,
): ReadonlyArray<readonly [string, string, number]> => {
  const counts = new Map<string, number>()
  for (const r of rows) {
    const k = key(r.build)
    if (k !== undefined) counts.set(`${k} ${r.severity}`, (counts.get(`${k} ${r.severity}`) ?? 0) + 1)
  }
  return tally(counts)
}

const counted = (
  fs: ReadonlyArray<Finding>,
  key: 'imageBuildVersionArn' | 'imagePipelineArn',
): ReadonlyArray<readonly [string, string, number]> => {
  const counts = new Map<string, number>()
  for (const f of fs) {
    const k = f[key]
    if (k !== undefined) counts.set(`${k} ${f.severity}`, (counts.get(`${k} ${f.severity}`) ?? 0) + 1)
  }
  return tally(counts)
}

const tally = (counts: ReadonlyMap<string, number>): ReadonlyArray<readonly [string, string, number]> =>
  [...counts]
    .map(([k, n]) => {
      const at = k.lastIndexOf(' ')
      return [k.slice(0, at), k.slice(at + 1), n] as const
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))

const fixture = (async () => {
  const root = await tempDir()
  const file = join(root, 'findings.ndjson')
  await writeFile(file, ndjson)
  const map = join(root, 'pipelines.json')
  const entries = Array.from({ length: builds }, (_, b) => b)
    .filter(mapped)
    .map((b) => `  ${JSON.stringify(buildName(b))}: ${JSON.stringify(pipelineName(b))}`)
  await writeFile(map, `{\n${entries.join(',\n')}\n}\n`)
  return { root, file, map }
})()

test.after.always(async () => {
  await rm((await fixture).root, { recursive: true, force: true })
})

// Reads the file split between threads that wait after each batch they send ahead of the chain.
const readHeldBack = async (file: string, threads: number): Promise<ReadonlyArray<Finding>> => {
  const plan = planFile(file, threads, 0)
  if (plan === undefined) throw new Error('no cut was guessed')
  const tally = { read: 0, counted: 0, notActive: 0, duplicate: 0, noImageLinkage: 0 }
  const out: Array<Finding> = []
  const split = readSplit(plan, {
    chunkSize: 1 << 14,
    findingArns: false,
    keys: ['imageBuildVersionArn'],
    mapping: {},
    seen: new FindingArnSet(),
    tally,
    onBytes: () => undefined,
    ahead: 1,
  })
  for (let r = await split.next(); r.done !== true; r = await split.next()) out.push(...r.value)
  return out
}

test('threads held back after every batch they read ahead of the chain give every finding once', async (t) => {
  const { file } = await fixture
  const split = await readHeldBack(file, 3)
  t.is(split.length, findings)
  t.deepEqual(counted(split, 'imageBuildVersionArn'), reference(buildName))
})

for (const workers of [1, 3]) {
  test(`${workers} thread(s): builds and pipelines from a map counted per key as a plain loop counts them`, async (t) => {
    const { file, map } = await fixture
    const resolver = await loadPipelineMap(map)()
    if (E.isLeft(resolver)) return t.fail(resolver.left.message)
    const read = {
      workers,
      splitBytes: 0,
      chunkSize: 1 << 14,
      findingArns: false,
      resolvePipeline: resolver.right,
    }
    const byPipeline = await collectFindings([file], { ...read, keys: ['imagePipelineArn'] })()
    const byBuild = await collectFindings([file], { ...read, keys: ['imageBuildVersionArn'] })()
    if (E.isLeft(byPipeline) || E.isLeft(byBuild)) return t.fail('the read failed')
    t.deepEqual(
      counted(byPipeline.right.value, 'imagePipelineArn'),
      reference((b) => (mapped(b) ? pipelineName(b) : undefined)),
    )
    t.deepEqual(counted(byBuild.right.value, 'imageBuildVersionArn'), reference(buildName))
    // A grouping by build resolves no pipeline: its findings keep none.
    t.is(byBuild.right.value.filter((f) => f.imagePipelineArn !== undefined).length, 0)
  })
}

test('a map with an escape, a duplicate build or odd spacing reads as JSON.parse reads it', async (t) => {
  const { root } = await fixture
  const a = 'arn:aws:imagebuilder:us-east-1:111122223333:image/a/1.0.0/1'
  const b = 'arn:aws:imagebuilder:us-east-1:111122223333:image/b/1.0.0/1'
  const p = 'arn:aws:imagebuilder:us-east-1:111122223333:image-pipeline/'
  const texts = [
    `{"${a}":"${p}one","${b}":"${p}two"}`,
    ` \t{ "${a}" : "${p}one" ,\r\n"${b}":"${p}tw\\u006f" }\n`,
    `{"${a}":"${p}one","${a}":"${p}two","${b}":"${p}three"}`,
    `{}`,
  ]
  for (const [i, text] of texts.entries()) {
    const path = join(root, `map-${i}.json`)
    await writeFile(path, text)
    const resolver = await loadPipelineMap(path)()
    if (E.isLeft(resolver)) return t.fail(resolver.left.message)
    const parsed = JSON.parse(text) as Record<string, string>
    t.deepEqual([resolver.right(a), resolver.right(b)], [parsed[a], parsed[b]], text)
  }
})
