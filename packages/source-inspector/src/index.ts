/**
 * `@scantally/source-inspector`: Amazon Inspector v2 `ListFindings` as a live finding source,
 * with Image Builder `GetImage` to resolve image pipelines.
 *
 * @packageDocumentation
 */

export * from './FilterCriteria.js'
export * from './InspectorSource.js'
export * from './PipelineListing.js'
export * from './PipelineLookup.js'
