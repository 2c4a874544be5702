/**
 * The names this package gave the finding store and the `ListImageScanFindings` operation
 * before both moved into `@scantally/core`, kept so embedders' imports go on working. New code
 * imports them from `@scantally/core`.
 *
 * @module
 */
import {
  emptyScanFindingStore,
  type ImageScanFindingDetail,
  imageScanFindingAt,
  makeScanFindingStoreBuilder,
  type ScanFindingStore,
  type ScanFindingStoreBuilder,
  scanFindingStoreOf,
} from '@scantally/core'

export {
  decodeFindingsRequest,
  defaultFindingsPageSize,
  findingsFilterNames,
  type ImageScanFindingWire,
  type ListImageScanFindingsRequest,
  type ListImageScanFindingsResponse,
  listImageScanFindings,
  toEpochSeconds,
} from '@scantally/core'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The store `ListImageScanFindings` lists from.
 *
 * @deprecated Use `ScanFindingStore` from `@scantally/core`.
 * @category model
 */
export type FindingStore = ScanFindingStore

/**
 * A builder of a {@link FindingStore}.
 *
 * @deprecated Use `ScanFindingStoreBuilder` from `@scantally/core`.
 * @category model
 */
export type FindingStoreBuilder = ScanFindingStoreBuilder

/**
 * The descriptive members of one stored finding.
 *
 * @deprecated Use `ImageScanFindingDetail` from `@scantally/core`.
 * @category model
 */
export type FindingDetail = ImageScanFindingDetail

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A new, empty store builder.
 *
 * @deprecated Use `makeScanFindingStoreBuilder` from `@scantally/core`.
 * @category constructors
 */
export const makeStoreBuilder: () => FindingStoreBuilder = makeScanFindingStoreBuilder

/**
 * A store of findings; the first invalid record fails the build, named by its position.
 *
 * @deprecated Use `scanFindingStoreOf` from `@scantally/core`.
 * @category constructors
 */
export const fromFindings: typeof scanFindingStoreOf = scanFindingStoreOf

/**
 * The empty store.
 *
 * @deprecated Use `emptyScanFindingStore` from `@scantally/core`.
 * @category constructors
 */
export const emptyStore: FindingStore = emptyScanFindingStore

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Row `i` of a store as an `ImageScanFinding` on the wire.
 *
 * @deprecated Use `imageScanFindingAt` from `@scantally/core`.
 * @category utils
 */
export const toImageScanFinding: typeof imageScanFindingAt = imageScanFindingAt
