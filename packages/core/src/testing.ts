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
 * A naive recount: group the findings that carry a key and count them, one by one.
 *
 * @category testing
 */
export const naiveCounts = (
  findings: ReadonlyArray<Finding>,
  groupBy: GroupKey,
  keep: (f: Finding) => boolean = () => true,
): Map<string, ExtendedCounts> => {
  const out = new Map<string, ExtendedCounts>()
  for (const f of dedupe(findings)) {
    const key = keyOf(groupBy)(f)
    if (key === undefined || !keep(f)) continue
    const c = out.get(key) ?? {
      all: 0,
      critical: 0,
      high: 0,
      medium: 0,
      low: 0,
      informational: 0,
      untriaged: 0,
      fixAvailable: 0,
      exploitAvailable: 0,
    }
    out.set(key, {
      all: c.all + 1,
      critical: c.critical + (f.severity === 'CRITICAL' ? 1 : 0),
      high: c.high + (f.severity === 'HIGH' ? 1 : 0),
      medium: c.medium + (f.severity === 'MEDIUM' ? 1 : 0),
      low: c.low + (f.severity === 'LOW' ? 1 : 0),
      informational: c.informational + (f.severity === 'INFORMATIONAL' ? 1 : 0),
      untriaged: c.untriaged + (f.severity === 'UNTRIAGED' ? 1 : 0),
      fixAvailable: c.fixAvailable + (f.fixAvailable === 'YES' ? 1 : 0),
      exploitAvailable: c.exploitAvailable + (f.exploitAvailable === 'YES' ? 1 : 0),
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
