/**
 * A seeded generator of realistic Amazon Inspector v2 `ListFindings` exports: about 2 KB a
 * finding (descriptions, CVSS details, vulnerable packages, an EC2 resource with Image Builder
 * tags), thousands of CVEs, tens of pipelines, hundreds of image builds, several accounts,
 * every severity and status, a share of findings with no image linkage and a few duplicates.
 * Each finding is a pure function of the seed and its number, so a duplicate repeats an earlier
 * finding byte for byte, as overlapping exports do.
 *
 * @module
 */
import { createWriteStream } from 'node:fs'
import { Random } from './Random.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The layouts an export is written in: one `{"findings": [...]}` document, or one finding per line.
 *
 * @category model
 */
export type Layout = 'json' | 'ndjson'

/**
 * One vulnerability of the generated world, with what every finding of it shares.
 *
 * @category model
 */
export interface Cve {
  readonly id: string
  readonly severity: string
  readonly score: number
  readonly vector: string
  readonly packageName: string
  readonly description: string
  readonly fixed: boolean
  readonly exploit: boolean
}

/**
 * The cardinality of a generated world: how many accounts, pipelines, image builds and
 * vulnerabilities findings are spread over, how often a finding repeats an earlier one, and how
 * timestamps are spelled. Real organisations range from a few builds to hundreds of thousands.
 *
 * @category model
 */
export interface Shape {
  readonly name: 'low' | 'medium' | 'high'
  readonly accounts: number
  readonly pipelines: number
  readonly builds: number
  readonly cves: number
  /** The share of findings that repeat an earlier finding (overlapping exports). */
  readonly duplicates: number
  /** Timestamps as epoch seconds (as some exporters write them) instead of ISO 8601 text. */
  readonly epochSeconds: boolean
}

/**
 * The generated world findings are drawn from.
 *
 * @category model
 */
export interface Universe {
  readonly seed: number
  readonly shape: Shape
  readonly accounts: ReadonlyArray<string>
  readonly pipelines: ReadonlyArray<{ readonly arn: string; readonly account: string; readonly name: string }>
  readonly builds: ReadonlyArray<{
    readonly arn: string
    readonly pipeline: string
    readonly account: string
  }>
  readonly cves: ReadonlyArray<Cve>
}

const words =
  'a an the in of to and or with via when by is may allow remote local attacker user crafted request packet buffer overflow heap stack memory corruption use after free integer underflow denial service execute arbitrary code privilege escalation information disclosure bypass authentication certificate validation signature parser function library component kernel driver module handling input length boundary check race condition null pointer dereference out bounds read write sensitive data exposure cross site scripting injection command path traversal'.split(
    ' ',
  )

const packages = [
  'openssl',
  'glibc',
  'curl',
  'libxml2',
  'zlib',
  'sudo',
  'systemd',
  'python3',
  'openssh',
  'bash',
  'kernel',
  'nss',
  'expat',
  'sqlite',
  'libpng',
  'git',
  'vim',
  'tar',
  'gnutls',
  'krb5-libs',
]

const pipelineNames = [
  'web-server',
  'db',
  'api',
  'batch',
  'cache',
  'ml-train',
  'bastion',
  'proxy',
  'etl',
  'ci',
]

// Severity weights roughly as Inspector reports them (most findings are medium or high).
const severityTable: ReadonlyArray<readonly [string, number]> = [
  ['CRITICAL', 0.06],
  ['HIGH', 0.3],
  ['MEDIUM', 0.42],
  ['LOW', 0.14],
  ['INFORMATIONAL', 0.05],
  ['UNTRIAGED', 0.03],
]

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The benchmark's three worlds. `low`: 5 accounts, 400 image builds, 1 finding in 100 repeated.
 * `medium`: 50 accounts, 20,000 builds. `high`: 200 accounts, 200,000 builds (about 5 findings
 * each at a million), every finding distinct, timestamps in epoch seconds.
 *
 * @category constructors
 */
export const shapes: Readonly<Record<Shape['name'], Shape>> = {
  low: {
    name: 'low',
    accounts: 5,
    pipelines: 40,
    builds: 400,
    cves: 5000,
    duplicates: 0.01,
    epochSeconds: false,
  },
  medium: {
    name: 'medium',
    accounts: 50,
    pipelines: 1000,
    builds: 20_000,
    cves: 10_000,
    duplicates: 0.02,
    epochSeconds: false,
  },
  high: {
    name: 'high',
    accounts: 200,
    pipelines: 4000,
    builds: 200_000,
    cves: 5000,
    duplicates: 0,
    epochSeconds: true,
  },
}

/**
 * The world of a seed and a shape (by default `low`: 5 accounts, 40 pipelines, 400 image builds,
 * 5000 CVEs).
 *
 * @category constructors
 */
