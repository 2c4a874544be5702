/**
 * What every contender of the benchmark computes, and the digest by which their answers are
 * checked against each other: active, image-linked, de-duplicated findings counted per
 * vulnerability id (`all`, `critical`, `high`, `medium`).
 *
 * @module
 */

/**
 * The digest of an answer: how many groups, and the sums of their counts.
 *
 * @category model
 */
export interface Digest {
  readonly groups: number
  readonly all: number
  readonly critical: number
  readonly high: number
  readonly medium: number
}

/**
 * The counts of one group.
 *
 * @category model
 */
export interface GroupCounts {
  all: number
  critical: number
  high: number
  medium: number
}

/**
 * The plain counting loop of the `JSON.parse` baselines: de-duplicates by `findingArn`, keeps
 * `ACTIVE` findings with an `Ec2ImageBuilderArn` tag, and counts them per vulnerability id.
 *
 * @category constructors
 */
export const makeTally = () => {
  const seen = new Set<string>()
  const groups = new Map<string, GroupCounts>()
  return {
    add: (f: unknown): void => {
      const r = f as {
        findingArn?: string
        status?: string
        severity?: string
        resources?: ReadonlyArray<{ tags?: { Ec2ImageBuilderArn?: string } }>
        packageVulnerabilityDetails?: { vulnerabilityId?: string }
      }
      if (r.findingArn !== undefined) {
        if (seen.has(r.findingArn)) return
        seen.add(r.findingArn)
      }
      if (r.status !== 'ACTIVE') return
      if (!r.resources?.some((x) => x.tags?.Ec2ImageBuilderArn !== undefined)) return
      const key = r.packageVulnerabilityDetails?.vulnerabilityId
      if (key === undefined) return
      let c = groups.get(key)
      if (c === undefined) {
        c = { all: 0, critical: 0, high: 0, medium: 0 }
        groups.set(key, c)
      }
      c.all++
      if (r.severity === 'CRITICAL') c.critical++
      else if (r.severity === 'HIGH') c.high++
      else if (r.severity === 'MEDIUM') c.medium++
    },
    digest: (): Digest => digestOf(groups.values()),
  }
}

/**
 * The digest of some group counts.
 *
 * @category utils
 */
export const digestOf = (groups: Iterable<GroupCounts>): Digest => {
  const d = { groups: 0, all: 0, critical: 0, high: 0, medium: 0 }
  for (const c of groups) {
    d.groups++
    d.all += c.all
    d.critical += c.critical
    d.high += c.high
    d.medium += c.medium
  }
  return d
}

/**
 * Whether two digests agree.
 *
 * @category utils
 */
export const sameDigest = (a: Digest, b: Digest): boolean =>
  a.groups === b.groups &&
  a.all === b.all &&
  a.critical === b.critical &&
  a.high === b.high &&
  a.medium === b.medium
