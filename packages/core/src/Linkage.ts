/**
 * What both mappings share (Inspector findings and image scan findings): the raw record is
 * decoded with the mapping's codec first, and last a decoded record's image linkage decides
 * whether it counts, and the members both record kinds have in common make the finding.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import type { AccountId, ExploitAvailable, FixAvailable } from './Finding.js'
import { findingOf, KeyString } from './Finding.js'
import { type Classified, counted, excluded, type PipelineResolver } from './IngestReport.js'
import { describeValidationErrors } from './Reporter.js'
import type { Severity } from './Severity.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The members both record kinds have, under the same names and codecs.
 *
 * @category model
 */
export interface CommonMembers {
  readonly awsAccountId: AccountId
  readonly severity: Severity
  readonly packageVulnerabilityDetails?: { readonly vulnerabilityId?: KeyString } | null
  readonly fixAvailable?: FixAvailable
}

/**
 * The members only an Inspector finding has (an image scan finding has neither).
 *
 * @category model
 */
export interface InspectorMembers {
  readonly findingArn?: KeyString
  readonly exploitAvailable?: ExploitAvailable
}

/**
 * The options both mappings take: how to resolve a pipeline the record does not name, and
 * whether a record without image linkage counts anyway.
 *
 * @category model
 */
export interface LinkageOptions {
  readonly resolvePipeline?: PipelineResolver
  readonly includeUnlinked?: boolean
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * A mapping from its codec and how it classifies a decoded record: the raw record (anything)
 * is validated first, and `Left` says why it is invalid. This is the reference of the record
 * decision; the fast path's walker (`assembly/record.ts` in `@scantally/source-json`) is its
 * deliberate twin on bytes, kept equal by differential tests (docs/architecture.md).
 *
 * @category utils
 */
export const mapping =
  <A, O extends LinkageOptions>(
    codec: t.Decoder<unknown, A>,
    classify: (record: A, options: O) => Classified,
  ) =>
  (raw: unknown, options: O = {} as O): E.Either<string, Classified> => {
    const decoded = codec.decode(raw)
    return E.isLeft(decoded)
      ? E.left(describeValidationErrors(decoded.left))
      : E.right(classify(decoded.right, options))
  }

/**
 * Classifies a decoded record by its image build: without one it is excluded as
 * `noImageLinkage` unless `includeUnlinked`; else it counts, with the pipeline the record
 * names or, failing that, the one `resolvePipeline` finds for its build.
 *
 * @category utils
 */
export const linkedFinding = (
  common: CommonMembers,
  inspector: InspectorMembers,
  build: KeyString | undefined,
  pipeline: KeyString | undefined,
  options: LinkageOptions,
): Classified => {
  if (build === undefined && options.includeUnlinked !== true) return excluded('noImageLinkage')
  const resolved = pipeline ?? (build === undefined ? undefined : options.resolvePipeline?.(build))
  // A resolver is configuration, not input; still, only a valid key may become a group key.
  return counted(
    findingOf({
      awsAccountId: common.awsAccountId,
      severity: common.severity,
      imageBuildVersionArn: build,
      imagePipelineArn: resolved !== undefined && KeyString.is(resolved) ? resolved : undefined,
      vulnerabilityId: common.packageVulnerabilityDetails?.vulnerabilityId,
      findingArn: inspector.findingArn,
      fixAvailable: common.fixAvailable,
      exploitAvailable: inspector.exploitAvailable,
    }),
  )
}
