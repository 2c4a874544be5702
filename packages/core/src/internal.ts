/**
 * `@scantally/core/internal`: everything the sibling packages share beyond the public API
 * (builders, codec kit, tallies, paging and token internals). No stability promise: embedders
 * use `@scantally/core`.
 *
 * @packageDocumentation
 */

export * from './AsffFinding.js'
export * from './AwsError.js'
export * from './Closed.js'
export * from './Columns.js'
export * from './CombinationRow.js'
export * from './ConcatSources.js'
export * from './Counts.js'
export * from './Engine.js'
export * from './Errors.js'
export * from './Evaluate.js'
export * from './Finding.js'
export * from './FindingIndex.js'
export * from './FindingSource.js'
export * from './ImageScanFinding.js'
export * from './ImageScanFindingWire.js'
export * from './IngestReport.js'
export * from './InspectorFinding.js'
export * from './Linkage.js'
export * from './ListImageScanFindings.js'
export * from './Pager.js'
export * from './Paging.js'
export * from './Query.js'
export * from './Reporter.js'
export * from './Request.js'
export * from './ScanFindingStore.js'
export * from './Severity.js'
export * from './Sha256.js'
export * from './Streaming.js'
export * from './Token.js'
