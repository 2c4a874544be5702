/**
 * Test support shared by this package's tests: a deterministic engine, and a naive recount that
 * the engine's answers are checked against.
 *
 * @module
 */
import * as Either from 'fp-ts/lib/Either.js'
import type { ExtendedCounts } from './Counts.js'
import { type Engine, makeEngine } from './Engine.js'
import { type Finding, type GroupKey, keyOf } from './Finding.js'
import { buildIndex } from './FindingIndex.js'
import { makeTokenKey, type TokenKey } from './Token.js'

/**
 * A token key from a one-byte seed, for tests.
 *
 * @category testing
 */
export const testKey = (seed: number, id?: string): TokenKey =>
  Either.getOrElseW(() => {
    throw new Error('bad test key')
  })(makeTokenKey(new Uint8Array(32).fill(seed), id))

/**
 * An engine over findings with a fixed clock, fixed request ids and one test key.
 *
 * @category testing
 */
export const testEngine = (
  findings: ReadonlyArray<Finding>,
  options: {
    readonly pageSize?: number
    readonly keys?: readonly [TokenKey, ...TokenKey[]]
    readonly now?: () => number
  } = {},
): Engine => {
  const index = buildIndex(findings)
  if (Either.isLeft(index)) throw new Error(index.left.message)
  return makeEngine(index.right, {
    keys: options.keys ?? [testKey(7)],
    pageSize: options.pageSize ?? 100,
    now: options.now ?? (() => 1_700_000_000_000),
    requestId: () => 'req-1',
  })
}

/**
 * The findings left after de-duplication by `findingArn` (first occurrence wins).
 *
 * @category testing
 */
export const dedupe = (findings: ReadonlyArray<Finding>): ReadonlyArray<Finding> => {
  const seen = new Set<string>()
  return findings.filter((f) => {
    if (f.findingArn === undefined) return true
    if (seen.has(f.findingArn)) return false
    seen.add(f.findingArn)
    return true
  })
}

/**
 * A naive recount: group the findings that carry a key, then count each group field by field.
 *
 * @category testing
 */
export const naiveCounts = (
  findings: ReadonlyArray<Finding>,
  groupBy: GroupKey,
  keep: (f: Finding) => boolean = () => true,
): Map<string, ExtendedCounts> => {
  // Grouped first, then each count is a filter of its group: nothing shared with the engine's
  // accumulators.
  const groups = new Map<string, Finding[]>()
  for (const f of dedupe(findings)) {
    const key = keyOf(groupBy)(f)
    if (key === undefined || !keep(f)) continue
    const group = groups.get(key)
    if (group === undefined) groups.set(key, [f])
    else group.push(f)
  }
  const out = new Map<string, ExtendedCounts>()
  for (const [key, group] of groups) {
    const count = (p: (f: Finding) => boolean): number => group.filter(p).length
    out.set(key, {
      all: group.length,
      critical: count((f) => f.severity === 'CRITICAL'),
      high: count((f) => f.severity === 'HIGH'),
      medium: count((f) => f.severity === 'MEDIUM'),
      low: count((f) => f.severity === 'LOW'),
      informational: count((f) => f.severity === 'INFORMATIONAL'),
      untriaged: count((f) => f.severity === 'UNTRIAGED'),
      fixAvailable: count((f) => f.fixAvailable === 'YES'),
      exploitAvailable: count((f) => f.exploitAvailable === 'YES'),
    })
  }
  return out
}

/**
 * Unwraps a Right or fails the test with the Left's message.
 *
 * @category testing
 */
export const rightOf = <E extends { readonly message: string }, A>(e: Either.Either<E, A>): A => {
  if (Either.isLeft(e)) throw new Error(`expected success, got ${JSON.stringify(e.left)}`)
  return e.right
}

// A raw record read member by member, whatever its shape.
// biome-ignore lint/suspicious/noExplicitAny: the reference reads generated records of known shape
type Raw = Record<string, any>

