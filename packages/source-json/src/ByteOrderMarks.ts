/**
 * Byte order marks at the start of an input: UTF-8's, which readers skip, and those of other
 * encodings, which no reader reads and whose error names them. A module of its own, with no
 * imports, so that the reader threads' entry loads nothing else for it.
 *
 * @module
 */

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The length of a UTF-8 byte order mark at the start of the bytes (0 or 3).
 *
 * @category utils
 */
export const bomLength = (b: Uint8Array): number => (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0)

/**
 * The text encoding another byte order mark than UTF-8's at the start of the bytes names
 * (UTF-16 or UTF-32, either byte order), or `undefined`: such a file is in no known format (exports
 * are read as UTF-8), and its error says what it is instead.
 *
 * @category utils
 */
export const otherEncoding = (b: Uint8Array): string | undefined => {
  if (b[0] === 0xff && b[1] === 0xfe) return b[2] === 0 && b[3] === 0 ? 'UTF-32LE' : 'UTF-16LE'
  if (b[0] === 0xfe && b[1] === 0xff) return 'UTF-16BE'
  if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return 'UTF-32BE'
  return undefined
}
