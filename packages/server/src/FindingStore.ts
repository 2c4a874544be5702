/**
 * The findings `ListImageScanFindings` lists: a compact, immutable store in the order the
 * findings were added. Key fields live in typed columns over one string dictionary; the
 * descriptive part of an Image Builder `ImageScanFinding` (title, remediation, CVSS, packages)
 * is kept only as far as the wire shape has it, with its strings interned. An Inspector record
 * given as a normalized finding keeps just its key fields.
 *
 * @module
 */

import {
  AccountId,
  FixAvailable,
  fixAvailableValues,
  fixCodes,
  type InvalidRequestException,
  invalidRequest,
  KeyString,
  Severity,
  severities,
} from '@scantally/core'
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * An Image Builder `ImageScanFinding` as it travels on the wire (restJson1): every member
 * optional, timestamps in epoch seconds.
 *
 * @category model
 */
export interface ImageScanFindingWire {
  readonly awsAccountId?: string
  readonly imageBuildVersionArn?: string
  readonly imagePipelineArn?: string
  readonly type?: string
  readonly description?: string
  readonly title?: string
  readonly remediation?: { readonly recommendation?: { readonly text?: string; readonly url?: string } }
  readonly severity?: string
  readonly firstObservedAt?: number
  readonly updatedAt?: number
  readonly inspectorScore?: number
  readonly inspectorScoreDetails?: { readonly adjustedCvss?: Readonly<Record<string, unknown>> }
  readonly packageVulnerabilityDetails?: { readonly vulnerabilityId: string } & Readonly<
    Record<string, unknown>
  >
  readonly fixAvailable?: string
}

/**
 * The descriptive members of one finding (everything but the key fields), pruned to the wire
 * shape; `packageVulnerabilityDetails` here lacks `vulnerabilityId`, which is a key column.
 *
 * @category model
 */
export type FindingDetail = Readonly<Record<string, unknown>>

/**
 * An immutable store of findings. Row `i` has its account, image build version, pipeline and
 * vulnerability as ids into `strings` (0 = absent), its severity as an index into
 * `severities`, its `fixAvailable` as a code into core's `fixCodes`, and its descriptive
 * members, if any, in `details[i]`.
 *
 * @category model
 */
export interface FindingStore {
  readonly _tag: 'FindingStore'
  readonly size: number
  readonly strings: ReadonlyArray<string>
  readonly ids: ReadonlyMap<string, number>
  readonly account: Int32Array
  readonly build: Int32Array
  readonly pipeline: Int32Array
  readonly vulnerability: Int32Array
  readonly severity: Uint8Array
  readonly fix: Uint8Array
  readonly details: ReadonlyArray<FindingDetail | undefined>
}

/**
 * Mutable builder of a store, for sources that stream. `add` validates one record: `Left`
 * holds why it is invalid, `Right(false)` a duplicate `findingArn` (kept out, as the index
 * does), `Right(true)` a stored finding.
 *
 * @category model
 */
export interface FindingStoreBuilder {
  readonly add: (record: unknown) => E.Either<string, boolean>
  readonly freeze: () => FindingStore
}

// The wire shape of the descriptive members, from the Image Builder model: what is kept.
type Shape =
  | 'string'
  | 'number'
  | 'timestamp'
  | { readonly list: Shape }
  | { readonly struct: Readonly<Record<string, Shape>> }

const cvssScoreDetails: Shape = {
  struct: {
    scoreSource: 'string',
    cvssSource: 'string',
    version: 'string',
    score: 'number',
    scoringVector: 'string',
    adjustments: { list: { struct: { metric: 'string', reason: 'string' } } },
  },
}

