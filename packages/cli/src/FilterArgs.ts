/**
 * Parsing of the filter options: `--filter` in the AWS CLI's shorthand and JSON forms, and
 * `--where FIELD=OP:VALUE` criteria of the extended query.
 *
 * @module
 */
import { comparisons } from '@scantally/core/internal'
import * as E from 'fp-ts/lib/Either.js'

/**
 * The raw AWS filter from `--filter` (validated later by the core codec, which names the rule).
 *
 * @category model
 */
export interface RawFilter {
  readonly name: unknown
  readonly values: unknown
}

/**
 * Parses `--filter`: JSON (`{"name":"vulnerabilityId","values":["CVE-1"]}`) or the AWS CLI
 * shorthand `name=N,values=V1,V2` (either member first). Shorthand values cannot hold commas;
 * use the JSON form for those.
 *
 * @category utils
 */
export const parseFilter = (text: string): E.Either<string, RawFilter> => {
  const trimmed = text.trim()
  if (trimmed.startsWith('{')) {
    try {
      const u: unknown = JSON.parse(trimmed)
      if (typeof u !== 'object' || u === null || Array.isArray(u))
        return E.left('--filter JSON must be an object')
      return E.right(u as RawFilter)
    } catch (e) {
      return E.left(`--filter is not valid JSON: ${(e as Error).message}`)
    }
  }
  const nameFirst = /^name=([^,]*),values=(.*)$/s.exec(trimmed)
  const valuesFirst = /^values=(.*),name=([^,]*)$/s.exec(trimmed)
  if (nameFirst) return E.right({ name: nameFirst[1], values: (nameFirst[2] as string).split(',') })
  if (valuesFirst) return E.right({ name: valuesFirst[2], values: (valuesFirst[1] as string).split(',') })
  return E.left(
    `--filter must be name=NAME,values=V1,V2 or JSON {"name":...,"values":[...]}, got ${JSON.stringify(text)}`,
  )
}

/**
 * A raw criterion from `--where FIELD=OP:VALUE` (validated later by the core codec).
 *
 * @category model
 */
export interface RawCriterion {
  readonly field: string
  readonly comparison: string
  readonly value: string
}

/**
 * Parses `--where FIELD=OP:VALUE`, e.g. `severity=EQUALS:CRITICAL` or
 * `vulnerabilityId=PREFIX:CVE-2024-`. The value is everything after the first colon.
 *
 * @category utils
 */
export const parseWhere = (text: string): E.Either<string, RawCriterion> => {
  const m = /^([A-Za-z]+)=([A-Z_]+):(.*)$/s.exec(text)
  if (m === null)
    return E.left(
      `--where must be FIELD=OP:VALUE (OP one of ${comparisons.join(', ')}), got ${JSON.stringify(text)}`,
    )
  return E.right({ field: m[1] as string, comparison: m[2] as string, value: m[3] as string })
}
