/**
 * Codec helpers for the AWS model's validation rules: closed structures (unknown members are
 * an error, as the service rejects them) and bounded lists. Their errors are put into words by
 * `Reporter`.
 *
 * @module
 */
import * as t from 'io-ts'

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Member codecs of a structure, by member name.
 *
 * @category model
 * @since 0.1.0
 */
export type Props = Record<string, t.Mixed>

/**
 * The decoded type of optional members.
 *
 * @category model
 * @since 0.1.0
 */
export type OptionalOf<P extends Props> = { readonly [K in keyof P]?: t.TypeOf<P[K]> }

/**
 * The decoded type of required members.
 *
 * @category model
 * @since 0.1.0
 */
export type RequiredOf<P extends Props> = { readonly [K in keyof P]: t.TypeOf<P[K]> }

/**
 * A structure codec with required and optional members that fails on any other member and
 * on a value that is not a plain object. Decoding copies only the known members.
 *
 * @category constructors
 */
export const closed = <R extends Props, O extends Props>(
  name: string,
  required: R,
  optional: O,
): t.Type<RequiredOf<R> & OptionalOf<O>, RequiredOf<R> & OptionalOf<O>, unknown> => {
  const known = new Set([...Object.keys(required), ...Object.keys(optional)])
  const is = (u: unknown): u is RequiredOf<R> & OptionalOf<O> =>
    isPlainObject(u) &&
    Object.keys(u).every((k) => known.has(k)) &&
    Object.entries(required).every(([k, c]) => c.is(u[k])) &&
    Object.entries(optional).every(([k, c]) => u[k] === undefined || c.is(u[k]))
  return new t.Type(
    name,
    is,
    (u, c) => {
      if (!isPlainObject(u)) return t.failure(u, c, `must be a structure (a JSON object), got ${describe(u)}`)
      for (const k of Object.keys(u)) {
        if (!known.has(k))
          return t.failure(u, t.appendContext(c, k, t.unknown, u[k]), `is not a member of ${name}`)
      }
      const out: Record<string, unknown> = {}
      for (const [k, codec] of Object.entries(required)) {
        if (u[k] === undefined)
          return t.failure(u, t.appendContext(c, k, codec, undefined), `is required in ${name}`)
        const r = codec.validate(u[k], t.appendContext(c, k, codec, u[k]))
        if (r._tag === 'Left') return r
        out[k] = r.right
      }
      for (const [k, codec] of Object.entries(optional)) {
        if (u[k] === undefined) continue
        const r = codec.validate(u[k], t.appendContext(c, k, codec, u[k]))
        if (r._tag === 'Left') return r
        out[k] = r.right
      }
      return t.success(out as RequiredOf<R> & OptionalOf<O>)
    },
    t.identity,
  )
}

/**
 * A list codec with a length range; the error names the range and the actual length.
 *
 * @category constructors
 */
export const boundedArray = <C extends t.Mixed>(
  item: C,
  min: number,
  max: number,
  name: string,
): t.Type<ReadonlyArray<t.TypeOf<C>>, ReadonlyArray<t.OutputOf<C>>, unknown> => {
  const base = t.readonlyArray(item)
  return new t.Type(
    name,
    (u): u is ReadonlyArray<t.TypeOf<C>> => base.is(u) && u.length >= min && u.length <= max,
    (u, c) => {
      if (!Array.isArray(u)) return t.failure(u, c, `must be a list, got ${describe(u)}`)
      if (u.length < min || u.length > max)
        return t.failure(u, c, `must hold ${min} to ${max} items, got ${u.length}`)
      return base.validate(u, c)
    },
    base.encode,
  )
}

/**
 * A string codec with a length range and an optional pattern; the error states the rule.
 *
 * @category constructors
 */
export const boundedString = (
  name: string,
  min: number,
  max: number,
  pattern?: RegExp,
): t.Type<string, string, unknown> => {
  const ok = (s: string) => s.length >= min && s.length <= max && (pattern === undefined || pattern.test(s))
  const rule = `must be a string of ${min} to ${max} characters${pattern ? ` matching ${pattern.source}` : ''}`
  return new t.Type(
    name,
    (u): u is string => typeof u === 'string' && ok(u),
    (u, c) =>
      typeof u === 'string' && ok(u) ? t.success(u) : t.failure(u, c, `${rule}, got ${describe(u)}`),
    t.identity,
  )
}

/**
 * The io-ts `keyof` codec of a vocabulary: the same values, in the same order, as the `const`
 * array it is built from (its name lists them, `"YES" | "NO" | "PARTIAL"`).
 *
 * @category constructors
 */
export const keyofValues = <const V extends string>(values: ReadonlyArray<V>): t.KeyofC<{ [K in V]: null }> =>
  t.keyof(Object.fromEntries(values.map((v) => [v, null])) as { [K in V]: null })

/**
 * A string-literal codec whose error lists the allowed values.
 *
 * @category constructors
 */
export const oneOf = <const V extends string>(
  name: string,
  values: ReadonlyArray<V>,
): t.Type<V, V, unknown> => {
  const set = new Set<string>(values)
  return new t.Type(
    name,
    (u): u is V => typeof u === 'string' && set.has(u),
    (u, c) =>
      typeof u === 'string' && set.has(u)
        ? t.success(u as V)
        : t.failure(u, c, `must be one of ${values.join(', ')} (case-sensitive), got ${describe(u)}`),
    t.identity,
  )
}

/**
 * An integer codec with a range.
 *
 * @category constructors
 */
export const boundedInt = (name: string, min: number, max: number): t.Type<number, number, unknown> =>
  new t.Type(
    name,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max,
    (u, c) =>
      typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max
        ? t.success(u)
        : t.failure(u, c, `must be an integer from ${min} to ${max}, got ${describe(u)}`),
    t.identity,
  )

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

const describe = (u: unknown): string => {
  if (u === null) return 'null'
  if (Array.isArray(u)) return 'a list'
  if (typeof u === 'string') return u.length > 40 ? `a string of ${u.length} characters` : JSON.stringify(u)
  if (typeof u === 'object') return 'a structure'
  return typeof u === 'number' ? String(u) : typeof u
}
