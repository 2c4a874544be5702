// Test support: generated findings and their serializations in every export format.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { type Finding, severities } from '@scantally/core'
import { ExploitAvailable, FixAvailable } from '@scantally/core/internal'
import fc from 'fast-check'

const literals = <T extends string>(codec: { readonly keys: Record<T, unknown> }) =>
  fc.constantFrom(...(Object.keys(codec.keys) as T[]))

/** A generated finding, before it is written in some format. */
export interface Gen {
  readonly awsAccountId: string
  readonly severity: (typeof severities)[number]
  readonly build: string | undefined
  readonly vulnerabilityId: string | undefined
  readonly fixAvailable: FixAvailable | undefined
  readonly exploitAvailable: ExploitAvailable | undefined
  readonly findingArn: string
  readonly timestamp: unknown
  readonly title: unknown
}

export const builds = [
  'arn:aws:imagebuilder:us-east-1:111111111111:image/web/1.0.0/1',
  'arn:aws:imagebuilder:us-east-1:111111111111:image/web/1.0.1/1',
  'arn:aws:imagebuilder:us-east-1:222222222222:image/db/2.0.0/3',
] as const

/** The pipeline each image build version was built by (one has none known). */
export const pipelineOf = (build: string): string | undefined =>
  build.includes('/db/')
    ? undefined
    : build.replace(':image/', ':image-pipeline/').replace(/\/[0-9.]+\/[0-9]+$/, '')

const timestampArb = fc.oneof(
  fc.integer({ min: 0, max: 2_000_000_000 }),
  fc.constant('2024-09-04T16:59:44.356Z'),
  fc.constant('Wed Sep 04 16:59:44.356 UTC 2024'),
  fc.constant('not a time'),
)

// Descriptive text in any shape: quotes, backslashes, control characters, astral characters.
const textArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('say \\"hi\\"', 'tab\there', 'ends with \\', '😀 é'),
  fc.jsonValue({ maxDepth: 2 }),
)

export const genArb = (index: number): fc.Arbitrary<Gen> =>
  fc.record({
    awsAccountId: fc.constantFrom('111111111111', '222222222222', '012345678901'),
    severity: fc.constantFrom(...severities),
    build: fc.option(fc.constantFrom(...builds), { nil: undefined, freq: 5 }),
    vulnerabilityId: fc.option(
      fc.oneof(
        fc.constantFrom('CVE-2024-0001', 'CVE-2023-9999', 'GHSA-x'),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }),
      ),
      { nil: undefined },
    ),
    fixAvailable: fc.option(literals(FixAvailable), { nil: undefined }),
    exploitAvailable: fc.option(literals(ExploitAvailable), { nil: undefined }),
    findingArn: fc.constant(
      `arn:aws:inspector2:us-east-1:111111111111:finding/${index.toString(16).padStart(8, '0')}`,
    ),
    timestamp: timestampArb,
    title: textArb,
  })

export const gensArb = (maxLength = 30): fc.Arbitrary<ReadonlyArray<Gen>> =>
  fc
    .integer({ min: 1, max: maxLength })
    .chain(
      (n): fc.Arbitrary<ReadonlyArray<Gen>> =>
        n === 0 ? fc.constant([]) : fc.tuple(...Array.from({ length: n }, (_, i) => genArb(i))),
    )

export const imageScanRecord = (g: Gen): Record<string, unknown> => {
  const pipeline = g.build === undefined ? undefined : pipelineOf(g.build)
  return {
    awsAccountId: g.awsAccountId,
    ...(g.build === undefined ? {} : { imageBuildVersionArn: g.build }),
    ...(pipeline === undefined ? {} : { imagePipelineArn: pipeline }),
    type: 'PACKAGE_VULNERABILITY',
    description: g.title,
    title: g.title,
    remediation: { recommendation: { text: g.title, url: 5 } },
    severity: g.severity,
    firstObservedAt: g.timestamp,
    updatedAt: g.timestamp,
    inspectorScore: 7.5,
    inspectorScoreDetails: { adjustedCvss: { score: 7.5, adjustments: [] } },
    packageVulnerabilityDetails: {
      ...(g.vulnerabilityId === undefined ? {} : { vulnerabilityId: g.vulnerabilityId }),
      source: 'NVD',
      vulnerablePackages: [{ name: 'openssl', version: '1.0' }],
      vendorCreatedAt: g.timestamp,
    },
    ...(g.fixAvailable === undefined ? {} : { fixAvailable: g.fixAvailable }),
  }
}