/**
 * The `ImageScanFinding` an Inspector v2 finding (as `inspectorRecordArb` makes them) is
 * served as, written out member by member, independently of the mapping it checks: Image
 * Builder's members taken from Inspector's, `remediation.recommendation.Url` as `url`, members
 * Image Builder has no place for left out, empty structures and lists left out, and each
 * timestamp as `time` makes it of epoch seconds (numbers on the wire, `Date`s in the AWS SDK).
 *
 * @category testing
 */
export const expectedImageScanFinding = (
  raw: Readonly<Record<string, unknown>>,
  time: (seconds: number) => unknown = (s) => s,
): Record<string, unknown> => {
  const r = raw as Raw
  const seconds = (v: unknown) =>
    v === undefined ? undefined : time(typeof v === 'number' ? v : Date.parse(v as string) / 1000)
  const pick = (o: Raw | undefined, keys: ReadonlyArray<string>) => {
    if (o === undefined) return undefined
    const out: Record<string, unknown> = {}
    for (const k of keys) if (o[k] !== undefined) out[k] = o[k]
    return Object.keys(out).length === 0 ? undefined : out
  }
  const list = <A>(xs: ReadonlyArray<A> | undefined, f: (x: A) => unknown = (x) => x) => {
    const out = (xs ?? []).map(f).filter((x) => x !== undefined)
    return out.length === 0 ? undefined : out
  }
  const adjusted = r.inspectorScoreDetails?.adjustedCvss
  const cvss =
    adjusted === undefined
      ? undefined
      : pick(
          { ...adjusted, adjustments: list(adjusted.adjustments, (a: Raw) => pick(a, ['metric', 'reason'])) },
          ['scoreSource', 'cvssSource', 'version', 'score', 'scoringVector', 'adjustments'],
        )
  const recommendation = r.remediation?.recommendation
  const p = r.packageVulnerabilityDetails
  const packageKeys = ['name', 'version', 'sourceLayerHash', 'epoch', 'release', 'arch', 'packageManager']
  const out: Record<string, unknown> = {
    awsAccountId: r.awsAccountId,
    imageBuildVersionArn: r.resources?.[0]?.tags?.Ec2ImageBuilderArn,
    type: r.type,
    description: r.description,
    title: r.title,
    remediation:
      recommendation === undefined
        ? undefined
        : pick(
            { recommendation: pick({ text: recommendation.text, url: recommendation.Url }, ['text', 'url']) },
            ['recommendation'],
          ),
    severity: r.severity,
    firstObservedAt: seconds(r.firstObservedAt),
    updatedAt: seconds(r.updatedAt),
    inspectorScore: r.inspectorScore,
    inspectorScoreDetails: cvss === undefined ? undefined : { adjustedCvss: cvss },
    packageVulnerabilityDetails: pick(
      {
        vulnerabilityId: p.vulnerabilityId,
        vulnerablePackages: list(p.vulnerablePackages, (v: Raw) =>
          pick(v, [...packageKeys, 'filePath', 'fixedInVersion', 'remediation']),
        ),
        source: p.source,
        cvss: list(p.cvss, (c: Raw) => pick(c, ['baseScore', 'scoringVector', 'version', 'source'])),
        relatedVulnerabilities: list(p.relatedVulnerabilities),
        sourceUrl: p.sourceUrl,
        vendorSeverity: p.vendorSeverity,
        vendorCreatedAt: seconds(p.vendorCreatedAt),
        vendorUpdatedAt: seconds(p.vendorUpdatedAt),
        referenceUrls: list(p.referenceUrls),
      },
      [
        'vulnerabilityId',
        'vulnerablePackages',
        'source',
        'cvss',
        'relatedVulnerabilities',
        'sourceUrl',
        'vendorSeverity',
        'vendorCreatedAt',
        'vendorUpdatedAt',
        'referenceUrls',
      ],
    ),
    fixAvailable: r.fixAvailable,
  }
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k]
  return out
}
