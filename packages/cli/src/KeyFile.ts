/**
 * A token key file: the pagination token keys of a server, one per line, newest first, so keys
 * can be rotated by editing the file and asking the server to read it again.
 *
 * @module
 */
import { readFile, stat } from 'node:fs/promises'
import { parseTokenKey, type TokenKey } from '@scantally/core'
import * as E from 'fp-ts/lib/Either.js'
import type { ReadonlyNonEmptyArray } from 'fp-ts/lib/ReadonlyNonEmptyArray.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The keys a file holds, and whether other users may read it (a secret readable by others is
 * worth a warning, not a refusal: the operator may know why).
 *
 * @category model
 */
export interface KeyFile {
  readonly keys: ReadonlyNonEmptyArray<TokenKey>
  readonly readableByOthers: boolean
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Parses the text of a key file: one `[id:]secret` key per line (hex or base64, at least 32
 * bytes), newest first; blank lines and lines starting with `#` are ignored. The message of a
 * bad key names its line, never its text (the text is a secret).
 *
 * @category utils
 */
export const parseKeyFile = (text: string): E.Either<string, ReadonlyNonEmptyArray<TokenKey>> => {
  const keys: TokenKey[] = []
  const ids = new Set<string>()
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const key = parseTokenKey(line)
    if (E.isLeft(key)) return E.left(`line ${i + 1}: ${key.left.message}`)
    if (ids.has(key.right.id)) return E.left(`line ${i + 1}: the key id ${key.right.id} is repeated`)
    ids.add(key.right.id)
    keys.push(key.right)
  }
  const [first, ...rest] = keys
  return first === undefined ? E.left('no key in the file') : E.right([first, ...rest])
}

/**
 * Reads and parses a key file; the message names the file.
 *
 * @category utils
 */
export const loadKeyFile = async (path: string): Promise<E.Either<string, KeyFile>> => {
  let text: string
  let mode: number
  try {
    text = await readFile(path, 'utf8')
    mode = (await stat(path)).mode
  } catch (e) {
    return E.left(`${path}: cannot be read: ${(e as Error).message}`)
  }
  return E.bimap(
    (message: string) => `${path}: ${message}`,
    (keys: ReadonlyNonEmptyArray<TokenKey>) => ({
      keys,
      readableByOthers: process.platform !== 'win32' && (mode & 0o077) !== 0,
    }),
  )(parseKeyFile(text))
}