export const inspectorRecord = (g: Gen): Record<string, unknown> => ({
  findingArn: g.findingArn,
  awsAccountId: g.awsAccountId,
  type: 'PACKAGE_VULNERABILITY',
  description: g.title,
  title: g.title,
  severity: g.severity,
  firstObservedAt: g.timestamp,
  lastObservedAt: g.timestamp,
  status: 'ACTIVE',
  resources: [
    {
      type: 'AWS_EC2_INSTANCE',
      id: 'i-0123456789abcdef0',
      region: 'us-east-1',
      tags: { Name: g.title, ...(g.build === undefined ? {} : { Ec2ImageBuilderArn: g.build }) },
      details: { awsEc2Instance: { launchedAt: g.timestamp } },
    },
  ],
  inspectorScore: 7.5,
  ...(g.vulnerabilityId === undefined
    ? {}
    : {
        packageVulnerabilityDetails: {
          vulnerabilityId: g.vulnerabilityId,
          source: 'NVD',
          vulnerablePackages: [],
        },
      }),
  ...(g.fixAvailable === undefined ? {} : { fixAvailable: g.fixAvailable }),
  ...(g.exploitAvailable === undefined ? {} : { exploitAvailable: g.exploitAvailable }),
})

export const eventOf = (g: Gen): Record<string, unknown> => ({
  version: '0',
  id: 'e-1',
  'detail-type': 'Inspector2 Finding',
  source: 'aws.inspector2',
  account: g.awsAccountId,
  time: '2024-09-04T16:59:44Z',
  region: 'us-east-1',
  resources: [g.findingArn],
  detail: inspectorRecord(g),
})

/** A generated finding as Security Hub has it in ASFF, as Inspector sends it there. */
export const asffRecord = (g: Gen): Record<string, unknown> => {
  const vulnerability = {
    ...(g.vulnerabilityId === undefined ? {} : { Id: g.vulnerabilityId }),
    ...(g.fixAvailable === undefined ? {} : { FixAvailable: g.fixAvailable }),
    ...(g.exploitAvailable === undefined ? {} : { ExploitAvailable: g.exploitAvailable }),
    VulnerablePackages: [{ Name: 'openssl', Version: '1.0' }],
  }
  return {
    SchemaVersion: '2018-10-08',
    Id: g.findingArn,
    ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/inspector',
    ProductName: 'Inspector',
    CompanyName: 'Amazon',
    Region: 'us-east-1',
    GeneratorId: 'AWSInspector',
    AwsAccountId: g.awsAccountId,
    Types: ['Software and Configuration Checks/Vulnerabilities/CVE'],
    FirstObservedAt: g.timestamp,
    CreatedAt: g.timestamp,
    UpdatedAt: g.timestamp,
    // Security Hub has no UNTRIAGED label: Inspector's severity stays in Original.
    Severity: { Label: g.severity === 'UNTRIAGED' ? 'INFORMATIONAL' : g.severity, Original: g.severity },
    Title: g.title,
    Description: g.title,
    Remediation: { Recommendation: { Text: g.title } },
    Resources: [
      {
        Type: 'AwsEc2Instance',
        Id: 'arn:aws:ec2:us-east-1:111111111111:instance/i-0123456789abcdef0',
        Partition: 'aws',
        Region: 'us-east-1',
        Tags: { Name: 'web', ...(g.build === undefined ? {} : { Ec2ImageBuilderArn: g.build }) },
      },
    ],
    WorkflowState: 'NEW',
    Workflow: { Status: 'NEW' },
    RecordState: 'ACTIVE',
    ...(g.vulnerabilityId === undefined && g.fixAvailable === undefined && g.exploitAvailable === undefined
      ? {}
      : { Vulnerabilities: [vulnerability] }),
    FindingProviderFields: { Severity: { Label: g.severity } },
  }
}

/** An EventBridge "Security Hub Findings - Imported" event carrying some findings. */
export const securityHubEventOf = (gs: ReadonlyArray<Gen>): Record<string, unknown> => ({
  version: '0',
  id: 'e-2',
  'detail-type': 'Security Hub Findings - Imported',
  source: 'aws.securityhub',
  account: '111111111111',
  time: '2024-09-04T16:59:44Z',
  region: 'us-east-1',
  resources: gs.map((g) => g.findingArn),
  detail: { findings: gs.map(asffRecord) },
})

