/**
 * What one record of an export is (an Image Builder image scan finding, an Inspector v2
 * finding, an EventBridge "Inspector2 Finding" event around one, or a Security Hub ASFF finding
 * from Inspector), told from its members; the pages records come in besides the reader's own
 * (Security Hub's `{"Findings": […]}` nested in an array, and "Security Hub Findings - Imported"
 * events); and the projection the reader materializes records through.
 *
 * @module
 */
import {
  type Classified,
  fromAsffFinding,
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
export type RecordKind = 'imageScanFinding' | 'inspectorFinding' | 'eventBridgeEvent' | 'asffFinding'

/**
 * The `detail-type` of the EventBridge events Security Hub sends its findings in.
 *
 * @category model
 */
export const securityHubImported = 'Security Hub Findings - Imported'

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

// What core's ASFF mapping reads of a Security Hub finding.
const asffMembers = {
  AwsAccountId: true,
  ProductName: true,
  Id: true,
  Severity: projection({ Label: true, Original: true }),
  RecordState: true,
  Workflow: projection({ Status: true }),
  Vulnerabilities: projection({ Id: true, FixAvailable: true, ExploitAvailable: true }),
  Resources: projection({ Tags: projection({ Ec2ImageBuilderArn: true }) }),
} as const

const recordMembers = projection({
  ...findingMembers,
  ...asffMembers,
  detail: projection({ ...findingMembers, findings: projection(asffMembers) }),
  'detail-type': true,
  source: true,
}) as Record<string, Projection | true>
// A page nested where a record is expected (an array of pages) holds records itself.
recordMembers.findings = recordMembers
recordMembers.Findings = recordMembers

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
 * The records a page nested where a record was expected holds (an Inspector or Image Builder
 * page, a Security Hub `GetFindings` page, or a "Security Hub Findings - Imported" event's
 * `detail.findings`), or `undefined` when the value is a record itself.
 *
 * @category utils
 */
export const nestedPage = (u: unknown): ReadonlyArray<unknown> | undefined => {
  if (!isObject(u)) return undefined
  if (Array.isArray(u.findings) && !('awsAccountId' in u)) return u.findings
  if (Array.isArray(u.Findings) && !('AwsAccountId' in u)) return u.Findings
  const detail = u.detail
  return u['detail-type'] === securityHubImported && isObject(detail) && Array.isArray(detail.findings)
    ? detail.findings
    : undefined
}

/**
 * Tells a record's kind from its members: an event has a `detail` object and an event
 * envelope (`detail-type` or `source`); an Inspector finding has `findingArn`, `status` or
 * `resources`; an image scan finding has `awsAccountId` or `imageBuildVersionArn`; a Security
 * Hub finding has `AwsAccountId` or `ProductName`.
 *
 * @category utils
 */
export const recordKind = (u: unknown): RecordKind | undefined => {
  if (!isObject(u)) return undefined
  if (isObject(u.detail) && ('detail-type' in u || 'source' in u)) return 'eventBridgeEvent'
  if ('findingArn' in u || 'status' in u || 'resources' in u) return 'inspectorFinding'
  if ('awsAccountId' in u || 'imageBuildVersionArn' in u) return 'imageScanFinding'
  if ('AwsAccountId' in u || 'ProductName' in u) return 'asffFinding'
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
    case 'asffFinding':
      return fromAsffFinding(u, options)
    case 'eventBridgeEvent': {
      const event = u as Record<string, unknown>
      const type = event['detail-type']
      if (type !== undefined && type !== 'Inspector2 Finding')
        return E.left(
          `an EventBridge event of type ${JSON.stringify(type)}, not "Inspector2 Finding" or "${securityHubImported}" with detail.findings`,
        )
      return E.mapLeft((reason: string) => `detail: ${reason}`)(fromInspectorFinding(event.detail, options))
    }
    default:
      return E.left(
        `not a finding: expected an Image Builder ImageScanFinding, an Inspector v2 finding, an EventBridge "Inspector2 Finding" event or a Security Hub ASFF finding, got ${shape(u)}`,
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
