/**
 * `@scantally/source-json`: streaming readers for Image Builder and Inspector v2 finding
 * exports (page files, concatenated pages, NDJSON, EventBridge events, findings reports; gzip
 * or not), detecting the format from the content.
 *
 * @packageDocumentation
 */

export { FastRecord, type FindingParts, outcomes } from './FastRecord.js'
export * from './FindingArnSet.js'
export type { FindingIdSink } from './FindingIdSink.js'
export {
  decodedBytes,
  decodedSize,
  type Input,
  likelyFindings,
  listInputs,
  type ResumeAt,
  releaseInflated,
} from './Input.js'
export * from './JsonScanner.js'
export { raiseMallocThresholdsWhenInflating } from './MallocThresholds.js'
export * from './PipelineMap.js'
export * from './ReadFindings.js'
export { startReadingThreads } from './ReadingThread.js'
export * from './Record.js'
export * from './RecordLocation.js'
export * from './RecordReader.js'
export * from './SourceError.js'
export * from './Timestamp.js'
export type { RunCounts } from './WasmRecord.js'
export { holdYoungGeneration, releaseYoungGeneration } from './YoungGeneration.js'
