/**
 * The part of a query Inspector can answer itself: accounts, vulnerability ids, severities,
 * statuses and resource tags become `ListFindings` `filterCriteria`, so only findings that can
 * count cross the network.
 *
 * @module
 */
import type { FilterCriteria } from '@aws-sdk/client-inspector2'
import type { FindingStatus, Severity } from '@scantally/core'
import { imageBuilderTag } from '@scantally/core/internal'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Criteria pushed down to Inspector. Within a field the values are alternatives (Inspector ORs
 * the entries of one filter list); across fields they all hold. `imageBuildVersionArns` is
 * shorthand for `Ec2ImageBuilderArn` resource tag filters.
 *
 * @category model
 */
export interface InspectorFilter {
  readonly awsAccountIds?: ReadonlyArray<string>
  readonly vulnerabilityIds?: ReadonlyArray<string>
  readonly severities?: ReadonlyArray<Severity>
  readonly imageBuildVersionArns?: ReadonlyArray<string>
  readonly resourceTags?: ReadonlyArray<{ readonly key: string; readonly value: string }>
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const equals = (values: ReadonlyArray<string> | undefined) =>
  values === undefined || values.length === 0
    ? undefined
    : values.map((value) => ({ comparison: 'EQUALS' as const, value }))

/**
 * The `filterCriteria` of a `ListFindings` request for a filter and the statuses that count.
 * Members with nothing to filter are left out (an empty list would match nothing).
 *
 * @category utils
 */
export const filterCriteriaOf = (
  filter: InspectorFilter,
  statuses: ReadonlyArray<FindingStatus>,
): FilterCriteria => {
  const tags = [
    ...(filter.imageBuildVersionArns ?? []).map((value) => ({ key: imageBuilderTag, value })),
    ...(filter.resourceTags ?? []),
  ].map(({ key, value }) => ({ comparison: 'EQUALS' as const, key, value }))
  const criteria: FilterCriteria = {}
  const accounts = equals(filter.awsAccountIds)
  const vulnerabilities = equals(filter.vulnerabilityIds)
  const severity = equals(filter.severities)
  const status = equals(statuses)
  if (accounts !== undefined) criteria.awsAccountId = accounts
  if (vulnerabilities !== undefined) criteria.vulnerabilityId = vulnerabilities
  if (severity !== undefined) criteria.severity = severity
  if (status !== undefined) criteria.findingStatus = status
  if (tags.length > 0) criteria.resourceTags = tags
  return criteria
}
