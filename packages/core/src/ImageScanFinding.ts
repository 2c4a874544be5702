/**
 * Image Builder `ImageScanFinding`s (the items of `ListImageScanFindings`) and how one maps
 * onto a normalized {@link Finding}.
 *
 * The codec validates what the engine uses: `awsAccountId`, `severity`, `imageBuildVersionArn`,
 * `imagePipelineArn`, `packageVulnerabilityDetails.vulnerabilityId` and `fixAvailable`. The
 * descriptive fields (`type`, `title`, `description`, `remediation`, `firstObservedAt`,
 * `updatedAt`, `inspectorScore`, `inspectorScoreDetails`, the rest of
 * `packageVulnerabilityDetails`) are tolerated whatever their shape and ignored.
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { AccountId, FixAvailable, KeyString } from './Finding.js'
import type { Classified, PipelineResolver } from './IngestReport.js'
import { type InspectorMembers, linkedFinding, mapping } from './Linkage.js'
import { Severity } from './Severity.js'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/**
 * Codec for the subset of an Image Builder `ImageScanFinding` the engine uses. Extra fields
 * pass untouched, whatever their type.
 *
 * @example
 * ```ts
 * import { ImageScanFinding } from '@scantally/core'
 *
 * const raw: unknown = { awsAccountId: '111122223333', severity: 'MEDIUM', title: 'CVE-2024-6387 - openssh' }
 * if (ImageScanFinding.is(raw)) console.log(raw.severity, raw.imageBuildVersionArn) // 'MEDIUM' undefined
 * console.log(ImageScanFinding.is({ awsAccountId: '111122223333', severity: 'medium' })) // false
 * ```
 *
 * @category codecs
 * @since 0.1.0
 */
export const ImageScanFinding = t.intersection(
  [
    t.type({ awsAccountId: AccountId, severity: Severity }),
    t.partial({
      imageBuildVersionArn: KeyString,
      imagePipelineArn: KeyString,
      packageVulnerabilityDetails: t.union([t.partial({ vulnerabilityId: KeyString }), t.null]),
      fixAvailable: FixAvailable,
    }),
  ],
  'ImageScanFinding',
)

/**
 * An Image Builder image scan finding, as far as the engine reads it.
 *
 * @category model
 * @since 0.1.0
 */
export type ImageScanFinding = t.TypeOf<typeof ImageScanFinding>

/**
 * How image scan findings map onto normalized findings. Image Builder only lists findings of
 * its own images, so every record normally has its image build version; `includeUnlinked`
 * counts one that does not anyway, and `resolvePipeline` fills in a missing
 * `imagePipelineArn` (an image built outside a pipeline has none).
 *
 * @example
 * ```ts
 * import { fromImageScanFinding, type ImageScanMappingOptions } from '@scantally/core'
 *
 * const pipelines = new Map([['arn:aws:imagebuilder:us-east-1:111122223333:image/web/1.0.0/1', 'arn:aws:imagebuilder:us-east-1:111122223333:image-pipeline/web']])
 * const options: ImageScanMappingOptions = { resolvePipeline: (build) => pipelines.get(build), includeUnlinked: true }
 * const mapped = fromImageScanFinding({ awsAccountId: '111122223333', severity: 'LOW' }, options)
 * // Right({ _tag: 'Counted', ... }): counted although it has no image build version
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export interface ImageScanMappingOptions {
  readonly resolvePipeline?: PipelineResolver
  readonly includeUnlinked?: boolean
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Maps a raw image scan finding (validated here) onto a normalized finding. `Left` holds why
 * the record is invalid; `Right` whether it counts. These findings have no status (Image
 * Builder lists active ones) and no identity, so they are never `notActive` nor duplicates.
 *
 * @example
 * ```ts
 * import { fromImageScanFinding } from '@scantally/core'
 *
 * const mapped = fromImageScanFinding(
 *   {
 *     awsAccountId: '111122223333',
 *     severity: 'HIGH',
 *     imageBuildVersionArn: 'arn:aws:imagebuilder:us-east-1:111122223333:image/web/1.0.0/1',
 *     packageVulnerabilityDetails: { vulnerabilityId: 'CVE-2024-6387' },
 *   },
 *   { resolvePipeline: () => 'arn:aws:imagebuilder:us-east-1:111122223333:image-pipeline/web' },
 * )
 * // Right({ _tag: 'Counted', finding: { awsAccountId, severity, imageBuildVersionArn, imagePipelineArn, vulnerabilityId } })
 * ```
 *
 * @category utils
 * @since 0.1.0
 */
export const fromImageScanFinding: (
  raw: unknown,
  options?: ImageScanMappingOptions,
) => E.Either<string, Classified> = mapping(ImageScanFinding, (f, options: ImageScanMappingOptions) =>
  linkedFinding(f, noInspectorMembers, f.imageBuildVersionArn, f.imagePipelineArn, options),
)

// Extra members pass the codec untouched, so an Inspector member an image scan record carries
// is never read: the finding gets none.
const noInspectorMembers: InspectorMembers = {}
