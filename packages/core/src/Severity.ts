/**
 * Inspector v2 severities, and the rank order the engine uses for them.
 *
 * @module
 */
import type * as t from 'io-ts'
import { keyofValues } from './Closed.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Every severity Amazon Inspector v2 assigns, from most to least severe. Image Builder's
 * `ImageScanFinding.severity` carries the same strings.
 *
 * @example
 * ```ts
 * import { Severity, severities } from '@scantally/core'
 *
 * // Rank order: 0 is the most severe.
 * const bySeverity = (a: Severity, b: Severity): number => severities.indexOf(a) - severities.indexOf(b)
 * console.log(['LOW', 'CRITICAL', 'HIGH'].filter(Severity.is).sort(bySeverity)) // ['CRITICAL', 'HIGH', 'LOW']
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export const severities = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNTRIAGED'] as const

/**
 * Codec for one severity, built from {@link severities}; the match is exact and case-sensitive,
 * as in the Inspector model.
 *
 * @example
 * ```ts
 * import { Severity } from '@scantally/core'
 *
 * console.log(Severity.is('CRITICAL'), Severity.is('critical')) // true false: exact, case-sensitive
 * const decoded = Severity.decode('UNTRIAGED') // Right('UNTRIAGED')
 * ```
 *
 * @category codecs
 * @since 0.1.0
 */
export const Severity = keyofValues(severities)

/**
 * A severity.
 *
 * @category model
 * @since 0.1.0
 */
export type Severity = t.TypeOf<typeof Severity>

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Position of a severity in {@link severities} (0 = CRITICAL), used as a compact column value.
 *
 * @category utils
 */
export const severityIndex = (s: Severity): number => severities.indexOf(s)
