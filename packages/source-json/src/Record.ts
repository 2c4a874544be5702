/**
 * What one record of an export is (an Image Builder image scan finding, an Inspector v2
 * finding, or an EventBridge "Inspector2 Finding" event around one), told from its members, and
 * the projection the reader materializes records through.
 *
 * @module
 */
import {
  type Classified,
  fromImageScanFinding,
  fromInspectorFinding,
  type InspectorMappingOptions,
} from '@scantally/core'
import * as E from 'fp-ts/lib/Either.js'
import { type Projection, projection } from './JsonScanner.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The record shapes an export may hold.
 *
 * @category model
 */
export type RecordKind = 'imageScanFinding' | 'inspectorFinding' | 'eventBridgeEvent'

const findingMembers = {
  awsAccountId: true,
  severity: true,
  status: true,
  findingArn: true,
  fixAvailable: true,
  exploitAvailable: true,
  imageBuildVersionArn: true,
  imagePipelineArn: true,
  packageVulnerabilityDetails: projection({ vulnerabilityId: true }),
  resources: projection({ tags: projection({ Ec2ImageBuilderArn: true }) }),
} as const

const recordMembers = projection({
  ...findingMembers,
  detail: projection(findingMembers),
  'detail-type': true,
  source: true,
}) as Record<string, Projection | true>
// A page nested where a record is expected (an array of pages) holds records itself.
recordMembers.findings = recordMembers

/**
 * The members of a record the engine (or format detection) needs; every other member, however
 * large or odd, is skipped unread.
 *
 * @category model
 */
export const recordProjection: Projection = recordMembers

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const isObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

/**
 * The records a page nested where a record was expected holds, or `undefined` when the value
 * is a record itself.
 *
 * @category utils
 */
export const nestedPage = (u: unknown): ReadonlyArray<unknown> | undefined =>
  isObject(u) && Array.isArray(u.findings) && !('awsAccountId' in u) ? u.findings : undefined

/**
 * Tells a record's kind from its members: an event has a `detail` object and an event
 * envelope (`detail-type` or `source`); an Inspector finding has `findingArn`, `status` or
 * `resources`; an image scan finding has `awsAccountId` or `imageBuildVersionArn`.
 *
 * @category utils
 */
export const recordKind = (u: unknown): RecordKind | undefined => {
  if (!isObject(u)) return undefined
  if (isObject(u.detail) && ('detail-type' in u || 'source' in u)) return 'eventBridgeEvent'
  if ('findingArn' in u || 'status' in u || 'resources' in u) return 'inspectorFinding'
  if ('awsAccountId' in u || 'imageBuildVersionArn' in u) return 'imageScanFinding'
  return undefined
}

/**
 * Validates and maps one record of any kind. `Left` is the reason it is invalid.
 *
 * @category utils
 */
export const classifyRecord = (
  u: unknown,
  options: InspectorMappingOptions,
): E.Either<string, Classified> => {
  switch (recordKind(u)) {
    case 'inspectorFinding':
      return fromInspectorFinding(u, options)
    case 'imageScanFinding':
      return fromImageScanFinding(u, options)
    case 'eventBridgeEvent': {
      const event = u as Record<string, unknown>
      const type = event['detail-type']
      if (type !== undefined && type !== 'Inspector2 Finding')
        return E.left(`an EventBridge event of type ${JSON.stringify(type)}, not "Inspector2 Finding"`)
      return E.mapLeft((reason: string) => `detail: ${reason}`)(fromInspectorFinding(event.detail, options))
    }
    default:
      return E.left(
        `not a finding: expected an Image Builder ImageScanFinding, an Inspector v2 finding or an EventBridge "Inspector2 Finding" event, got ${shape(u)}`,
      )
  }
}

const shape = (u: unknown): string =>
  Array.isArray(u)
    ? 'an array'
    : isObject(u)
      ? 'an object with none of their members'
      : u === null
        ? 'null'
        : `a ${typeof u}`
