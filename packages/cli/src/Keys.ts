/**
 * Token keys for the CLI: from `--token-key` or `SCANTALLY_TOKEN_KEYS` (comma-separated,
 * newest first), or a fresh ephemeral key when none is configured.
 *
 * @module
 */
import { generateTokenKey, parseTokenKey, type TokenKey } from '@scantally/core'
import * as E from 'fp-ts/lib/Either.js'
import type { ReadonlyNonEmptyArray } from 'fp-ts/lib/ReadonlyNonEmptyArray.js'

/**
 * Configured keys, or an ephemeral one (`ephemeral: true`) when there are none.
 *
 * @category model
 */
export interface Keys {
  readonly keys: ReadonlyNonEmptyArray<TokenKey>
  readonly ephemeral: boolean
}

/**
 * Reads the keys: the option's values win over the environment; each value may hold several
 * comma-separated keys, newest first.
 *
 * @category utils
 */
export const keysFrom = (option: ReadonlyArray<string>, env: string | undefined): E.Either<string, Keys> => {
  const from = option.length > 0 ? '--token-key' : 'SCANTALLY_TOKEN_KEYS'
  const texts = (option.length > 0 ? option : env ? [env] : [])
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '')
  const keys: TokenKey[] = []
  for (const [i, text] of texts.entries()) {
    const key = parseTokenKey(text)
    if (E.isLeft(key)) return E.left(`${from}: key #${i + 1}: ${key.left.message}`)
    keys.push(key.right)
  }
  const [first, ...rest] = keys
  return E.right(
    first === undefined
      ? { keys: [generateTokenKey()], ephemeral: true }
      : { keys: [first, ...rest], ephemeral: false },
  )
}
