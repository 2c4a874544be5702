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
 * @category model
 */
export const severities = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNTRIAGED'] as const

/**
 * Codec for one severity, built from {@link severities}; the match is exact and case-sensitive,
 * as in the Inspector model.
 *
 * @category codecs
 */
export const Severity = keyofValues(severities)

/**
 * A severity.
 *
 * @category model
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