const detailShape = {
  type: 'string',
  description: 'string',
  title: 'string',
  remediation: { struct: { recommendation: { struct: { text: 'string', url: 'string' } } } },
  firstObservedAt: 'timestamp',
  updatedAt: 'timestamp',
  inspectorScore: 'number',
  inspectorScoreDetails: { struct: { adjustedCvss: cvssScoreDetails } },
  packageVulnerabilityDetails: {
    struct: {
      vulnerablePackages: {
        list: {
          struct: {
            name: 'string',
            version: 'string',
            sourceLayerHash: 'string',
            epoch: 'number',
            release: 'string',
            arch: 'string',
            packageManager: 'string',
            filePath: 'string',
            fixedInVersion: 'string',
            remediation: 'string',
          },
        },
      },
      source: 'string',
      cvss: {
        list: {
          struct: { baseScore: 'number', scoringVector: 'string', version: 'string', source: 'string' },
        },
      },
      relatedVulnerabilities: { list: 'string' },
      sourceUrl: 'string',
      vendorSeverity: 'string',
      vendorCreatedAt: 'timestamp',
      vendorUpdatedAt: 'timestamp',
      referenceUrls: { list: 'string' },
    },
  },
} as const satisfies Record<string, Shape>

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A new, empty builder. A record is either a normalized finding (`vulnerabilityId` at the top)
 * or an Image Builder `ImageScanFinding` (`packageVulnerabilityDetails.vulnerabilityId`);
 * `awsAccountId` (12 digits) and `severity` are required, key strings have 1–1024 characters.
 * Descriptive members of the wrong type are dropped, not fatal, as core's codec ignores them;
 * timestamps may be epoch seconds, ISO 8601, a `Date`, or EventBridge's text form.
 *
 * @category constructors
 */
export const makeStoreBuilder = (): FindingStoreBuilder => {
  const strings: string[] = ['']
  const ids = new Map<string, number>()
  const interned = new Map<string, string>()
  const account: number[] = []
  const build: number[] = []
  const pipeline: number[] = []
  const vulnerability: number[] = []
  const severity: number[] = []
  const fix: number[] = []
  const details: Array<FindingDetail | undefined> = []
  const seen = new Set<string>()
  const idOf = (s: string | undefined): number => {
    if (s === undefined) return 0
    let id = ids.get(s)
    if (id === undefined) {
      id = strings.length
      strings.push(s)
      ids.set(s, id)
    }
    return id
  }
  const intern = (s: string): string => {
    const hit = interned.get(s)
    if (hit !== undefined) return hit
    interned.set(s, s)
    return s
  }
  return {
    add: (record) => {
      if (!isRecord(record)) return Either.left('a finding must be a JSON object')
      if (!AccountId.is(record.awsAccountId)) return Either.left('awsAccountId must be a 12-digit account id')
      if (!Severity.is(record.severity))
        return Either.left(`severity must be one of ${severities.join(', ')}`)
      for (const k of ['imageBuildVersionArn', 'imagePipelineArn', 'findingArn'] as const)
        if (record[k] !== undefined && !KeyString.is(record[k]))
          return Either.left(`${k} must be a string of 1 to 1024 characters`)
      const pvd = isRecord(record.packageVulnerabilityDetails)
        ? record.packageVulnerabilityDetails
        : undefined
      const vulnerabilityId = record.vulnerabilityId ?? pvd?.vulnerabilityId
      if (vulnerabilityId !== undefined && !KeyString.is(vulnerabilityId))
        return Either.left('vulnerabilityId must be a string of 1 to 1024 characters')
      if (record.fixAvailable !== undefined && !FixAvailable.is(record.fixAvailable))
        return Either.left(`fixAvailable must be one of ${fixAvailableValues.join(', ')}`)
      if (typeof record.findingArn === 'string') {
        if (seen.has(record.findingArn)) return Either.right(false)
        seen.add(record.findingArn)
      }
      account.push(idOf(record.awsAccountId))
      build.push(idOf(record.imageBuildVersionArn as string | undefined))
      pipeline.push(idOf(record.imagePipelineArn as string | undefined))
      vulnerability.push(idOf(vulnerabilityId))
      severity.push(severities.indexOf(record.severity))
      fix.push(record.fixAvailable === undefined ? 0 : fixCodes.indexOf(record.fixAvailable))
      const detail = prune({ struct: detailShape }, record, intern) as FindingDetail | undefined
      details.push(detail === undefined || Object.keys(detail).length === 0 ? undefined : detail)
      return Either.right(true)
    },
    freeze: () => {
      seen.clear()
      interned.clear()
      return {
        _tag: 'FindingStore',
        size: account.length,
        strings,
        ids,
        account: Int32Array.from(account),
        build: Int32Array.from(build),
        pipeline: Int32Array.from(pipeline),
        vulnerability: Int32Array.from(vulnerability),
        severity: Uint8Array.from(severity),
        fix: Uint8Array.from(fix),
        details,
      }
    },
  }
}