/** The 55 columns of Inspector's findings report in CSV, in the report's order. */
export const csvReportHeader: ReadonlyArray<string> = [
  'AWS Account Id',
  'Severity',
  'Fix Available',
  'Finding Type',
  'Title',
  'Description',
  'Finding ARN',
  'First Seen',
  'Last Seen',
  'Last Updated',
  'Resource ID',
  'Container Image Tags',
  'Region',
  'Platform',
  'Resource Tags',
  'Affected Packages',
  'Package Installed Version',
  'Fixed in Version',
  'Package Remediation',
  'File Path',
  'Network Paths',
  'Age (Days)',
  'Remediation',
  'Inspector Score',
  'Inspector Score Vector',
  'Status',
  'Vulnerability Id',
  'Vendor',
  'Vendor Severity',
  'Vendor Advisory',
  'Vendor Advisory Published',
  'NVD CVSS3 Score',
  'NVD CVSS3 Vector',
  'NVD CVSS2 Score',
  'NVD CVSS2 Vector',
  'Vendor CVSS3 Score',
  'Vendor CVSS3 Vector',
  'Vendor CVSS2 Score',
  'Vendor CVSS2 Vector',
  'Resource Type',
  'Ami',
  'Resource Public Ipv4',
  'Resource Private Ipv4',
  'Resource Ipv6',
  'Resource Vpc',
  'Port Range',
  'Epss Score',
  'Exploit Available',
  'Last Exploited At',
  'Lambda Layers',
  'Lambda Package Type',
  'Lambda Last Updated At',
  'Reference Urls',
  'Detector Name',
  'Package Manager',
]

const csvCell = (v: string): string => `"${v.replace(/"/g, '""')}"`

