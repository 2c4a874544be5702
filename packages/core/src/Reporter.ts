/**
 * The one reporter of io-ts validation errors: each error becomes the path of the member that
 * failed and what was wrong with it. Request and query errors are answered with the first one
 * (`filter.values[3] must be …`); a record that fails its codec is described by all of them
 * (`severity: expected "CRITICAL" | … but got "SEVERE"`).
 *
 * @module
 */
import type * as t from 'io-ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One validation error in words: the member path (`''` for the value itself), the message the
 * failing codec gave (its own rule, when it has one), the name of the type that was expected,
 * and the value found there.
 *
 * @category model
 */
export interface Violation {
  readonly path: string
  readonly message: string | undefined
  readonly expected: string
  readonly actual: unknown
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The violation an io-ts error stands for.
 *
 * @category constructors
 */
export const violationOf = (e: t.ValidationError): Violation => {
  const last = e.context[e.context.length - 1]
  return {
    path: memberPath(e),
    message: e.message,
    expected: last === undefined ? 'a valid value' : last.type.name,
    actual: e.value,
  }
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The member path of an io-ts error, `filter.values[3]` style (empty for the root). Members of
 * an intersection or a union are keyed by their index, which is no part of the value's path.
 *
 * @category utils
 */
export const memberPath = (e: t.ValidationError): string => {
  let path = ''
  e.context.forEach((entry, i) => {
    if (i === 0) return
    const parent = (e.context[i - 1]?.type as { readonly _tag?: string } | undefined)?._tag
    if (parent === 'IntersectionType' || parent === 'UnionType') return
    const indexed =
      parent === 'ArrayType' ||
      parent === 'ReadonlyArrayType' ||
      parent === 'TupleType' ||
      // Custom codecs (closed structures, bounded lists) carry no tag: a numeric key is an index.
      (parent === undefined && /^[0-9]+$/.test(entry.key))
    path += indexed ? `[${entry.key}]` : path === '' ? entry.key : `.${entry.key}`
  })
  return path
}

/**
 * One message for the first validation error: the member and the rule it broke, the member
 * being named `root` when it is the value itself.
 *
 * @category utils
 */
export const reportFirst = (root: string, errors: t.Errors): string => {
  const e = errors[0]
  if (e === undefined) return `${root} is invalid`
  const v = violationOf(e)
  const rule = v.message ?? `must be ${v.expected}`
  return v.path === '' ? `${root} ${rule}` : `${v.path} ${rule}`
}

/**
 * Puts io-ts validation errors into one line a person can act on: the path of each failing
 * field, what it expected, and what it got (`severity: expected "CRITICAL" | … but got "SEVERE"`).
 * Used as the reason of an invalid record.
 *
 * @category utils
 */
export const describeValidationErrors = (errors: t.Errors): string => {
  const lines = new Set<string>()
  for (const e of errors) {
    const v = violationOf(e)
    lines.add(
      v.message ??
        `${v.path === '' ? 'record' : v.path}: expected ${v.expected} but got ${v.actual === undefined ? 'nothing' : show(v.actual)}`,
    )
  }
  return [...lines].join('; ')
}

const show = (u: unknown): string => {
  const s = typeof u === 'string' || typeof u === 'object' ? JSON.stringify(u) : String(u)
  return s.length > 80 ? `${s.slice(0, 77)}...` : s
}
