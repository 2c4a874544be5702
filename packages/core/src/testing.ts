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
