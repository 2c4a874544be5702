/**
 * `--fail-on SEVERITY`, a gate for CI: the run fails (exit 3) when the answer counts any finding
 * at that severity or a worse one, after the answer is printed as usual.
 *
 * @module
 */
import { type Group, type Severity, severities } from '@scantally/core'
import * as E from 'fp-ts/lib/Either.js'

/**
 * Parses the severity of `--fail-on` (any case); a usage error message otherwise.
 *
 * @category utils
 */
export const parseFailOn = (text: string | undefined): E.Either<string, Severity | undefined> => {
  if (text === undefined) return E.right(undefined)
  const found = severities.find((s) => s === text.toUpperCase())
  return found === undefined
    ? E.left(`--fail-on must be one of ${severities.join(', ')}, got ${JSON.stringify(text)}`)
    : E.right(found)
}

/**
 * The findings of `groups` at `severity` or worse (severities rank CRITICAL first).
 *
 * @category utils
 */
export const countAtOrAbove = (groups: ReadonlyArray<Group>, severity: Severity): number => {
  const worse = severities.slice(0, severities.indexOf(severity) + 1)
  return groups.reduce(
    (n, g) => n + worse.reduce((m, s) => m + g.counts[s.toLowerCase() as Lowercase<Severity>], 0),
    0,
  )
}

/**
 * The line on stderr of a failed gate.
 *
 * @category utils
 */
export const failOnLine = (count: number, severity: Severity): string =>
  `scantally aggregate: --fail-on ${severity}: ${count} ${count === 1 ? 'finding' : 'findings'} at ${severity}` +
  `${severity === 'CRITICAL' ? '' : ' or worse'} in the answer (exit 3)\n`
