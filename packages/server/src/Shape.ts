/**
 * The input shapes of the operations as restJson1 carries them, and the protocol's reading of a
 * parsed body against them, before the model's validation (core's codecs) runs. As Smithy has
 * it: a member of the wrong JSON type, a `null` inside a list (lists of the model are dense) or
 * an integer that is not a 32-bit integer is SerializationException; a member the shape does not
 * name is ignored (members may be added to a structure, so a client built from a newer model may
 * send one); a member whose value is `null` is absent. Lengths, patterns, enums and required
 * members are the model's rules, left to core (InvalidRequestException).
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import { type ProtocolErrorOf, serializationException } from './ProtocolError.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A shape as the wire has it: a string (enums included), a 32-bit integer, a dense list, or a
 * structure of named members.
 *
 * @category model
 */
export type Shape =
  | { readonly _tag: 'string' }
  | { readonly _tag: 'integer' }
  | { readonly _tag: 'list'; readonly member: Shape }
  | { readonly _tag: 'structure'; readonly members: Readonly<Record<string, Shape>> }

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A string shape (enums are strings on the wire).
 *
 * @category constructors
 */
export const string: Shape = { _tag: 'string' }

/**
 * An integer shape: a JSON number that is an integer from -2^31 to 2^31 - 1.
 *
 * @category constructors
 */
export const integer: Shape = { _tag: 'integer' }

/**
 * A dense list of a member shape.
 *
 * @category constructors
 */
export const list = (member: Shape): Shape => ({ _tag: 'list', member })

/**
 * A structure of named members, all optional on the wire (the model's `required` is core's).
 *
 * @category constructors
 */
export const structure = (members: Readonly<Record<string, Shape>>): Shape => ({ _tag: 'structure', members })

/**
 * ListImageScanFindingAggregations' input: `filter` (`name`, `values`) and `nextToken`.
 *
 * @category constructors
 */
export const aggregationsInput: Shape = structure({
  filter: structure({ name: string, values: list(string) }),
  nextToken: string,
})

/**
 * ListImageScanFindings' input: `filters` (each `name`, `values`), `maxResults` and `nextToken`.
 *
 * @category constructors
 */
export const findingsInput: Shape = structure({
  filters: list(structure({ name: string, values: list(string) })),
  maxResults: integer,
  nextToken: string,
})

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Reads a parsed body against a shape: the value with unknown members and `null` members left
 * out, or SerializationException naming the member path and the JSON type it should have.
 *
 * @category utils
 */
export const readShape =
  (shape: Shape) =>
  (value: unknown): E.Either<ProtocolErrorOf<'SerializationException'>, unknown> =>
    read(shape, value, '')

const int32 = { min: -(2 ** 31), max: 2 ** 31 - 1 }

const read = (
  shape: Shape,
  value: unknown,
  path: string,
): E.Either<ProtocolErrorOf<'SerializationException'>, unknown> => {
  switch (shape._tag) {
    case 'string':
      return typeof value === 'string' ? Either.right(value) : wrongType(path, 'a string', value)
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && value >= int32.min && value <= int32.max
        ? Either.right(value)
        : wrongType(path, 'an integer from -2147483648 to 2147483647', value)
    case 'list': {
      if (!Array.isArray(value)) return wrongType(path, 'a list', value)
      const out: unknown[] = []
      for (const [i, item] of value.entries()) {
        if (item === null)
          return Either.left(
            serializationException(`${path}[${i}] is null: lists of this service hold no nulls`),
          )
        const r = read(shape.member, item, `${path}[${i}]`)
        if (Either.isLeft(r)) return r
        out.push(r.right)
      }
      return Either.right(out)
    }
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return wrongType(path, 'a structure (a JSON object)', value)
      const out: Record<string, unknown> = {}
      for (const [name, member] of Object.entries(shape.members)) {
        // Own members only: `__proto__` or `constructor` in a body are unknown members, not a
        // way into the prototype.
        if (!Object.hasOwn(value, name)) continue
        const v = (value as Record<string, unknown>)[name]
        if (v === null || v === undefined) continue
        const r = read(member, v, path === '' ? name : `${path}.${name}`)
        if (Either.isLeft(r)) return r
        out[name] = r.right
      }
      return Either.right(out)
    }
  }
}

const wrongType = (path: string, expected: string, value: unknown) =>
  Either.left(
    serializationException(
      `${path === '' ? 'the request body' : path} must be ${expected}, got ${jsonType(value)}`,
    ),
  )

const jsonType = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'a list'
      : typeof value === 'object'
        ? 'an object'
        : typeof value === 'number'
          ? `the number ${value}`
          : typeof value === 'string'
            ? 'a string'
            : typeof value === 'boolean'
              ? `${value}`
              : typeof value
