import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ImagebuilderClient,
  paginateListImageScanFindingAggregations,
  paginateListImageScanFindings,
} from '@aws-sdk/client-imagebuilder'
import test from 'ava'
import { standInEnv, startStandIn } from './test/AwsStandIn.js'
import { type Served, serve } from './test/served.js'

// serve counts each finding once however its inputs overlap: live Inspector findings (from a
// stand-in on 127.0.0.1) and an export file sharing some of them answer as one file of all.

// Active findings of two accounts over three image builds, with distinct ARNs; deterministic.
const severities = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNTRIAGED']
const records = Array.from({ length: 60 }, (_, i) => {
  const r = (i * 2654435761) >>> 0
  const account = i % 2 === 0 ? '111111111111' : '222222222222'
  return {
    findingArn: `arn:aws:inspector2:us-east-1:${account}:finding/${i.toString(16).padStart(8, '0')}`,
    awsAccountId: account,
    type: 'PACKAGE_VULNERABILITY',
    severity: severities[(r >>> 3) % severities.length],
    status: 'ACTIVE',
    firstObservedAt: 1725469184.356,
    resources: [
      {
        type: 'AWS_EC2_INSTANCE',
        id: `i-${i}`,
        tags: { Ec2ImageBuilderArn: `arn:aws:imagebuilder:us-east-1:${account}:image/web/1.0.${r % 3}/1` },
      },
    ],
    packageVulnerabilityDetails: { vulnerabilityId: `CVE-2024-${(r >>> 11) % 9}`, source: 'NVD' },
    fixAvailable: (r >>> 5) % 2 === 0 ? 'YES' : 'NO',
    exploitAvailable: 'NO',
  }
})
const live = records.slice(0, 40)
const local = records.slice(20)

const env = async (endpoint: string): Promise<NodeJS.ProcessEnv> =>
  standInEnv(endpoint, await mkdtemp(join(tmpdir(), 'scantally-mixed-home-')))

const client = (url: string) =>
  new ImagebuilderClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  })

// No filter, and each account's findings by another group key.
const filters = [
  undefined,
  { name: 'accountId', values: ['111111111111'] },
  { name: 'accountId', values: ['222222222222'] },
] as const

// Every aggregation page of each grouping, and every finding's key members.
const answers = async (url: string) => {
  const aggregations: unknown[][] = []
  for (const filter of filters) {
    const out: unknown[] = []
    for await (const page of paginateListImageScanFindingAggregations(
      { client: client(url) },
      filter === undefined ? {} : { filter: { name: filter.name, values: [...filter.values] } },
    ))
      out.push(...(page.responses ?? []))
    aggregations.push(out)
  }
  const findings: unknown[] = []
  for await (const page of paginateListImageScanFindings({ client: client(url), pageSize: 7 }, {}))
    for (const f of page.findings ?? [])
      findings.push([
        f.awsAccountId,
        f.imageBuildVersionArn,
        f.severity,
        f.packageVulnerabilityDetails?.vulnerabilityId,
      ])
  return { aggregations, findings }
}

const stopped = async (t: { is: (a: unknown, b: unknown) => void }, served: Served) => {
  served.child.kill('SIGTERM')
  t.is(await served.exit, 0)
}

test('a finding both live and in an export file is served once: serve answers as for one file of all', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-mixed-'))
  const localPath = join(dir, 'local.json')
  const allPath = join(dir, 'all.json')
  await writeFile(localPath, JSON.stringify({ findings: local }))
  await writeFile(allPath, JSON.stringify({ findings: records }))
  const standIn = await startStandIn({ findings: live })
  try {
    const environment = await env(standIn.endpoint)
    const mixed = await serve(['inspector:', localPath], environment)
    const mixedSummary = mixed.stderr()
    const mixedAnswers = await answers(mixed.url)
    await stopped(t, mixed)
    const once = await serve([allPath], environment)
    const onceAnswers = await answers(once.url)
    await stopped(t, once)
    // Counted independently: 60 distinct ARNs, 20 of them read twice.
    t.is(mixedAnswers.findings.length, records.length)
    t.is(mixedAnswers.aggregations[0]?.length, 2)
    t.regex(mixedSummary, /60 counted/)
    t.regex(mixedSummary, /duplicate 20/)
    t.deepEqual(mixedAnswers, onceAnswers)
  } finally {
    await standIn.close()
  }
})
