/**
 * The normalized finding every source produces and the engine counts.
 *
 * @module
 */
import * as t from 'io-ts'
import { keyofValues } from './Closed.js'
import { Severity } from './Severity.js'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/**
 * Branded 12-digit AWS account id.
 *
 * @category codecs
 * @since 0.1.0
 */
export interface AccountIdBrand {
  readonly AccountId: unique symbol
}

/**
 * Codec for an AWS account id: exactly 12 ASCII digits.
 *
 * @category codecs
 * @since 0.1.0
 */
export const AccountId = t.brand(
  t.string,
  (s): s is t.Branded<string, AccountIdBrand> => /^[0-9]{12}$/.test(s),
  'AccountId',
)

/**
 * An AWS account id.
 *
 * @category model
 * @since 0.1.0
 */
export type AccountId = t.TypeOf<typeof AccountId>

/**
 * Branded key string: 1 to 1024 characters, the length bound the AWS model puts on every
 * filter value. Group keys (ARNs, vulnerability ids) use it.
 *
 * @category codecs
 * @since 0.1.0
 */
export interface KeyStringBrand {
  readonly KeyString: unique symbol
}

/**
 * Codec for a key string (1–1024 characters).
 *
 * @category codecs
 * @since 0.1.0
 */
export const KeyString = t.brand(
  t.string,
  (s): s is t.Branded<string, KeyStringBrand> => s.length >= 1 && s.length <= 1024,
  'KeyString',
)

/**
 * A key string.
 *
 * @category model
 * @since 0.1.0
 */
export type KeyString = t.TypeOf<typeof KeyString>

/**
 * Inspector's `fixAvailable` values, in the order their column codes follow.
 *
 * @category model
 */
export const fixAvailableValues = ['YES', 'NO', 'PARTIAL'] as const

/**
 * Codec for `fixAvailable`, built from `fixAvailableValues`.
 *
 * @category codecs
 * @since 0.1.0
 */
export const FixAvailable = keyofValues(fixAvailableValues)

/**
 * Whether a fix exists for the vulnerable package.
 *
 * @category model
 * @since 0.1.0
 */
export type FixAvailable = t.TypeOf<typeof FixAvailable>

/**
 * Inspector's `exploitAvailable` values.
 *
 * @category model
 */
export const exploitAvailableValues = ['YES', 'NO'] as const

/**
 * Codec for `exploitAvailable`, built from `exploitAvailableValues`.
 *
 * @category codecs
 * @since 0.1.0
 */
export const ExploitAvailable = keyofValues(exploitAvailableValues)

/**
 * Whether a public exploit is known.
 *
 * @category model
 * @since 0.1.0
 */
export type ExploitAvailable = t.TypeOf<typeof ExploitAvailable>

/**
 * Codec for a normalized finding. Only what the engine counts or groups by is here; sources
 * map their richer records onto it (see `docs/sources.md`).
 *
 * @example
 * ```ts
 * import { Finding } from '@scantally/core'
 *
 * const decoded = Finding.decode({
 *   awsAccountId: '111122223333',
 *   severity: 'HIGH',
 *   vulnerabilityId: 'CVE-2024-6387',
 *   fixAvailable: 'YES',
 * })
 * if (decoded._tag === 'Right') console.log(decoded.right.severity) // 'HIGH'
 * console.log(Finding.is({ awsAccountId: '42', severity: 'HIGH' })) // false: not 12 digits
 * ```
 *
 * @category codecs
 * @since 0.1.0
 */
export const Finding = t.intersection([
  t.type({
    awsAccountId: AccountId,
    severity: Severity,
  }),
  t.partial({
    imageBuildVersionArn: KeyString,
    imagePipelineArn: KeyString,
    vulnerabilityId: KeyString,
    findingArn: KeyString,
    fixAvailable: FixAvailable,
    exploitAvailable: ExploitAvailable,
  }),
])

/**
 * A normalized finding.
 *
 * @example
 * ```ts
 * import type { Finding } from '@scantally/core'
 *
 * const isUrgent = (f: Finding): boolean =>
 *   f.severity === 'CRITICAL' && f.fixAvailable === 'YES' && f.exploitAvailable === 'YES'
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export type Finding = t.TypeOf<typeof Finding>

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The members of a finding as a mapping has them, each optional one possibly `undefined`.
 *
 * @category model
 */
export type FindingFields = {
  readonly [K in keyof Finding]-?: undefined extends Finding[K] ? Finding[K] | undefined : Finding[K]
}

/**
 * A finding from mapped members, leaving out those that are `undefined` (an optional member is
 * absent, never present as `undefined`, so equal findings compare equal).
 *
 * @category constructors
 */
export const findingOf = (fields: FindingFields): Finding => {
  const f: { -readonly [K in keyof Finding]: Finding[K] } = {
    awsAccountId: fields.awsAccountId,
    severity: fields.severity,
  }
  if (fields.imageBuildVersionArn !== undefined) f.imageBuildVersionArn = fields.imageBuildVersionArn
  if (fields.imagePipelineArn !== undefined) f.imagePipelineArn = fields.imagePipelineArn
  if (fields.vulnerabilityId !== undefined) f.vulnerabilityId = fields.vulnerabilityId
  if (fields.findingArn !== undefined) f.findingArn = fields.findingArn
  if (fields.fixAvailable !== undefined) f.fixAvailable = fields.fixAvailable
  if (fields.exploitAvailable !== undefined) f.exploitAvailable = fields.exploitAvailable
  return f
}

/**
 * The fields a finding can be grouped by, in the names of the AWS filter.
 *
 * @example
 * ```ts
 * import { groupKeys, type GroupKey } from '@scantally/core'
 *
 * const isGroupKey = (s: string): s is GroupKey => (groupKeys as ReadonlyArray<string>).includes(s)
 * console.log(groupKeys) // ['accountId', 'imageBuildVersionArn', 'imagePipelineArn', 'vulnerabilityId']
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export const groupKeys = ['accountId', 'imageBuildVersionArn', 'imagePipelineArn', 'vulnerabilityId'] as const

/**
 * One of {@link groupKeys}.
 *
 * @category model
 * @since 0.1.0
 */
export type GroupKey = (typeof groupKeys)[number]

/**
 * Codec for a {@link GroupKey}, built from {@link groupKeys}.
 *
 * @category codecs
 * @since 0.1.0
 */
export const GroupKey = keyofValues(groupKeys)

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The value a finding has for a grouping, or `undefined` when it lacks that field (it is
 * then outside that grouping's counts).
 *
 * @category utils
 */
export const keyOf = (key: GroupKey): ((f: Finding) => string | undefined) => keyReaders[key]

// One reader per grouping, each reading a named member (a computed one is slower per finding).
const keyReaders: { readonly [K in GroupKey]: (f: Finding) => string | undefined } = {
  accountId: (f) => f.awsAccountId,
  imageBuildVersionArn: (f) => f.imageBuildVersionArn,
  imagePipelineArn: (f) => f.imagePipelineArn,
  vulnerabilityId: (f) => f.vulnerabilityId,
}