/**
 * A store of findings (normalized findings or Image Builder `ImageScanFinding`s, see
 * {@link makeStoreBuilder}). Give it the same findings the index counts, so both operations
 * agree. The first invalid record fails the build, named by its position.
 *
 * @category constructors
 */
export const fromFindings = (records: Iterable<unknown>): E.Either<InvalidRequestException, FindingStore> => {
  const builder = makeStoreBuilder()
  let position = 0
  for (const record of records) {
    const added = builder.add(record)
    if (Either.isLeft(added))
      return Either.left(invalidRequest(`finding #${position} is invalid: ${added.left}`))
    position++
  }
  return Either.right(builder.freeze())
}

/**
 * The empty store.
 *
 * @category constructors
 */
export const emptyStore: FindingStore = makeStoreBuilder().freeze()

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Row `i` of a store as an `ImageScanFinding` on the wire, members in the model's order.
 *
 * @category utils
 */
export const toImageScanFinding = (store: FindingStore, i: number): ImageScanFindingWire => {
  const detail = store.details[i] ?? {}
  const str = (id: number | undefined) => (id === undefined || id === 0 ? undefined : store.strings[id])
  const vulnerabilityId = str(store.vulnerability[i])
  const pvd = detail.packageVulnerabilityDetails as Readonly<Record<string, unknown>> | undefined
  const out: Record<string, unknown> = {
    awsAccountId: str(store.account[i]),
    imageBuildVersionArn: str(store.build[i]),
    imagePipelineArn: str(store.pipeline[i]),
    type: detail.type,
    description: detail.description,
    title: detail.title,
    remediation: detail.remediation,
    severity: severities[store.severity[i] as number],
    firstObservedAt: detail.firstObservedAt,
    updatedAt: detail.updatedAt,
    inspectorScore: detail.inspectorScore,
    inspectorScoreDetails: detail.inspectorScoreDetails,
    packageVulnerabilityDetails: vulnerabilityId === undefined ? undefined : { vulnerabilityId, ...pvd },
    fixAvailable: fixCodes[store.fix[i] as number],
  }
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k]
  return out as ImageScanFindingWire
}

/**
 * Epoch seconds of a timestamp given as epoch seconds, a `Date`, or text `Date.parse` reads
 * (ISO 8601, EventBridge's `Wed Sep 04 16:59:44.356 UTC 2024`); `undefined` otherwise.
 *
 * @category utils
 */
export const toEpochSeconds = (u: unknown): number | undefined => {
  if (typeof u === 'number') return Number.isFinite(u) ? u : undefined
  if (u instanceof Date) return Number.isNaN(u.getTime()) ? undefined : u.getTime() / 1000
  if (typeof u !== 'string') return undefined
  if (/^-?\d+(\.\d+)?$/.test(u.trim())) return Number(u)
  const ms = Date.parse(u)
  return Number.isNaN(ms) ? undefined : ms / 1000
}

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

// Keeps what matches the shape; drops the rest (unknown members, wrong types, empty structures).
const prune = (shape: Shape, u: unknown, intern: (s: string) => string): unknown => {
  if (shape === 'string') return typeof u === 'string' ? intern(u) : undefined
  if (shape === 'number') return typeof u === 'number' && Number.isFinite(u) ? u : undefined
  if (shape === 'timestamp') return toEpochSeconds(u)
  if ('list' in shape) {
    if (!Array.isArray(u)) return undefined
    const items = u.map((x) => prune(shape.list, x, intern)).filter((x) => x !== undefined)
    return items.length === 0 ? undefined : items
  }
  if (!isRecord(u)) return undefined
  const out: Record<string, unknown> = {}
  for (const [k, s] of Object.entries(shape.struct)) {
    const v = prune(s, u[k], intern)
    if (v !== undefined) out[k] = v
  }
  return Object.keys(out).length === 0 ? undefined : out
}
