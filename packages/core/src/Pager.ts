/**
 * The one keyset pager under signed tokens, shared by every paged operation (the aggregations
 * over sorted groups, `ListImageScanFindings` over a store). A page is planned first: the
 * request's token is checked against a fingerprint of the operation, the request's shape, the
 * page size and the caller before any work is done. The page is then taken after the token's
 * cursor, and a token for the next page is signed only when something is left.
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type InvalidPaginationTokenException, invalidPaginationToken } from './Errors.js'
import type { Caller, Operation } from './Paging.js'
import {
  type Cursor,
  type Fingerprint,
  fingerprintParts,
  signToken,
  type TokenConfig,
  verifyToken,
} from './Token.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a page request is, for the pager: the operation, the caller, the `shape` (everything
 * else that decides which items exist and in what order, as plain data), the page size, the
 * token it carries, and how to read the cursor of a verified token (`undefined`: the cursor
 * does not fit this request). `subject` names the request in the error for such a cursor.
 *
 * @category model
 */
export interface KeysetRequest<C> {
  readonly operation: Operation
  readonly caller: Caller
  readonly shape: Readonly<Record<string, unknown>>
  readonly size: number
  readonly nextToken: string | undefined
  readonly cursor: (verified: Cursor) => C | undefined
  readonly subject: 'query' | 'request'
}

/**
 * A checked page request: its page size, the fingerprint its tokens carry (with its parts, so a
 * refusal can name the part that differs), and the cursor to continue after (none on the first
 * page).
 *
 * @category model
 */
export interface KeysetPlan<C> {
  readonly size: number
  readonly fingerprint: Fingerprint
  readonly after: C | undefined
}

/**
 * One page of items and the token for the next one (absent on the last page).
 *
 * @category model
 */
export interface KeysetPage<A> {
  readonly items: ReadonlyArray<A>
  readonly nextToken: string | undefined
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Plans a page: the fingerprint of the request and caller, and, when the request carries a
 * token, the token verified against that fingerprint and its cursor read. Every failure is
 * `InvalidPaginationTokenException`; a bad token never restarts at the first page.
 *
 * @category constructors
 */
export const planKeyset = <C>(
  tokens: TokenConfig,
  request: KeysetRequest<C>,
): E.Either<InvalidPaginationTokenException, KeysetPlan<C>> => {
  const { size } = request
  // Each member is a part a refusal can name: every member of the shape, the operation, the page
  // size and the caller.
  const fingerprint = fingerprintParts({
    ...request.shape,
    operation: request.operation,
    size,
    caller: request.caller.id,
  })
  if (request.nextToken === undefined) return Either.right({ size, fingerprint, after: undefined })
  return pipe(
    verifyToken(tokens, request.nextToken, fingerprint),
    Either.chain((verified) => {
      const after = request.cursor(verified)
      return after === undefined
        ? Either.left(
            invalidPaginationToken(`nextToken is malformed: its cursor does not fit this ${request.subject}`),
          )
        : Either.right({ size, fingerprint, after })
    }),
  )
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Takes a planned page: `take` gives up to `limit` items after the cursor (from the start
 * without one), in order; one more than the page size is asked for, so a token is signed, on
 * the cursor of the page's last item, exactly when an item is left after the page.
 *
 * @category combinators
 */
export const takeKeyset = <C, A>(
  tokens: TokenConfig,
  plan: KeysetPlan<C>,
  take: (after: C | undefined, limit: number) => ReadonlyArray<A>,
  cursorOf: (item: A) => Cursor,
): KeysetPage<A> => {
  const rows = take(plan.after, plan.size + 1)
  const items = rows.length > plan.size ? rows.slice(0, plan.size) : rows
  const last = items[items.length - 1]
  return {
    items,
    nextToken:
      rows.length > plan.size && last !== undefined
        ? signToken(tokens, plan.fingerprint, cursorOf(last))
        : undefined,
  }
}
