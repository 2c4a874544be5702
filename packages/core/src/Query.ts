/**
 * The extended query: any grouping, several filter criteria, sorting and a page size. The AWS
 * request is one particular query (see `fromAwsRequest`).
 *
 * @module
 */

import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { boundedArray, boundedInt, boundedString, closed, oneOf } from './Closed.js'
import { ExtendedCounts } from './Counts.js'
import { type InvalidRequestException, invalidRequest } from './Errors.js'
import { type GroupKey, groupKeys } from './Finding.js'
import { reportFirst } from './Reporter.js'
import { type ListImageScanFindingAggregationsRequest, NextToken } from './Request.js'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/**
 * Fields a criterion can test: the four keys, `severity` and `fixAvailable`.
 *
 * @category model
 */
export const criterionFields = [...groupKeys, 'severity', 'fixAvailable'] as const

/**
 * Comparisons, as in Inspector's `StringFilter`.
 *
 * @category model
 */
export const comparisons = ['EQUALS', 'PREFIX', 'NOT_EQUALS'] as const

/**
 * What a page can be sorted by.
 *
 * @example
 * ```ts
 * import { decodeQuery, sortFields } from '@scantally/core'
 *
 * // One query per sort field, each the five largest groups by it.
 * const queries = sortFields.map((sortBy) => decodeQuery({ groupBy: 'accountId', sortBy, sortOrder: 'DESC', maxResults: 5 }))
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export const sortFields = ['KEY', 'CRITICAL', 'HIGH', 'ALL'] as const

/**
 * One of {@link sortFields}: `KEY`, or a count named in upper case.
 *
 * @category model
 * @since 0.1.0
 */
export type SortField = (typeof sortFields)[number]

/**
 * Sort orders.
 *
 * @category model
 */
export const sortOrders = ['ASC', 'DESC'] as const

/**
 * Codec for one filter criterion.
 *
 * @category codecs
 * @since 0.1.0
 */
export const Criterion = closed(
  'Criterion',
  {
    field: oneOf('CriterionField', criterionFields),
    comparison: oneOf('Comparison', comparisons),
    value: boundedString('CriterionValue', 1, 1024),
  },
  {},
)

/**
 * A filter criterion. Criteria on different fields must all hold; on one field, the finding
 * must match at least one `EQUALS`/`PREFIX` criterion (if any) and every `NOT_EQUALS` one.
 *
 * @example
 * ```ts
 * import { type Criterion, decodeQuery } from '@scantally/core'
 *
 * const notInformational: Criterion = { field: 'severity', comparison: 'NOT_EQUALS', value: 'INFORMATIONAL' }
 * const prod: Criterion = { field: 'imagePipelineArn', comparison: 'PREFIX', value: 'arn:aws:imagebuilder:us-east-1:111122223333:image-pipeline/prod-' }
 * const query = decodeQuery({ groupBy: 'vulnerabilityId', filters: [notInformational, prod] })
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export type Criterion = t.TypeOf<typeof Criterion>

/**
 * Codec for the extended query.
 *
 * @example
 * ```ts
 * import { Query } from '@scantally/core'
 *
 * const body: unknown = JSON.parse('{"groupBy":"vulnerabilityId","maxResults":10}')
 * if (Query.is(body)) console.log(body.groupBy, body.maxResults) // 'vulnerabilityId' 10
 * console.log(Query.is({ groupBy: 'vulnerabilityId', limit: 10 })) // false: unknown member
 * ```
 *
 * @category codecs
 * @since 0.1.0
 */
export const Query = closed(
  'Query',
  { groupBy: oneOf('GroupBy', groupKeys) },
  {
    filters: boundedArray(Criterion, 0, 100, 'Criteria'),
    sortBy: oneOf('SortBy', sortFields),
    sortOrder: oneOf('SortOrder', sortOrders),
    maxResults: boundedInt('MaxResults', 1, 1000),
    nextToken: NextToken,
  },
)

