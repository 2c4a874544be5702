/**
 * The ListImageScanFindingAggregations request and response, as the Image Builder API model
 * defines them, with the model's constraints enforced by the codecs.
 *
 * @module
 */

import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { boundedArray, boundedString, closed, oneOf } from './Closed.js'
import { SeverityCounts } from './Counts.js'
import { type InvalidRequestException, invalidRequest } from './Errors.js'
import { type GroupKey, groupKeys } from './Finding.js'
import { reportFirst } from './Reporter.js'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/**
 * The model's `FilterValue` pattern.
 *
 * @category codecs
 */
export const filterValuePattern = /^[0-9a-zA-Z./_ :,{}"-]{1,1024}$/

/**
 * Codec for the filter `name`: one of the four aggregation keys, case-sensitive.
 *
 * @category codecs
 */
export const AggregationFilterName = oneOf('FilterName', groupKeys)

/**
 * Codec for a filter value: 1–1024 characters of the model's pattern.
 *
 * @category codecs
 */
export const FilterValue = boundedString('FilterValue', 1, 1024, filterValuePattern)

/**
 * Codec for the filter `values`: 1–10 filter values.
 *
 * @category codecs
 */
export const FilterValues = boundedArray(FilterValue, 1, 10, 'FilterValues')

/**
 * Codec for the request's `filter` structure.
 *
 * @category codecs
 * @since 0.1.0
 */
export const AggregationFilter = closed('Filter', { name: AggregationFilterName, values: FilterValues }, {})

/**
 * A filter.
 *
 * @category model
 * @since 0.1.0
 */
export type AggregationFilter = t.TypeOf<typeof AggregationFilter>

/**
 * Codec for `nextToken`: 1–65535 characters.
 *
 * @category codecs
 */
export const NextToken = boundedString('NextToken', 1, 65535)

/**
 * Codec for the ListImageScanFindingAggregations request; any other member is rejected.
 *
 * @example
 * ```ts
 * import { ListImageScanFindingAggregationsRequest } from '@scantally/core'
 *
 * const request: ListImageScanFindingAggregationsRequest = { filter: { name: 'accountId', values: ['111122223333'] } }
 * console.log(ListImageScanFindingAggregationsRequest.is(request)) // true
 * console.log(ListImageScanFindingAggregationsRequest.is({ maxResults: 10 })) // false: not in the model
 * ```
 *
 * @category codecs
 * @since 0.1.0
 */
export const ListImageScanFindingAggregationsRequest = closed(
  'ListImageScanFindingAggregationsRequest',
  {},
  { filter: AggregationFilter, nextToken: NextToken },
)

/**
 * A validated request.
 *
 * @category model
 * @since 0.1.0
 */
export type ListImageScanFindingAggregationsRequest = t.TypeOf<typeof ListImageScanFindingAggregationsRequest>

const aggregation = <K extends string>(name: string, key: K) =>
  t.exact(
    t.type({ [key]: t.string, severityCounts: SeverityCounts } as Record<K, t.StringC> & {
      severityCounts: typeof SeverityCounts
    }),
    name,
  )

/**
 * Codec for `accountAggregation`.
 *
 * @category codecs
 */
export const AccountAggregation = aggregation('AccountAggregation', 'accountId')
/**
 * Codec for `imageAggregation`.
 *
 * @category codecs
 */
export const ImageAggregation = aggregation('ImageAggregation', 'imageBuildVersionArn')
/**
 * Codec for `imagePipelineAggregation`.
 *
 * @category codecs
 */
export const ImagePipelineAggregation = aggregation('ImagePipelineAggregation', 'imagePipelineArn')
/**
 * Codec for `vulnerabilityIdAggregation`.
 *
 * @category codecs
 */
export const VulnerabilityIdAggregation = aggregation('VulnerabilityIdAggregation', 'vulnerabilityId')

/**
 * Codec for one `ImageScanFindingAggregation`: exactly one of the four members.
 *
 * @example
 * ```ts
 * import type { ImageScanFindingAggregation } from '@scantally/core'
 *
 * const keyOf = (a: ImageScanFindingAggregation): string =>
 *   'accountAggregation' in a ? a.accountAggregation.accountId
 *     : 'imageAggregation' in a ? a.imageAggregation.imageBuildVersionArn
 *       : 'imagePipelineAggregation' in a ? a.imagePipelineAggregation.imagePipelineArn
 *         : a.vulnerabilityIdAggregation.vulnerabilityId
 * ```
 *
 * @category codecs
 * @since 0.1.0
 */
export const ImageScanFindingAggregation = t.union([
  closed('ImageScanFindingAggregation', { accountAggregation: AccountAggregation }, {}),
  closed('ImageScanFindingAggregation', { imageAggregation: ImageAggregation }, {}),
  closed('ImageScanFindingAggregation', { imagePipelineAggregation: ImagePipelineAggregation }, {}),
  closed('ImageScanFindingAggregation', { vulnerabilityIdAggregation: VulnerabilityIdAggregation }, {}),
])

/**
 * One response entry.
 *
 * @category model
 * @since 0.1.0
 */
export type ImageScanFindingAggregation = t.TypeOf<typeof ImageScanFindingAggregation>

/**
 * Codec for the ListImageScanFindingAggregations response. `nextToken` is absent on the last page.
 *
 * @example
 * ```ts
 * import { emptyIndex, generateTokenKey, ListImageScanFindingAggregationsResponse, listImageScanFindingAggregations, makeEngine } from '@scantally/core'
 *
 * const engine = makeEngine(emptyIndex, { keys: [generateTokenKey()] })
 * const answer = listImageScanFindingAggregations(engine)({})
 * if (answer._tag === 'Right') {
 *   const body: string = JSON.stringify(ListImageScanFindingAggregationsResponse.encode(answer.right))
 *   console.log(body) // {"requestId":"...","aggregationType":"accountId","responses":[]}
 * }
 * ```
 *
 * @category codecs
 * @since 0.1.0
 */
export const ListImageScanFindingAggregationsResponse = closed(
  'ListImageScanFindingAggregationsResponse',
  {
    requestId: t.string,
    aggregationType: AggregationFilterName,
    responses: t.readonlyArray(ImageScanFindingAggregation),
  },
  { nextToken: NextToken },
)

/**
 * The response.
 *
 * @category model
 * @since 0.1.0
 */
export type ListImageScanFindingAggregationsResponse = t.TypeOf<
  typeof ListImageScanFindingAggregationsResponse
>

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Validates an untrusted request body (parsed JSON) with an operation's request codec; an
 * `InvalidRequestException` names the first member that is wrong and the rule it broke.
 *
 * @category utils
 */
export const decodeRequest =
  <A>(codec: t.Decoder<unknown, A>) =>
  (u: unknown): E.Either<InvalidRequestException, A> => {
    const decoded = codec.decode(u)
    return Either.isLeft(decoded)
      ? Either.left(invalidRequest(reportFirst('request', decoded.left)))
      : decoded
  }

/**
 * Validates an untrusted request body (parsed JSON) against the model. The error message
 * names the member and the rule it broke.
 *
 * @example
 * ```ts
 * import { decodeAggregationsRequest } from '@scantally/core'
 *
 * const ok = decodeAggregationsRequest({ filter: { name: 'vulnerabilityId', values: ['CVE-2024-6387'] } })
 * const bad = decodeAggregationsRequest({ filter: { name: 'severity', values: ['HIGH'] } })
 * // ok: Right(request); bad: Left(InvalidRequestException: filter.name must be one of ...)
 * ```
 *
 * @category utils
 * @since 0.1.0
 */
export const decodeAggregationsRequest: (
  u: unknown,
) => E.Either<InvalidRequestException, ListImageScanFindingAggregationsRequest> = decodeRequest(
  ListImageScanFindingAggregationsRequest,
)

/**
 * The member name each aggregation type answers with.
 *
 * @category utils
 */
export const aggregationMember = {
  accountId: 'accountAggregation',
  imageBuildVersionArn: 'imageAggregation',
  imagePipelineArn: 'imagePipelineAggregation',
  vulnerabilityId: 'vulnerabilityIdAggregation',
} as const satisfies { readonly [K in GroupKey]: string }
