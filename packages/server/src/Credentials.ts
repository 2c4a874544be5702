/**
 * The credentials a server accepts: access key ids with their secrets and the accounts each
 * may see. The codec reads the JSON of a credentials file,
 * `[{"accessKeyId","secretAccessKey","accountIds":[...]}]`.
 *
 * @module
 */

import type { Caller, InvalidRequestException } from '@scantally/core'
import {
  AccountId,
  boundedArray,
  boundedString,
  closed,
  invalidRequest,
  reportFirst,
} from '@scantally/core/internal'
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

// An access key id is 1–128 letters, digits, `_`, `.` or `-` (no `/`, which would make the
// SigV4 credential scope ambiguous); `accountIds` lists at least one 12-digit account.
const CredentialCodec = closed(
  'Credential',
  {
    accessKeyId: boundedString('AccessKeyId', 1, 128, /^[A-Za-z0-9_.-]+$/),
    secretAccessKey: boundedString('SecretAccessKey', 1, 1024),
    accountIds: boundedArray(AccountId, 1, 10_000, 'AccountIds'),
  },
  {},
)

const CredentialsCodec = boundedArray(CredentialCodec, 0, 100_000, 'Credentials')

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One accepted access key: its secret and the accounts a caller signing with it may see.
 *
 * @category model
 */
export interface Credential {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly accountIds: ReadonlyArray<string>
}

/**
 * The caller every request is when authentication is off: sees every account.
 *
 * @category model
 */
export const anonymousCaller: Caller = { id: 'anonymous' }

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Validates untrusted credentials (the parsed JSON of a credentials file); the message names
 * the entry and the rule, and a repeated access key id is an error.
 *
 * @category utils
 */
export const decodeCredentials = (u: unknown): E.Either<InvalidRequestException, ReadonlyArray<Credential>> =>
  pipe(
    CredentialsCodec.decode(u),
    Either.mapLeft((errors) => {
      const message = reportFirst('credentials', errors)
      return invalidRequest(message.startsWith('[') ? `credentials${message}` : message)
    }),
    Either.chain((list) => {
      const seen = new Set<string>()
      for (const c of list) {
        if (seen.has(c.accessKeyId))
          return Either.left(invalidRequest(`credentials repeat access key id ${c.accessKeyId}`))
        seen.add(c.accessKeyId)
      }
      return Either.right(list)
    }),
  )

/**
 * The caller a credential authenticates as: its access key id (part of every token's
 * fingerprint, so tokens do not cross callers) and its accounts.
 *
 * @category utils
 */
export const callerOf = (credential: Credential): Caller => ({
  id: credential.accessKeyId,
  accounts: credential.accountIds,
})