/**
 * An extended query.
 *
 * @example
 * ```ts
 * import { accumulate, type Query } from '@scantally/core'
 *
 * const topPipelines: Query = { groupBy: 'imagePipelineArn', sortBy: 'CRITICAL', sortOrder: 'DESC', maxResults: 5 }
 * const running = accumulate(topPipelines) // Right(GroupAccumulator)
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export type Query = t.TypeOf<typeof Query>

/**
 * Codec for one group of an extended answer.
 *
 * @category codecs
 * @since 0.1.0
 */
export const Group = t.readonly(t.type({ key: t.string, counts: ExtendedCounts }), 'Group')

/**
 * One group: its key and its counts.
 *
 * @example
 * ```ts
 * import type { Group } from '@scantally/core'
 *
 * const line = (g: Group): string =>
 *   `${g.key}: ${g.counts.all} findings, ${g.counts.critical} critical, ${g.counts.fixAvailable} fixable`
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export type Group = t.TypeOf<typeof Group>

/**
 * Codec for the extended answer.
 *
 * @example
 * ```ts
 * import { emptyIndex, generateTokenKey, makeEngine, QueryResponse, queryAggregations } from '@scantally/core'
 *
 * const engine = makeEngine(emptyIndex, { keys: [generateTokenKey()] })
 * const answer = queryAggregations(engine)({ groupBy: 'accountId' })
 * if (answer._tag === 'Right') console.log(JSON.stringify(QueryResponse.encode(answer.right)))
 * ```
 *
 * @category codecs
 * @since 0.1.0
 */
export const QueryResponse = closed(
  'QueryResponse',
  { requestId: t.string, groupBy: oneOf('GroupBy', groupKeys), groups: t.readonlyArray(Group) },
  { nextToken: NextToken },
)

/**
 * The extended answer.
 *
 * @category model
 * @since 0.1.0
 */
export type QueryResponse = t.TypeOf<typeof QueryResponse>

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The query an AWS request means: group by the filter's name (or by account), keep the
 * filter's values, sort by key ascending. Duplicate values collapse to one.
 *
 * @category constructors
 */
export const fromAwsRequest = (r: ListImageScanFindingAggregationsRequest, pageSize: number): Query => {
  const groupBy: GroupKey = r.filter?.name ?? 'accountId'
  const values = [...new Set(r.filter?.values ?? [])].sort(compareKeys)
  return {
    groupBy,
    filters: values.map((value) => ({ field: groupBy, comparison: 'EQUALS', value })),
    sortBy: 'KEY',
    sortOrder: 'ASC',
    maxResults: pageSize,
    ...(r.nextToken === undefined ? {} : { nextToken: r.nextToken }),
  }
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Validates an untrusted extended query.
 *
 * @example
 * ```ts
 * import { decodeQuery } from '@scantally/core'
 *
 * const query = decodeQuery({
 *   groupBy: 'imagePipelineArn',
 *   filters: [{ field: 'severity', comparison: 'NOT_EQUALS', value: 'INFORMATIONAL' }],
 *   sortBy: 'HIGH',
 *   sortOrder: 'DESC',
 * })
 * console.log(decodeQuery({ groupBy: 'color' })) // Left(InvalidRequestException: groupBy must be one of ...)
 * ```
 *
 * @category utils
 * @since 0.1.0
 */
export const decodeQuery = (u: unknown): E.Either<InvalidRequestException, Query> =>
  pipe(
    Query.decode(u),
    Either.mapLeft((errors) => invalidRequest(reportFirst('query', errors))),
  )

/**
 * The group keys a query reads: the one it groups by and those its filters name. A reader
 * that knows its query needs no other key on the findings it gives.
 *
 * @category utils
 */
export const keysRead = (q: Query): ReadonlyArray<GroupKey> => {
  const keys = new Set<GroupKey>([q.groupBy])
  for (const c of q.filters ?? [])
    if ((groupKeys as ReadonlyArray<string>).includes(c.field)) keys.add(c.field as GroupKey)
  return [...keys]
}

/**
 * Key order: UTF-16 code unit order, what JavaScript's `<` on strings does, independent of locale.
 *
 * @category utils
 */
export const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