export const makeUniverse = (seed: number, shape: Shape = shapes.low): Universe => {
  const r = new Random(seed)
  // 111111111111, 222222222222, ... then each of those less 1, 2, ...: twelve digits, distinct.
  const accounts = Array.from({ length: shape.accounts }, (_, i) =>
    String(111111111111 * ((i % 9) + 1) - Math.floor(i / 9)).padStart(12, '0'),
  )
  const pipelines = Array.from({ length: shape.pipelines }, (_, i) => {
    const account = accounts[i % accounts.length] as string
    const name = `${pipelineNames[i % pipelineNames.length]}-${Math.floor(i / pipelineNames.length)}`
    return { arn: `arn:aws:imagebuilder:us-east-1:${account}:image-pipeline/${name}`, account, name }
  })
  const builds = Array.from({ length: shape.builds }, (_, i) => {
    const p = pipelines[i % pipelines.length] as (typeof pipelines)[number]
    const version = `1.${Math.floor(i / pipelines.length)}.${r.int(4)}/${1 + r.int(3)}`
    return {
      arn: `arn:aws:imagebuilder:us-east-1:${p.account}:image/${p.name}/${version}`,
      pipeline: p.arn,
      account: p.account,
    }
  })
  const cves = Array.from({ length: shape.cves }, (_, i): Cve => {
    const severity = weighted(r, severityTable)
    const score =
      Math.round((severity === 'CRITICAL' ? 9 : severity === 'HIGH' ? 7 : 4) + r.float() * 10) / 10
    return {
      id:
        i % 25 === 0
          ? `GHSA-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}`
          : i % 17 === 0
            ? `ALAS2-${2019 + (i % 6)}-${1000 + i}`
            : `CVE-${2015 + (i % 10)}-${String(1000 + i * 7).padStart(4, '0')}`,
      severity,
      score: Math.min(score, 10),
      vector: `CVSS:3.1/AV:${r.pick(['N', 'A', 'L'])}/AC:${r.pick(['L', 'H'])}/PR:${r.pick(['N', 'L', 'H'])}/UI:${r.pick(['N', 'R'])}/S:U/C:${r.pick(['H', 'L', 'N'])}/I:${r.pick(['H', 'L', 'N'])}/A:${r.pick(['H', 'L', 'N'])}`,
      packageName: r.pick(packages),
      description: sentence(r, 20 + r.int(60)),
      fixed: r.float() < 0.7,
      exploit: r.float() < 0.1,
    }
  })
  return { seed, shape, accounts, pipelines, builds, cves }
}

/**
 * The Inspector v2 finding number `n` of a world (a plain object, ready for `JSON.stringify`).
 * About 1 in 10 has no `Ec2ImageBuilderArn` tag, 1 in 7 is not `ACTIVE`; descriptions sometimes
 * hold quotes, backslashes, newlines and non-ASCII characters.
 *
 * @category constructors
 */
export const inspectorFinding = (u: Universe, n: number): Record<string, unknown> => {
  const r = new Random((u.seed * 2654435761) ^ n)
  const cve = u.cves[r.skewed(u.cves.length)] as Cve
  const build = u.builds[r.int(u.builds.length)] as Universe['builds'][number]
  const linked = r.float() >= 0.1
  const status = r.float() < 0.86 ? 'ACTIVE' : r.pick(['SUPPRESSED', 'CLOSED'])
  const account = build.account
  const day = 1 + r.int(27)
  const iso = `2024-0${1 + r.int(9)}-${String(day).padStart(2, '0')}T${String(r.int(24)).padStart(2, '0')}:${String(r.int(60)).padStart(2, '0')}:0${r.int(10)}.${r.int(1000)}Z`
  const time: string | number = u.shape.epochSeconds ? Math.floor(Date.parse(iso) / 1000) : iso
  const version = `${1 + r.int(3)}.${r.int(20)}.${r.int(50)}`
  const fixedIn = cve.fixed ? `${version.slice(0, -1)}${9}` : 'NotAvailable'
  const instance = `i-0${r.hex(16)}`
  const flavour = r.int(50)
  const description =
    flavour === 0
      ? `${cve.description} Reported as "${cve.packageName}\\${version}"\n\tsee the vendor's advisory — naïve fix ✓ 😀`
      : cve.description
  const tags: Record<string, string> = {
    Name: `${build.pipeline.slice(build.pipeline.lastIndexOf('/') + 1)}-${r.hex(6)}`,
    CreatedBy: 'EC2 Image Builder',
  }
  if (linked) tags.Ec2ImageBuilderArn = build.arn
  return {
    awsAccountId: account,
    description,
    epss: { score: Math.round(r.float() * 100000) / 100000 },
    exploitAvailable: cve.exploit ? 'YES' : 'NO',
    ...(cve.exploit ? { exploitabilityDetails: { lastKnownExploitAt: time } } : {}),
    findingArn: `arn:aws:inspector2:us-east-1:${account}:finding/${hexOf(u.seed, n)}`,
    firstObservedAt: time,
    fixAvailable: cve.fixed ? 'YES' : r.pick(['NO', 'PARTIAL', 'NO']),
    inspectorScore: cve.score,
    inspectorScoreDetails: {
      adjustedCvss: {
        adjustments: [],
        cvssSource: 'NVD',
        score: cve.score,
        scoreSource: 'NVD',
        scoringVector: cve.vector,
        version: '3.1',
      },
    },
    lastObservedAt: time,
    packageVulnerabilityDetails: {
      cvss: [
        { baseScore: cve.score, scoringVector: cve.vector, source: 'NVD', version: '3.1' },
        {
          baseScore: cve.score,
          scoringVector: cve.vector.replace('3.1', '3.0'),
          source: 'AMAZON_CVE',
          version: '3.0',
        },
      ],
      referenceUrls: [
        `https://nvd.nist.gov/vuln/detail/${cve.id}`,
        `https://alas.aws.amazon.com/AL2/${cve.id}.html`,
      ],
      relatedVulnerabilities: r.float() < 0.2 ? [`${cve.id.slice(0, 9)}${r.int(9999)}`] : [],
      source: 'NVD',
      sourceUrl: `https://nvd.nist.gov/vuln/detail/${cve.id}`,
      vendorCreatedAt: time,
      vendorSeverity: cve.severity,
      vendorUpdatedAt: time,
      vulnerabilityId: cve.id,
      vulnerablePackages: [
        {
          arch: 'X86_64',
          epoch: 0,
          fixedInVersion: fixedIn,
          name: cve.packageName,
          packageManager: 'OS',
          release: `${r.int(40)}.amzn2`,
          remediation: cve.fixed ? `yum update ${cve.packageName}` : 'None Provided',
          version,
        },
      ],
    },
    remediation: { recommendation: { text: cve.fixed ? `Update ${cve.packageName}.` : 'None Provided' } },
    resources: [
      {
        details: {
          awsEc2Instance: {
            iamInstanceProfileArn: `arn:aws:iam::${account}:instance-profile/EC2InstanceProfileForImageBuilder`,
            imageId: `ami-0${r.hex(16)}`,
            ipV4Addresses: [`10.${r.int(256)}.${r.int(256)}.${r.int(256)}`],
            ipV6Addresses: [],
            launchedAt: time,
            platform: 'AMAZON_LINUX_2',
            subnetId: `subnet-0${r.hex(16)}`,
            type: r.pick(['t3.medium', 'm5.large', 'c5.xlarge']),
            vpcId: `vpc-0${r.hex(16)}`,
          },
        },
        id: instance,
        partition: 'aws',
        region: 'us-east-1',
        tags,
        type: 'AWS_EC2_INSTANCE',
      },
    ],
    severity: r.float() < 0.97 ? cve.severity : 'UNTRIAGED',
    status,
    title: `${cve.id} - ${cve.packageName}`,
    type: 'PACKAGE_VULNERABILITY',
    updatedAt: time,
  }
}

