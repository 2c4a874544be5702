/**
 * Why reading an export failed, as plain readonly records: each names the file, where in it,
 * and what is wrong, and carries a `message` that says all of it in one line.
 *
 * @module
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The bytes are not JSON: `offset` is the byte offset (in the decompressed stream, for gzip
 * input), `line` and `column` the 1-based line and byte column of that offset.
 *
 * @category model
 */
export interface MalformedJson {
  readonly _tag: 'MalformedJson'
  readonly file: string
  readonly offset: number
  readonly line: number
  readonly column: number
  readonly message: string
}

/**
 * A record that is JSON but not a valid finding: `position` is its 1-based place among the
 * file's records, `offset` the byte offset where it starts, `line` the 1-based line it starts on
 * (when the reader knows it: JSON and NDJSON files, not a pipeline map), `reason` what failed
 * validation.
 *
 * @category model
 */
export interface InvalidRecord {
  readonly _tag: 'InvalidRecord'
  readonly file: string
  readonly position: number
  readonly offset: number
  readonly line: number | undefined
  readonly reason: string
  readonly message: string
}

/**
 * A file with no JSON value in it at all (zero bytes, or only whitespace).
 *
 * @category model
 */
export interface EmptyInput {
  readonly _tag: 'EmptyInput'
  readonly file: string
  readonly message: string
}

/**
 * The input could not be read: a missing path, an I/O error, corrupt gzip data.
 *
 * @category model
 */
export interface ReadFailed {
  readonly _tag: 'ReadFailed'
  readonly file: string
  readonly message: string
}

/**
 * The bytes are not CSV (a quote left open, a row of the wrong length): `line` is the 1-based
 * line where the problem was found.
 *
 * @category model
 */
export interface MalformedCsv {
  readonly _tag: 'MalformedCsv'
  readonly file: string
  readonly line: number
  readonly message: string
}

/**
 * A file named as an input whose content is in none of the formats read (`tried` says which).
 *
 * @category model
 */
export interface UnknownFormat {
  readonly _tag: 'UnknownFormat'
  readonly file: string
  readonly tried: string
  /** The encoding the file's byte order mark names, when it is not UTF-8 (see `otherEncoding`). */
  readonly encoding?: string
  readonly message: string
}

/**
 * Every way reading an export can fail.
 *
 * @category model
 */
export type SourceError =
  | MalformedJson
  | MalformedCsv
  | InvalidRecord
  | EmptyInput
  | UnknownFormat
  | ReadFailed

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * @category constructors
 */
export const malformedJson = (
  file: string,
  offset: number,
  line: number,
  column: number,
  what: string,
): MalformedJson => ({
  _tag: 'MalformedJson',
  file,
  offset,
  line,
  column,
  message: `${file}:${line}:${column}: malformed JSON at byte ${offset}: ${what}`,
})

/**
 * @category constructors
 */
export const invalidRecord = (
  file: string,
  position: number,
  offset: number,
  reason: string,
  line?: number,
): InvalidRecord => ({
  _tag: 'InvalidRecord',
  file,
  position,
  offset,
  line,
  reason,
  message: `${file}${line === undefined ? '' : `:${line}`}: record ${position} (byte ${offset}) is invalid: ${reason}`,
})

/**
 * A combination row that fails validation: an {@link InvalidRecord} whose message names the
 * file, the line and the member at fault.
 *
 * @category constructors
 */
export const invalidRow = (
  file: string,
  position: number,
  at: { readonly offset: number; readonly line: number },
  reason: string,
): InvalidRecord => ({
  ...invalidRecord(file, position, at.offset, reason),
  message: `${file}:${at.line}: combination row ${position} is invalid: ${reason}`,
})

/**
 * @category constructors
 */
export const emptyInput = (file: string): EmptyInput => ({
  _tag: 'EmptyInput',
  file,
  message: `${file}: empty input, no JSON value in it`,
})

/**
 * @category constructors
 */
export const readFailed = (file: string, what: string): ReadFailed => ({
  _tag: 'ReadFailed',
  file,
  message: `${file}: cannot be read: ${what}`,
})

/**
 * @category constructors
 */
export const malformedCsv = (file: string, line: number, what: string): MalformedCsv => ({
  _tag: 'MalformedCsv',
  file,
  line,
  message: `${file}:${line}: malformed CSV: ${what}`,
})

/**
 * @category constructors
 */
export const unknownFormat = (file: string, tried: string, encoding?: string): UnknownFormat => ({
  _tag: 'UnknownFormat',
  file,
  tried,
  ...(encoding === undefined ? {} : { encoding }),
  message:
    encoding === undefined
      ? `${file}: not an export in any known format (tried ${tried})`
      : `${file}: not an export in any known format: it is ${encoding} text (its byte order mark says so), and exports are read as UTF-8; convert it first (for example: iconv -f ${encoding} -t UTF-8)`,
})