// The `Resource Tags` cell in each encoding the reader accepts, chosen by the finding's index.
const tagsCell = (g: Gen, i: number): string => {
  const tags: Record<string, string> = {
    Name: 'web',
    ...(g.build === undefined ? {} : { Ec2ImageBuilderArn: g.build }),
  }
  switch (i % 3) {
    case 0:
      return JSON.stringify(tags)
    case 1:
      return JSON.stringify(Object.entries(tags).map(([key, value]) => ({ key, value })))
    default:
      return Object.entries(tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')
  }
}

/** A generated finding as a row of Inspector's findings report in CSV (every cell quoted). */
export const csvReportRow = (g: Gen, i: number): string => {
  const cells: Record<string, string> = {
    'AWS Account Id': g.awsAccountId,
    Severity: g.severity,
    'Fix Available': g.fixAvailable ?? '',
    'Finding Type': 'Package Vulnerability',
    Title: JSON.stringify(g.title) ?? '',
    Description: 'a "quoted", multi-line\ndescription',
    'Finding ARN': g.findingArn,
    'First Seen': '2024-09-04T16:59:44.356Z',
    'Resource ID': 'i-0123456789abcdef0',
    'Resource Tags': tagsCell(g, i),
    Status: 'ACTIVE',
    'Vulnerability Id': g.vulnerabilityId ?? '',
    'Resource Type': 'AWS_EC2_INSTANCE',
    'Exploit Available': g.exploitAvailable ?? '',
  }
  return csvReportHeader.map((h) => csvCell(cells[h] ?? '')).join(',')
}

/** Inspector's findings report in CSV for generated findings: header, then a row each. */
export const csvReportOf = (gs: ReadonlyArray<Gen>, newline = '\r\n'): string =>
  [csvReportHeader.map(csvCell).join(','), ...gs.map(csvReportRow)].join(newline) + newline

/** The normalized findings a reader should give for generated findings, by format family. */
export const expected = (
  gens: ReadonlyArray<Gen>,
  family: 'imageBuilder' | 'inspector',
): ReadonlyArray<Finding> =>
  gens.flatMap((g) => {
    if (g.build === undefined) return []
    const pipeline = pipelineOf(g.build)
    const f: Record<string, unknown> = {
      awsAccountId: g.awsAccountId,
      severity: g.severity,
      imageBuildVersionArn: g.build,
    }
    if (pipeline !== undefined) f.imagePipelineArn = pipeline
    if (g.vulnerabilityId !== undefined) f.vulnerabilityId = g.vulnerabilityId
    if (g.fixAvailable !== undefined) f.fixAvailable = g.fixAvailable
    if (family === 'inspector') {
      f.findingArn = g.findingArn
      if (g.exploitAvailable !== undefined) f.exploitAvailable = g.exploitAvailable
    }
    return [f as Finding]
  })

const canonical = (u: unknown): string =>
  JSON.stringify(u, (_, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  )

/** A multiset of findings as sorted canonical JSON, for `t.deepEqual`. */
export const multiset = (fs: ReadonlyArray<Finding>): ReadonlyArray<string> => fs.map(canonical).sort()

const pages = <A>(as: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < as.length; i += size) out.push(as.slice(i, i + size))
  return out.length === 0 ? [[]] : out
}

/** A format: a name, its family, and the files it writes for some findings. */
export interface Format {
  readonly name: string
  readonly family: 'imageBuilder' | 'inspector'
  readonly files: (gens: ReadonlyArray<Gen>, pageSize: number) => ReadonlyArray<readonly [string, string]>
}

export const formats: ReadonlyArray<Format> = [
  {
    name: 'Image Builder ListImageScanFindings pages, concatenated',
    family: 'imageBuilder',
    files: (gs, size) => [
      [
        'pages.json',
        pages(gs, size)
          .map((p, i, all) =>
            JSON.stringify({
              findings: p.map(imageScanRecord),
              ...(i < all.length - 1 ? { nextToken: `t${i}` } : {}),
            }),
          )
          .join('\n'),
      ],
    ],
  },
  {
    name: 'Image Builder ListImageScanFindings pages, a file each',
    family: 'imageBuilder',
    files: (gs, size) =>
      pages(gs, size).map((p, i) => [
        `page-${String(i).padStart(4, '0')}.json`,
        JSON.stringify({ requestId: 'r', findings: p.map(imageScanRecord), nextToken: `t${i}` }, null, 2),
      ]),
  },
  {
    name: 'Inspector ListFindings pages',
    family: 'inspector',
    files: (gs, size) =>
      pages(gs, size).map((p, i) => [
        `list-${i}.json`,
        JSON.stringify({ nextToken: `n${i}`, findings: p.map(inspectorRecord) }),
      ]),
  },
  {
    name: 'Inspector findings report',
    family: 'inspector',
    files: (gs) => [['report.json', JSON.stringify({ findings: gs.map(inspectorRecord) }, null, 4)]],
  },
  {
    name: 'NDJSON of image scan findings',
    family: 'imageBuilder',
    files: (gs) => [['findings.ndjson', gs.map((g) => `${JSON.stringify(imageScanRecord(g))}\n`).join('')]],
  },
  {
    name: 'NDJSON of Inspector findings',
    family: 'inspector',
    files: (gs) => [['findings.jsonl', gs.map((g) => JSON.stringify(inspectorRecord(g))).join('\r\n')]],
  },
  {
    name: 'EventBridge events, one per line',
    family: 'inspector',
    files: (gs) => [['events.ndjson', gs.map((g) => `${JSON.stringify(eventOf(g))}\n`).join('')]],
  },
  {
    name: 'EventBridge events, a JSON array',
    family: 'inspector',
    files: (gs) => [['events.json', JSON.stringify(gs.map(eventOf), null, 1)]],
  },
  {
    name: 'EventBridge events, one per file',
    family: 'inspector',
    files: (gs) =>
      gs.map((g, i) => [`event-${String(i).padStart(4, '0')}.json`, JSON.stringify(eventOf(g), null, 2)]),
  },
  {
    name: 'Security Hub GetFindings pages of ASFF findings from Inspector',
    family: 'inspector',
    files: (gs, size) =>
      pages(gs, size).map((p, i) => [
        `asff-${i}.json`,
        JSON.stringify(
          { Findings: p.map(asffRecord), NextToken: `n${i}` },
          null,
          i % 2 === 0 ? 2 : undefined,
        ),
      ]),
  },
  {
    name: 'EventBridge "Security Hub Findings - Imported" events',
    family: 'inspector',
    files: (gs, size) => [
      [
        'securityhub.ndjson',
        pages(gs, size)
          .map((p) => `${JSON.stringify(securityHubEventOf(p))}\n`)
          .join(''),
      ],
    ],
  },
]

/** The formats that are not JSON (the JSON formats' styling and split tests do not apply). */
export const csvFormats: ReadonlyArray<Format> = [
  {
    name: 'Inspector findings report in CSV',
    family: 'inspector',
    files: (gs) => [['report.csv', csvReportOf(gs)]],
  },
  {
    name: 'Inspector findings report in CSV, LF line ends, several files',
    family: 'inspector',
    files: (gs, size) => pages(gs, size).map((p, i) => [`report-${i}.csv`, csvReportOf(p, '\n')]),
  },
]

/**
 * Inspector finding `i` as an NDJSON line: a distinct ARN, account `i % 7`, and the severity given
 * (by default one of LOW, HIGH and CRITICAL in turn).
 */
export const inspectorLine = (i: number, severity = ['LOW', 'HIGH', 'CRITICAL'][i % 3]): string => {
  const account = String(100000000000 + (i % 7))
  return `${JSON.stringify({
    awsAccountId: account,
    severity,
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

/** `n` Inspector findings as NDJSON from finding `first` on (see {@link inspectorLine}). */
export const inspectorNdjson = (n: number, first = 0): string => {
  let text = ''
  for (let i = first; i < first + n; i++) text += inspectorLine(i)
  return text
}

/** A fresh temporary directory. */
export const tempDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'scantally-source-json-'))

/** Writes a format's files into a new directory (gzipped when asked) and returns it. */
export const writeFormat = async (
  root: string,
  format: Format,
  gens: ReadonlyArray<Gen>,
  pageSize: number,
  gzip: boolean,
): Promise<string> => {
  const dir = join(root, format.name.replace(/[^a-zA-Z]+/g, '-'))
  await mkdir(dir, { recursive: true })
  for (const [name, text] of format.files(gens, pageSize))
    await writeFile(join(dir, name), gzip ? gzipSync(Buffer.from(text)) : text)
  return dir
}
