/**
 * `@scantally/core`: the domain model, codecs, aggregation engine, pagination tokens and
 * errors of scantally. Pure: no I/O, only `node:crypto` for hashing and HMAC.
 *
 * This entry holds what an embedder uses: the engine and its operations, the request and
 * response codecs, findings and their mapping from Inspector and Image Builder records, the
 * index and the one-pass aggregation, finding sources, token keys and errors. What the sibling
 * packages share beyond that is under `@scantally/core/internal`.
 *
 * @packageDocumentation
 */

export { AsffFinding, fromAsffFinding } from './AsffFinding.js'
export type { OptionalOf, Props, RequiredOf } from './Closed.js'
export { CombinationRow, fromCombinationRow } from './CombinationRow.js'
export { type CountField, countFields, type ExtendedCounts, type SeverityCounts } from './Counts.js'
// The engine and its operations.
export {
  allGroups,
  defaultPageSize,
  type Engine,
  type EngineOptions,
  listImageScanFindingAggregations,
  makeEngine,
  type Pages,
  queryAggregations,
  withTokenKeys,
} from './Engine.js'
// Errors.
export {
  type CallRateLimitExceededException,
  type ClientException,
  type ErrorName,
  type ErrorOf,
  errorTable,
  type ForbiddenException,
  type InvalidPaginationTokenException,
  type InvalidRequestException,
  isScantallyError,
  type ScantallyError,
  type ServiceException,
  type ServiceUnavailableException,
} from './Errors.js'
// Findings and their mapping.
export {
  type AccountId,
  type AccountIdBrand,
  type ExploitAvailable,
  Finding,
  type FixAvailable,
  type GroupKey,
  groupKeys,
  type KeyString,
  type KeyStringBrand,
} from './Finding.js'
// Indexes and one-pass aggregation.
export {
  buildIndex,
  buildIndexAsync,
  emptyIndex,
  type FindingIds,
  type Index,
  MonoidIndex,
  mergeIndexes,
  type Row,
  toRows,
} from './FindingIndex.js'
// Finding sources and what they report.
export {
  type Endings,
  type FindingSource,
  type Folded,
  foldSource,
  fromAsyncIterable,
  makeFindingSource,
} from './FindingSource.js'
export { fromImageScanFinding, ImageScanFinding, type ImageScanMappingOptions } from './ImageScanFinding.js'
export {
  detailCodec,
  type ImageScanFindingDetail,
  type ImageScanFindingWire,
  type Kept,
} from './ImageScanFindingWire.js'
export {
  type Classified,
  concatIngestReports,
  type ExclusionCounts,
  type ExclusionReason,
  emptyIngestReport,
  exclusionReasons,
  type IngestReport,
  type PipelineResolver,
  type SkippedRecord,
} from './IngestReport.js'
export {
  type FindingStatus,
  findingStatuses,
  fromInspectorFinding,
  InspectorFinding,
  type InspectorMappingOptions,
} from './InspectorFinding.js'
export {
  type ListImageScanFindingsRequest,
  type ListImageScanFindingsResponse,
  listImageScanFindings,
} from './ListImageScanFindings.js'
export { type Caller, localCaller } from './Paging.js'
export {
  type Criterion,
  decodeQuery,
  type Group,
  Query,
  QueryResponse,
  type SortField,
  sortFields,
} from './Query.js'
// Requests and responses.
export {
  type AggregationFilter,
  decodeAggregationsRequest,
  type ImageScanFindingAggregation,
  ListImageScanFindingAggregationsRequest,
  ListImageScanFindingAggregationsResponse,
} from './Request.js'
export { type RecordedDetails, type ScanFindingStore, scanFindingStoreOf } from './ScanFindingStore.js'
export { Severity, severities } from './Severity.js'
export {
  type Accumulated,
  type AccumulateOptions,
  accumulate,
  accumulateSource,
  foldInto,
  type GroupAccumulator,
} from './Streaming.js'
// Pagination token keys.
export { generateTokenKey, makeTokenKey, parseTokenKey, type TokenConfig, type TokenKey } from './Token.js'
