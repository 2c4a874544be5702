/**
 * Severity counts: the AWS `SeverityCounts` shape and the extended counts the engine keeps.
 *
 * @module
 */

import type { Monoid } from 'fp-ts/lib/Monoid.js'
import * as t from 'io-ts'
import type { Finding } from './Finding.js'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/**
 * Codec for a count: a non-negative safe integer (the model's `SeverityCounts` members are longs).
 *
 * @category codecs
 */
export const Count = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'Count')

/**
 * Codec for the AWS `SeverityCounts` structure. `all` counts every finding of the group
 * whatever its severity, so `all >= critical + high + medium`.
 *
 * @category codecs
 */
export const SeverityCounts = t.exact(t.type({ all: Count, critical: Count, high: Count, medium: Count }))

/**
 * AWS severity counts.
 *
 * @category model
 */
export type SeverityCounts = t.TypeOf<typeof SeverityCounts>

/**
 * Codec for the extended counts: the AWS four, the lower severities, and how many findings
 * have a fix (`fixAvailable: YES`) or a known exploit (`exploitAvailable: YES`).
 *
 * @category codecs
 */
export const ExtendedCounts = t.exact(
  t.type({
    all: Count,
    critical: Count,
    high: Count,
    medium: Count,
    low: Count,
    informational: Count,
    untriaged: Count,
    fixAvailable: Count,
    exploitAvailable: Count,
  }),
)

/**
 * Extended counts.
 *
 * @category model
 */
export type ExtendedCounts = t.TypeOf<typeof ExtendedCounts>

/**
 * A mutable accumulator with the fields of {@link ExtendedCounts}; used inside the engine only,
 * where allocating a new record per finding would dominate the cost.
 *
 * @category model
 */
export type MutableCounts = { -readonly [K in keyof ExtendedCounts]: number }

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * All counts zero.
 *
 * @category constructors
 */
export const zeroCounts = (): MutableCounts => ({
  all: 0,
  critical: 0,
  high: 0,
  medium: 0,
  low: 0,
  informational: 0,
  untriaged: 0,
  fixAvailable: 0,
  exploitAvailable: 0,
})

/**
 * The counts of a single finding.
 *
 * @category constructors
 */
export const countsOfFinding = (f: Finding): ExtendedCounts => {
  const c = zeroCounts()
  addFinding(c, f.severity, f.fixAvailable === 'YES', f.exploitAvailable === 'YES', 1)
  return c
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

const severityField = {
  CRITICAL: 'critical',
  HIGH: 'high',
  MEDIUM: 'medium',
  LOW: 'low',
  INFORMATIONAL: 'informational',
  UNTRIAGED: 'untriaged',
} as const

/**
 * Adds `n` findings of one severity (and fix/exploit flags) to an accumulator, in place.
 *
 * @category combinators
 */
export const addFinding = (
  acc: MutableCounts,
  severity: keyof typeof severityField,
  fix: boolean,
  exploit: boolean,
  n: number,
): void => {
  acc.all += n
  // A switch of named members: a computed member is slower, and this runs once per finding.
  switch (severity) {
    case 'CRITICAL':
      acc.critical += n
      break
    case 'HIGH':
      acc.high += n
      break
    case 'MEDIUM':
      acc.medium += n
      break
    case 'LOW':
      acc.low += n
      break
    case 'INFORMATIONAL':
      acc.informational += n
      break
    case 'UNTRIAGED':
      acc.untriaged += n
      break
  }
  if (fix) acc.fixAvailable += n
  if (exploit) acc.exploitAvailable += n
}

/**
 * Adds `b` into the accumulator `a`, in place.
 *
 * @category combinators
 */
export const addCounts = (a: MutableCounts, b: ExtendedCounts): void => {
  a.all += b.all
  a.critical += b.critical
  a.high += b.high
  a.medium += b.medium
  a.low += b.low
  a.informational += b.informational
  a.untriaged += b.untriaged
  a.fixAvailable += b.fixAvailable
  a.exploitAvailable += b.exploitAvailable
}

/**
 * The AWS projection of extended counts.
 *
 * @category combinators
 */
export const toSeverityCounts = (c: ExtendedCounts): SeverityCounts => ({
  all: c.all,
  critical: c.critical,
  high: c.high,
  medium: c.medium,
})

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/**
 * Counts add up field by field: a commutative monoid with all-zero as identity.
 *
 * @category instances
 */
export const MonoidExtendedCounts: Monoid<ExtendedCounts> = {
  concat: (a, b) => {
    const c = zeroCounts()
    addCounts(c, a)
    addCounts(c, b)
    return c
  },
  empty: zeroCounts(),
}
