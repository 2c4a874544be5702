/**
 * Guessed record starts: where an export may be cut so that each piece can be read on its own.
 * A guess is the first record's opening (its `{` up to the end of its first key) seen again,
 * or else any `{`, preceded by what precedes a record in the export's layout: a comma in an
 * array, the end of a value at the top level. A guess is only ever a guess (the bytes may sit
 * inside a nested array); a split read trusts one only once the piece before it stands exactly
 * there, in the same state.
 *
 * @module
 */

import { recordProjection } from './Record.js'
import { RecordReader, recordStates } from './RecordReader.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a record start looks like in one export: the bytes its first record opens with, whether
 * records sit at the top level (else in an array), and the reader state a record starts in.
 *
 * @category model
 */
export interface RecordOpening {
  readonly bytes: Buffer
  readonly top: boolean
  readonly state: number
  readonly inWrapper: boolean
  /** Where the first record starts in the bytes it was found in. */
  readonly first: number
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Whether a byte is JSON whitespace.
 *
 * @category utils
 */
export const isSpace = (c: number | undefined): boolean =>
  c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09

/**
 * The opening of the first record in the head of an export, or `undefined` when no record
 * starts in it or its first key is not within reach (then the export is read in one pass).
 *
 * @category utils
 */
export const recordOpening = (head: Buffer): RecordOpening | undefined => {
  let first = -1
  const probe = new RecordReader(recordProjection, () => false, {
    fast: (_s, offset) => {
      first = offset
      return false
    },
  })
  probe.push(head)
  if (first < 0) return undefined
  const at = probe.lastStart()
  const top = at.state === recordStates.top
  // The opening: '{', whitespace, the first key with its quotes.
  let p = first + 1
  while (isSpace(head[p])) p++
  if (head[p] !== 0x22) return undefined
  const close = head.indexOf(0x22, p + 1)
  if (close < 0 || close - first > 256) return undefined
  return {
    bytes: Buffer.from(head.subarray(first, close + 1)),
    top,
    state: top ? recordStates.top : recordStates.arrayElement,
    inWrapper: top ? false : at.inWrapper,
    first,
  }
}

const brace = Buffer.from('{')

/**
 * The first guessed record start in `bytes` past its first byte (`from` on), or `undefined`:
 * the opening seen again, or else any `{`, preceded by what precedes a record.
 *
 * @category utils
 */
export const guessStart = (bytes: Uint8Array, opening: RecordOpening, from = 1): number | undefined =>
  guess(bytes, opening.bytes, opening.top, from) ?? guess(bytes, brace, opening.top, from)

/**
 * The last guessed record start in `bytes` at or after `from` (past its first byte), or
 * `undefined`: as {@link guessStart}, searched from the end.
 *
 * @category utils
 */
export const lastGuessStart = (bytes: Uint8Array, opening: RecordOpening, from = 1): number | undefined =>
  guessLast(bytes, opening.bytes, opening.top, from) ?? guessLast(bytes, brace, opening.top, from)

// Whether the bytes before `i` end as what precedes a record does.
const afterRecord = (b: Uint8Array, i: number, top: boolean): boolean => {
  let j = i - 1
  while (j >= 0 && isSpace(b[j])) j--
  return top ? b[j] === 0x7d : b[j] === 0x2c
}

// The last `pattern` in `bytes` (at `from` or later) preceded by what precedes a record.
const guessLast = (bytes: Uint8Array, pattern: Buffer, top: boolean, from: number): number | undefined => {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
  const low = Math.max(1, from)
  for (let i = b.lastIndexOf(pattern, b.length - pattern.length); i >= low; i = b.lastIndexOf(pattern, i - 1))
    if (afterRecord(b, i, top)) return i
  return undefined
}

// The first `pattern` in `bytes` (from `from`, past the first byte) preceded by what precedes
// a record: a comma after a value in an array, or the end of a value at the top level.
const guess = (bytes: Uint8Array, pattern: Buffer, top: boolean, from: number): number | undefined => {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
  for (
    let i = b.indexOf(pattern, Math.max(1, from));
    i > 0 && i + pattern.length <= b.length;
    i = b.indexOf(pattern, i + 1)
  )
    if (afterRecord(b, i, top)) return i
  return undefined
}