/**
 * The number of the finding at place `i` of an export: usually `i`, but about 1 in 100 repeats
 * an earlier finding (a duplicate `findingArn`, as when exports overlap).
 *
 * @category constructors
 */
export const findingNumberAt = (seed: number, i: number, shape: Shape = shapes.low): number => {
  const r = new Random(seed ^ (i * 40503))
  return i > 10 && r.float() < shape.duplicates ? r.int(i) : i
}

/**
 * The image build version -> pipeline mapping of a world (what `--pipeline-map` reads).
 *
 * @category constructors
 */
export const pipelineMapOf = (u: Universe): Record<string, string> =>
  Object.fromEntries(u.builds.map((b) => [b.arn, b.pipeline]))

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The text of an export of `count` findings, in pieces of about a megabyte.
 *
 * @category utils
 */
export function* exportText(
  seed: number,
  count: number,
  layout: Layout,
  shape: Shape = shapes.low,
): Generator<string> {
  const u = makeUniverse(seed, shape)
  let out = layout === 'json' ? '{"findings":[\n' : ''
  for (let i = 0; i < count; i++) {
    const record = JSON.stringify(inspectorFinding(u, findingNumberAt(seed, i, shape)))
    out += layout === 'json' ? (i === count - 1 ? `${record}\n` : `${record},\n`) : `${record}\n`
    if (out.length > 1 << 20) {
      yield out
      out = ''
    }
  }
  if (layout === 'json') out += ']}\n'
  yield out
}

/**
 * Writes an export of `count` findings to a file.
 *
 * @category utils
 */
export const writeExport = async (
  path: string,
  seed: number,
  count: number,
  layout: Layout,
  shape: Shape = shapes.low,
): Promise<void> => {
  const out = createWriteStream(path)
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve)
    out.on('error', reject)
  })
  for (const piece of exportText(seed, count, layout, shape))
    if (!out.write(piece)) await new Promise<void>((resolve) => out.once('drain', resolve))
  out.end()
  await done
}

const weighted = (r: Random, table: ReadonlyArray<readonly [string, number]>): string => {
  let u = r.float()
  for (const [value, weight] of table) {
    u -= weight
    if (u < 0) return value
  }
  return (table[table.length - 1] as readonly [string, number])[0]
}

const sentence = (r: Random, length: number): string => {
  const out: string[] = []
  for (let i = 0; i < length; i++) out.push(r.pick(words))
  const s = out.join(' ')
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`
}

const hexOf = (seed: number, n: number): string =>
  `${(seed >>> 0).toString(16).padStart(8, '0')}${n.toString(16).padStart(24, '0')}`
