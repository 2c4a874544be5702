/**
 * The `ListImageScanFindings` operation over a {@link ScanFindingStore}: the request as the
 * Image Builder model defines it (one filter with one value, `maxResults` 1–25), caller
 * visibility, and keyset pagination by the one pager the aggregations use, under the engine's
 * signed tokens.
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { boundedArray, boundedInt, closed, oneOf } from './Closed.js'
import type { Engine } from './Engine.js'
import { type InvalidRequestException, invalidRequest, type ScantallyError } from './Errors.js'
import type { ImageScanFindingWire } from './ImageScanFindingWire.js'
import { planKeyset, takeKeyset } from './Pager.js'
import { type Caller, localCaller } from './Paging.js'
import { compareKeys } from './Query.js'
import { decodeRequest, FilterValue, NextToken } from './Request.js'
import { imageScanFindingsAt, type ScanFindingStore } from './ScanFindingStore.js'
import { severities } from './Severity.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The filter names `ListImageScanFindings` accepts.
 *
 * @category model
 */
export const findingsFilterNames = [
  'imageBuildVersionArn',
  'imagePipelineArn',
  'vulnerabilityId',
  'severity',
] as const

/**
 * A validated `ListImageScanFindings` request.
 *
 * @example
 * ```ts
 * import type { ListImageScanFindingsRequest } from '@scantally/core'
 *
 * const request: ListImageScanFindingsRequest = {
 *   filters: [{ name: 'vulnerabilityId', values: ['CVE-2024-6387'] }],
 *   maxResults: 10,
 * }
 * ```
 *
 * @category model
 * @since 0.1.0
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
 * @example
 * ```ts
 * import type { ListImageScanFindingsResponse } from '@scantally/core'
 *
 * const titles = (page: ListImageScanFindingsResponse): ReadonlyArray<string> =>
 *   page.findings.flatMap((f) => (f.title === undefined ? [] : [f.title]))
 * ```
 *
 * @category model
 * @since 0.1.0
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
// codecs
// -------------------------------------------------------------------------------------

// One `ImageScanFindingsFilter`: a name and exactly one value. The codecs stay private; the
// decoder below is the interface.
const ImageScanFindingsFilter = closed(
  'ImageScanFindingsFilter',
  {
    name: oneOf('ImageScanFindingsFilterName', findingsFilterNames),
    values: boundedArray(FilterValue, 1, 1, 'ImageScanFindingsFilterValues'),
  },
  {},
)

const ListImageScanFindingsRequestCodec = closed(
  'ListImageScanFindingsRequest',
  {},
  {
    filters: boundedArray(ImageScanFindingsFilter, 1, 1, 'ImageScanFindingsFilterList'),
    maxResults: boundedInt('ImageScanFindingsMaxResults', 1, 25),
    nextToken: NextToken,
  },
)

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Answers a `ListImageScanFindings` request (an untrusted, parsed JSON body) from a store:
 * findings in store order, only those of the caller's accounts, filtered by the one filter,
 * paged by `maxResults` (default 25). Tokens are signed with the engine's keys and bound to
 * the operation, filter, page size, caller and store size; a page costs a scan from the cursor
 * to the next match after the page, so a walk through all pages reads the store once.
 *
 * @example
 * ```ts
 * import { emptyIndex, generateTokenKey, listImageScanFindings, makeEngine, scanFindingStoreOf } from '@scantally/core'
 *
 * const store = scanFindingStoreOf([{ awsAccountId: '111122223333', severity: 'HIGH', title: 'CVE-2024-6387 - openssh' }])
 * if (store._tag === 'Left') throw new Error(store.left.message)
 * const engine = makeEngine(emptyIndex, { keys: [generateTokenKey()] })
 * const page = listImageScanFindings(engine, store.right)({ filters: [{ name: 'severity', values: ['HIGH'] }], maxResults: 25 })
 * // Right({ requestId, findings: [{ awsAccountId: '111122223333', title: 'CVE-2024-6387 - openssh', severity: 'HIGH' }] })
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const listImageScanFindings =
  (engine: Engine, store: ScanFindingStore, caller: Caller = localCaller) =>
  (input: unknown): E.Either<ScantallyError, ListImageScanFindingsResponse> =>
    pipe(
      decodeFindingsRequest(input),
      Either.chainW((request) => answerFindingsRequest(engine, store, caller, request)),
    )

/**
 * Answers a validated `ListImageScanFindings` request (see {@link listImageScanFindings}).
 *
 * @category combinators
 */
