/**
 * The `ListImageScanFindings` operation over a {@link FindingStore}: the request as the Image
 * Builder model defines it (one filter with one value, `maxResults` 1–25), caller visibility,
 * and keyset pagination under the same signed tokens as the aggregations.
 *
 * @module
 */

import {
  boundedArray,
  boundedInt,
  type Caller,
  closed,
  compareKeys,
  type Engine,
  FilterValue,
  fingerprintOf,
  type InvalidRequestException,
  invalidPaginationToken,
  invalidRequest,
  localCaller,
  NextToken,
  oneOf,
  reportFirst,
  type ScantallyError,
  severities,
  signToken,
  verifyToken,
} from '@scantally/core'
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type FindingStore, type ImageScanFindingWire, toImageScanFinding } from './FindingStore.js'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/**
 * The filter names `ListImageScanFindings` accepts.
 *
 * @category codecs
 */
export const findingsFilterNames = [
  'imageBuildVersionArn',
  'imagePipelineArn',
  'vulnerabilityId',
  'severity',
] as const

// One `ImageScanFindingsFilter`: a name and exactly one value. The codecs stay private (their
// io-ts types are core's dependency); the decoder below is the interface.
const ImageScanFindingsFilter = closed(
  'ImageScanFindingsFilter',
  {
    name: oneOf('ImageScanFindingsFilterName', findingsFilterNames),
    values: boundedArray(FilterValue, 1, 1, 'ImageScanFindingsFilterValues'),
  },
  {},
)

const ListImageScanFindingsRequest = closed(
  'ListImageScanFindingsRequest',
  {},
  {
    filters: boundedArray(ImageScanFindingsFilter, 1, 1, 'ImageScanFindingsFilterList'),
    maxResults: boundedInt('ImageScanFindingsMaxResults', 1, 25),
    nextToken: NextToken,
  },
)

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A validated `ListImageScanFindings` request.
 *
 * @category model
 */
export interface ListImageScanFindingsRequest {
  readonly filters?: readonly [
    { readonly name: (typeof findingsFilterNames)[number]; readonly values: readonly [string] },
  ]
  readonly maxResults?: number
  readonly nextToken?: string
}

/**
 * The `ListImageScanFindings` response; `nextToken` is absent on the last page.
 *
 * @category model
 */
export interface ListImageScanFindingsResponse {
  readonly requestId: string
  readonly findings: ReadonlyArray<ImageScanFindingWire>
  readonly nextToken?: string
}

/**
 * The model's default and largest page size for this operation.
 *
 * @category model
 */
export const defaultFindingsPageSize = 25

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Answers a `ListImageScanFindings` request (an untrusted, parsed JSON body) from a store:
 * findings in store order, only those of the caller's accounts, filtered by the one filter,
 * paged by `maxResults` (default 25). Tokens are signed with the engine's keys and bound to
 * the filter, page size, caller and store size; a page costs a scan from the cursor to the
 * next match after the page, so a walk through all pages reads the store once.
 *
 * @category combinators
 */
export const listImageScanFindings =
  (engine: Engine, store: FindingStore, caller: Caller = localCaller) =>
  (input: unknown): E.Either<ScantallyError, ListImageScanFindingsResponse> =>
    pipe(
      decodeFindingsRequest(input),
      Either.chainW((request) => {
        const filter = request.filters?.[0]
        const value = filter?.values[0]
        const size = request.maxResults ?? defaultFindingsPageSize
        const accounts =
          caller.accounts === undefined ? null : [...new Set(caller.accounts)].sort(compareKeys)
        const fingerprint = fingerprintOf({
          operation: 'ListImageScanFindings',
          filter: filter === undefined ? null : [filter.name, value],
          size,
          caller: caller.id,
          accounts,
          findings: store.size,
        })
        return pipe(
          request.nextToken === undefined
            ? Either.right(0)
            : pipe(
                verifyToken(engine.tokens, request.nextToken, fingerprint),
                Either.chainW(([position, ...rest]) =>
                  rest.length === 0 &&
                  Number.isInteger(position) &&
                  (position as number) >= 0 &&
                  (position as number) < store.size
                    ? Either.right((position as number) + 1)
                    : Either.left(
                        invalidPaginationToken(
                          'nextToken is malformed: its cursor does not fit this request',
                        ),
                      ),
                ),
              ),
          Either.map((from) => {
            const match = matcher(store, filter?.name, value, accounts)
            const rows = scan(store, match, from, size + 1)
            const page = rows.slice(0, size)
            const last = page[page.length - 1]
            return {
              requestId: engine.requestId(),
              findings: page.map((i) => toImageScanFinding(store, i)),
              ...(rows.length > size && last !== undefined
                ? { nextToken: signToken(engine.tokens, fingerprint, [last]) }
                : {}),
            }
          }),
        )
      }),
    )

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Validates an untrusted `ListImageScanFindings` body; the message names the member and the
 * rule. A severity filter must name one of the six severities.
 *
 * @category utils
 */
export const decodeFindingsRequest = (
  u: unknown,
): E.Either<InvalidRequestException, ListImageScanFindingsRequest> =>
  pipe(
    ListImageScanFindingsRequest.decode(u),
    Either.mapLeft((errors) => invalidRequest(reportFirst('request', errors))),
    // The codec checked the list lengths (exactly one filter with exactly one value).
    Either.map((r) => r as ListImageScanFindingsRequest),
    Either.chain((r) => {
      const f = r.filters?.[0]
      const v = f?.values[0]
      return f?.name === 'severity' && v !== undefined && !(severities as ReadonlyArray<string>).includes(v)
        ? Either.left(
            invalidRequest(
              `filters[0].values[0] must be one of ${severities.join(', ')} (case-sensitive) for the severity filter, got ${JSON.stringify(v)}`,
            ),
          )
        : Either.right(r)
    }),
  )

// A predicate over rows, with the filter value and the visible accounts resolved to string ids
// once, so the scan compares integers.
const matcher = (
  store: FindingStore,
  name: (typeof findingsFilterNames)[number] | undefined,
  value: string | undefined,
  accounts: ReadonlyArray<string> | null,
): ((i: number) => boolean) => {
  const visible = accounts === null ? undefined : new Set(accounts.map((a) => store.ids.get(a) ?? -1))
  const seeing = (i: number) => visible === undefined || visible.has(store.account[i] as number)
  if (name === undefined || value === undefined) return seeing
  if (name === 'severity') {
    const s = severities.indexOf(value as (typeof severities)[number])
    return (i) => store.severity[i] === s && seeing(i)
  }
  const id = store.ids.get(value)
  if (id === undefined) return () => false
  const column =
    name === 'imageBuildVersionArn'
      ? store.build
      : name === 'imagePipelineArn'
        ? store.pipeline
        : store.vulnerability
  return (i) => column[i] === id && seeing(i)
}

const scan = (store: FindingStore, match: (i: number) => boolean, from: number, limit: number): number[] => {
  const out: number[] = []
  for (let i = from; i < store.size && out.length < limit; i++) if (match(i)) out.push(i)
  return out
}
