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
 */
export interface AccountIdBrand {
  readonly AccountId: unique symbol
}

/**
 * Codec for an AWS account id: exactly 12 ASCII digits.
 *
 * @category codecs
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
 */
export type AccountId = t.TypeOf<typeof AccountId>

/**
 * Branded key string: 1 to 1024 characters, the length bound the AWS model puts on every
 * filter value. Group keys (ARNs, vulnerability ids) use it.
 *
 * @category codecs
 */
export interface KeyStringBrand {
  readonly KeyString: unique symbol
}

/**
 * Codec for a key string (1–1024 characters).
 *
 * @category codecs
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
 */
export const FixAvailable = keyofValues(fixAvailableValues)

/**
 * Whether a fix exists for the vulnerable package.
 *
 * @category model
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
 */
export const ExploitAvailable = keyofValues(exploitAvailableValues)

/**
 * Whether a public exploit is known.
 *
 * @category model
 */
export type ExploitAvailable = t.TypeOf<typeof ExploitAvailable>

/**
 * Codec for a normalized finding. Only what the engine counts or groups by is here; sources
 * map their richer records onto it (see `docs/sources.md`).
 *
 * @category codecs
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
 * @category model
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
 * @category model
 */
export const groupKeys = ['accountId', 'imageBuildVersionArn', 'imagePipelineArn', 'vulnerabilityId'] as const

/**
 * One of {@link groupKeys}.
 *
 * @category model
 */
export type GroupKey = (typeof groupKeys)[number]

/**
 * Codec for a {@link GroupKey}, built from {@link groupKeys}.
 *
 * @category codecs
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
