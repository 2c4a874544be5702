// Writes the example exports shipped in examples/: a seeded, realistic Inspector v2
// ListFindings export, the Image Builder ListImageScanFindings view of the same findings, and
// the pipeline map that links image build versions to pipelines. Run: node scripts/make-example.mjs
import { writeFileSync } from 'node:fs'

let seed = 20241128
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)]

const accounts = ['111122223333', '444455556666']
const pipelines = ['web-server', 'database', 'batch-worker']
const severities = [
  'CRITICAL',
  'HIGH',
  'HIGH',
  'MEDIUM',
  'MEDIUM',
  'MEDIUM',
  'LOW',
  'INFORMATIONAL',
  'UNTRIAGED',
]
const packages = ['openssl', 'curl', 'glibc', 'zlib', 'sudo', 'bash', 'python3', 'libxml2']
const cves = Array.from({ length: 14 }, (_, i) => `CVE-2024-${String(1000 + i * 137)}`)
const builds = accounts.flatMap((account) =>
  pipelines.flatMap((p) =>
    ['1.0.0/1', '1.0.0/2'].map((v) => ({
      account,
      pipeline: `arn:aws:imagebuilder:us-east-1:${account}:image-pipeline/${p}`,
      image: `arn:aws:imagebuilder:us-east-1:${account}:image/${p}-recipe/${v}`,
    })),
  ),
)

const inspector = []
const imageBuilder = []
const base = Date.UTC(2024, 8, 4, 16, 59, 44) / 1000
for (let i = 0; i < 160; i++) {
  const b = pick(builds)
  const cve = pick(cves)
  const severity = pick(severities)
  const pkg = pick(packages)
  const status = i % 23 === 0 ? 'SUPPRESSED' : i % 31 === 0 ? 'CLOSED' : 'ACTIVE'
  const fixAvailable = pick(['YES', 'YES', 'NO', 'PARTIAL'])
  const observed = base + i * 3600
  const score = { CRITICAL: 9.8, HIGH: 7.5, MEDIUM: 5.3, LOW: 3.1, INFORMATIONAL: 0, UNTRIAGED: 0 }[severity]
  const findingArn = `arn:aws:inspector2:us-east-1:${b.account}:finding/${((i * 2654435761) % 4294967296).toString(16).padStart(8, '0')}${String(i).padStart(24, '0')}`
  const details = {
    vulnerabilityId: cve,
    source: 'NVD',
    sourceUrl: `https://nvd.nist.gov/vuln/detail/${cve}`,
    vendorSeverity: severity,
    cvss: [
      {
        baseScore: score,
        scoringVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        version: '3.1',
        source: 'NVD',
      },
    ],
    vulnerablePackages: [
      {
        name: pkg,
        version: '1.2.3',
        release: '4.amzn2',
        arch: 'X86_64',
        packageManager: 'OS',
        fixedInVersion: fixAvailable === 'NO' ? 'NotAvailable' : '1.2.4',
      },
    ],
    referenceUrls: [`https://alas.aws.amazon.com/${cve}.html`],
  }
  inspector.push({
    findingArn,
    awsAccountId: b.account,
    type: 'PACKAGE_VULNERABILITY',
    title: `${cve} - ${pkg}`,
    description: `A flaw was found in ${pkg} that may allow a remote attacker to cause a denial of service.`,
    severity,
    status,
    inspectorScore: score,
    firstObservedAt: observed,
    lastObservedAt: observed + 86400,
    updatedAt: observed + 86400,
    fixAvailable,
    exploitAvailable: severity === 'CRITICAL' ? 'YES' : 'NO',
    remediation: { recommendation: { text: `Update ${pkg} to the fixed version.` } },
    packageVulnerabilityDetails: details,
    resources: [
      {
        type: 'AWS_EC2_INSTANCE',
        id: `i-0${(i * 7919).toString(16).padStart(16, '0')}`,
        partition: 'aws',
        region: 'us-east-1',
        tags: { Ec2ImageBuilderArn: b.image, CreatedBy: 'EC2 Image Builder' },
        details: { awsEc2Instance: { platform: 'AMAZON_LINUX_2', type: 't3.medium' } },
      },
    ],
  })
  if (status === 'ACTIVE')
    imageBuilder.push({
      awsAccountId: b.account,
      imageBuildVersionArn: b.image,
      imagePipelineArn: b.pipeline,
      type: 'PACKAGE_VULNERABILITY',
      title: `${cve} - ${pkg}`,
      description: `A flaw was found in ${pkg} that may allow a remote attacker to cause a denial of service.`,
      severity,
      firstObservedAt: observed,
      updatedAt: observed + 86400,
      inspectorScore: score,
      fixAvailable,
      remediation: { recommendation: { text: `Update ${pkg} to the fixed version.` } },
      packageVulnerabilityDetails: details,
    })
}

const out = (name, value) =>
  writeFileSync(new URL(`../examples/${name}`, import.meta.url), `${JSON.stringify(value, null, 2)}\n`)
out('inspector-findings.json', { findings: inspector })
out('imagebuilder-findings.json', { findings: imageBuilder })
out('pipelines.json', Object.fromEntries(builds.map((b) => [b.image, b.pipeline])))
