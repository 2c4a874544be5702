/**
 * Severity counts: the AWS `SeverityCounts` shape and the extended counts the engine keeps.
 *
 * @module
 */

import type { Monoid } from 'fp-ts/lib/Monoid.js'
import * as t from 'io-ts'
import type { Finding } from './Finding.js'
import { type Severity, severities } from './Severity.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

type Lowercased<T extends ReadonlyArray<string>> = {
  readonly [K in keyof T]: T[K] extends string ? Lowercase<T[K]> : never
}

/**
 * The count of each severity, named as the severity in lower case, in the order of `severities`.
 *
 * @category model
 */
export const severityCountFields = severities.map((s) => s.toLowerCase()) as unknown as Lowercased<
  typeof severities
>

/**
 * One of `severityCountFields`.
 *
 * @category model
 */
export type SeverityCountField = (typeof severityCountFields)[number]

/**
 * Every count the engine keeps, in the order of its answers and columns: `all`, one per
 * severity, then the findings with a fix and with a known exploit.
 *
 * @example
 * ```ts
 * import { countFields, type ExtendedCounts } from '@scantally/core'
 *
 * const csvHeader = ['key', ...countFields].join(',')
 * const csvLine = (key: string, counts: ExtendedCounts): string =>
 *   [key, ...countFields.map((field) => counts[field])].join(',')
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export const countFields = ['all', ...severityCountFields, 'fixAvailable', 'exploitAvailable'] as const

/**
 * One of {@link countFields}.
 *
 * @category model
 * @since 0.1.0
 */
export type CountField = (typeof countFields)[number]

/**
 * The counts of the AWS `SeverityCounts` structure, a subset of {@link countFields}.
 *
 * @category model
 */
export const awsCountFields = [
  'all',
  'critical',
  'high',
  'medium',
] as const satisfies ReadonlyArray<CountField>

/**
 * The count each severity adds to.
 *
 * @category model
 */
export const severityCountField = Object.fromEntries(
  severities.map((s, i) => [s, severityCountFields[i]]),
) as { readonly [S in Severity]: Lowercase<S> }

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
 * @since 0.1.0
 */
export const SeverityCounts = t.exact(t.type(countProps(awsCountFields)))

/**
 * AWS severity counts.
 *
 * @example
 * ```ts
 * import type { SeverityCounts } from '@scantally/core'
 *
 * // AWS's own example: all 25 = critical 1 + high 7 + medium 12 + 5 of lower severities.
 * const counts: SeverityCounts = { all: 25, critical: 1, high: 7, medium: 12 }
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export type SeverityCounts = t.TypeOf<typeof SeverityCounts>

/**
 * Codec for the extended counts: the AWS four, the lower severities, and how many findings
 * have a fix (`fixAvailable: YES`) or a known exploit (`exploitAvailable: YES`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const ExtendedCounts = t.exact(t.type(countProps(countFields)))

/**
 * Extended counts.
 *
 * @example
 * ```ts
 * import type { ExtendedCounts } from '@scantally/core'
 *
 * const lowerSeverities = (c: ExtendedCounts): number => c.low + c.informational + c.untriaged
 * // c.all === c.critical + c.high + c.medium + lowerSeverities(c)
 * ```
 *
 * @category model
 * @since 0.1.0
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
// A literal rather than a loop over countFields: V8 gives every accumulator the same fixed
// shape, and the type still requires exactly the fields of countFields.
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

/**
 * Adds `n` findings of one severity (and fix/exploit flags) to an accumulator, in place.
 *
 * @category combinators
 */
export const addFinding = (
  acc: MutableCounts,
  severity: Severity,
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
    default: {
      // A severity added to the vocabulary must get a case here.
      const unhandled: never = severity
      throw new Error(`no count for severity ${String(unhandled)}`)
    }
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
  for (const field of countFields) a[field] += b[field]
}

/**
 * The AWS projection of extended counts.
 *
 * @category combinators
 */
// A literal, not a loop over awsCountFields: every answer's entry makes one.
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

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

// The members of a counts codec: every field a Count.
function countProps<const F extends ReadonlyArray<CountField>>(
  fields: F,
): { [K in F[number]]: typeof Count } {
  return Object.fromEntries(fields.map((field) => [field, Count])) as { [K in F[number]]: typeof Count }
}
