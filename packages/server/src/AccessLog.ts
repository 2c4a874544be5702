/**
 * The access log: one entry per answered request (when, who, which operation, the HTTP status
 * and how long the answer took), and its one-line text form.
 *
 * @module
 */

/**
 * One answered request: the ISO time it arrived, the caller (the access key id that signed it,
 * or `anonymous` when authentication is off or did not get that far), the operation (the
 * request path's name), the HTTP status, and the milliseconds spent answering it.
 *
 * @example
 * ```ts
 * import { accessLogLine, type AccessEntry } from '@scantally/server'
 *
 * const entry: AccessEntry = {
 *   time: '2026-01-01T00:00:00.000Z',
 *   caller: 'AKIAEXAMPLE',
 *   operation: 'ListImageScanFindingAggregations',
 *   status: 200,
 *   ms: 1.25,
 * }
 * console.log(accessLogLine(entry)) // 2026-01-01T00:00:00.000Z AKIAEXAMPLE ListImageScanFindingAggregations 200 1.3
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export interface AccessEntry {
  readonly time: string
  readonly caller: string
  readonly operation: string
  readonly status: number
  readonly ms: number
}

/**
 * An entry as one line, its fields separated by spaces (none of them holds one): `time caller
 * operation status ms`, the milliseconds to one decimal.
 *
 * @category utils
 * @since 0.1.0
 */
export const accessLogLine = (entry: AccessEntry): string =>
  `${entry.time} ${entry.caller} ${entry.operation} ${entry.status} ${entry.ms.toFixed(1)}`

/**
 * The operation a request names: its path without the leading `/` and the query, with anything
 * but name characters replaced (so a hostile path cannot forge a log line); `-` for none.
 *
 * @category utils
 * @since 0.1.0
 */
export const operationOfTarget = (target: string): string => {
  const path = target.split('?')[0] ?? ''
  const name = path
    .replace(/^\/+/, '')
    .replace(/[^A-Za-z0-9_./-]/g, '_')
    .slice(0, 128)
  return name === '' ? '-' : name
}