export const answerFindingsRequest = (
  engine: Engine,
  store: ScanFindingStore,
  caller: Caller,
  request: ListImageScanFindingsRequest,
): E.Either<ScantallyError, ListImageScanFindingsResponse> => {
  const filter = request.filters?.[0]
  const value = filter?.values[0]
  const accounts = caller.accounts === undefined ? null : [...new Set(caller.accounts)].sort(compareKeys)
  return pipe(
    planKeyset(engine.tokens, {
      operation: 'ListImageScanFindings',
      caller,
      shape: { filter: filter === undefined ? null : [filter.name, value], accounts, findings: store.size },
      size: request.maxResults ?? defaultFindingsPageSize,
      nextToken: request.nextToken,
      // The cursor is the row of the page's last finding.
      cursor: (c) => {
        const [row, ...rest] = c
        return rest.length === 0 &&
          typeof row === 'number' &&
          Number.isInteger(row) &&
          row >= 0 &&
          row < store.size
          ? row
          : undefined
      },
      subject: 'request',
    }),
    Either.chainW((plan) => {
      const match = matcher(store, filter?.name, value, accounts)
      const page = takeKeyset(
        engine.tokens,
        plan,
        (after, limit) => scan(store, match, after === undefined ? 0 : after + 1, limit),
        (row) => [row],
      )
      // The page's findings whole: their details may be read back from the source, checked.
      return Either.map((findings: ReadonlyArray<ImageScanFindingWire>) => ({
        requestId: engine.requestId(),
        findings,
        ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
      }))(imageScanFindingsAt(store, page.items))
    }),
  )
}

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
    decodeRequest(ListImageScanFindingsRequestCodec)(u),
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

// A predicate over findings, with the filter value and the visible accounts resolved to ids of
// the store's index once, so the scan compares integers of the finding's index row.
const matcher = (
  store: ScanFindingStore,
  name: (typeof findingsFilterNames)[number] | undefined,
  value: string | undefined,
  accounts: ReadonlyArray<string> | null,
): ((i: number) => boolean) => {
  const ix = store.index
  const rows = store.rows
  const accountOf = ix.columns.accountId
  const visible =
    accounts === null ? undefined : new Set(accounts.map((a) => idIn(ix.dictionaries.accountId, a)))
  const seeing = (i: number) => visible === undefined || visible.has(accountOf[rows[i] as number] as number)
  if (name === undefined || value === undefined) return seeing
  if (name === 'severity') {
    const s = severities.indexOf(value as (typeof severities)[number])
    return (i) => ix.severity[rows[i] as number] === s && seeing(i)
  }
  const id = idIn(ix.dictionaries[name], value)
  if (id === -1) return () => false
  const column = ix.columns[name]
  return (i) => column[rows[i] as number] === id && seeing(i)
}

// A value's id in a dictionary (whose entry 0 stands for "absent"), -1 when it has none.
const idIn = (dictionary: ReadonlyArray<string>, value: string): number => dictionary.indexOf(value, 1)

const scan = (
  store: ScanFindingStore,
  match: (i: number) => boolean,
  from: number,
  limit: number,
): ReadonlyArray<number> => {
  const out: number[] = []
  for (let i = from; i < store.size && out.length < limit; i++) if (match(i)) out.push(i)
  return out
}
