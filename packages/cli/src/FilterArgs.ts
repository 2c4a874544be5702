/**
 * Parsing of the filter options: `--filter` in the AWS CLI's shorthand, JSON and `file://` forms, and
 * `--where FIELD=OP:VALUE` criteria of the extended query.
 *
 * @module
 */
import { readFileSync } from 'node:fs'
import { comparisons, criterionFields, fixAvailableValues, severities } from '@scantally/core/internal'
import * as E from 'fp-ts/lib/Either.js'
import { oneOf } from './Args.js'

/**
 * The raw AWS filter from `--filter` (validated later by the core codec, which names the rule).
 *
 * @category model
 */
export interface RawFilter {
  readonly name: unknown
  readonly values: unknown
}

// The shorthand's value list: `V1,V2`, or `[V1,V2]` as the AWS CLI also writes lists.
const shorthandValues = (text: string): ReadonlyArray<string> => {
  const list = /^\[(.*)\]$/s.exec(text)
  if (list === null) return text.split(',')
  return list[1] === '' ? [] : (list[1] as string).split(',')
}

const parseInline = (text: string, what: string): E.Either<string, RawFilter> => {
  const trimmed = text.trim()
  if (trimmed.startsWith('{')) {
    try {
      const u: unknown = JSON.parse(trimmed)
      if (typeof u !== 'object' || u === null || Array.isArray(u))
        return E.left(`${what} JSON must be an object`)
      return E.right(u as RawFilter)
    } catch (e) {
      return E.left(`${what} is not valid JSON: ${(e as Error).message}`)
    }
  }
  const nameFirst = /^name=([^,]*),values=(.*)$/s.exec(trimmed)
  const valuesFirst = /^values=(.*),name=([^,]*)$/s.exec(trimmed)
  if (nameFirst) return E.right({ name: nameFirst[1], values: shorthandValues(nameFirst[2] as string) })
  if (valuesFirst) return E.right({ name: valuesFirst[2], values: shorthandValues(valuesFirst[1] as string) })
  return E.left(
    `${what} must be name=NAME,values=V1,V2 (or values=[V1,V2]), JSON {"name":...,"values":[...]} or file://FILE, got ${JSON.stringify(text)}`,
  )
}

/**
 * Parses `--filter` in the AWS CLI's forms: JSON (`{"name":"vulnerabilityId","values":["CVE-1"]}`),
 * the shorthand `name=N,values=V1,V2` or `name=N,values=[V1,V2]` (either member first), or
 * `file://PATH`, a file holding either (read relative to the working directory). Shorthand values
 * cannot hold commas; use the JSON form for those. A file that cannot be read is an error naming it.
 *
 * @category utils
 */
export const parseFilter = (text: string): E.Either<string, RawFilter> => {
  if (!text.startsWith('file://')) return parseInline(text, '--filter')
  const path = text.slice('file://'.length)
  try {
    return parseInline(readFileSync(path, 'utf8'), `--filter file ${JSON.stringify(path)}`)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return E.left(`--filter file ${JSON.stringify(path)} cannot be read (${code ?? (e as Error).message})`)
  }
}

/**
 * A criterion from `--where FIELD=OP:VALUE`, its words checked (the core codec checks the rest).
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
  const [field, comparison, value] = [m[1] as string, m[2] as string, m[3] as string]
  const words = [
    oneOf('--where FIELD', field, criterionFields),
    oneOf('--where OP', comparison, comparisons),
    field === 'severity' ? oneOf('--where severity VALUE', value, severities) : E.right(value),
    field === 'fixAvailable'
      ? oneOf('--where fixAvailable VALUE', value, fixAvailableValues)
      : E.right(value),
  ]
  const wrong = words.find(E.isLeft)
  if (wrong !== undefined && E.isLeft(wrong)) return E.left(wrong.left)
  return E.right({ field, comparison, value })
}
