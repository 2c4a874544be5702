/**
 * fast-check arbitraries derived from the codecs' own literal lists, so generators never drift
 * from the model. Used by the tests of this package and of the packages that build on it.
 *
 * @module
 */
import fc from 'fast-check'
import {
  type AccountId,
  exploitAvailableValues,
  type Finding,
  fixAvailableValues,
  groupKeys,
  type KeyString,
} from './Finding.js'
import { type Criterion, comparisons, criterionFields, type Query, sortFields, sortOrders } from './Query.js'
import { filterValuePattern } from './Request.js'
import { severities } from './Severity.js'

/**
 * A severity, from the vocabulary the Severity codec is built from.
 *
 * @category arbitraries
 */
export const severityArb = fc.constantFrom(...severities)

/**
 * An account id from a small pool, so groups collide.
 *
 * @category arbitraries
 */
export const accountIdArb: fc.Arbitrary<AccountId> = fc
  .constantFrom('111111111111', '222222222222', '333333333333', '012345678901')
  .map((s) => s as AccountId)

const arn = (kind: string) =>
  fc
    .tuple(
      fc.constantFrom('111111111111', '222222222222'),
      fc.constantFrom('web', 'db', 'app-2', 'Zeta', 'a.b'),
      fc.nat(3),
    )
    .map(
      ([acct, name, n]) =>
        `arn:aws:imagebuilder:us-east-1:${acct}:${kind}/${name}${kind === 'image' ? `/1.0.${n}/1` : ''}` as KeyString,
    )

/**
 * A vulnerability id from a pool that also holds strings that sort differently by locale and by
 * code unit, and characters outside the AWS filter pattern.
 *
 * @category arbitraries
 */
export const vulnerabilityIdArb: fc.Arbitrary<KeyString> = fc
  .oneof(
    fc.constantFrom(
      'CVE-2024-0001',
      'CVE-2024-0002',
      'CVE-2023-9999',
      'GHSA-abcd',
      'a-lower',
      'Z-upper',
      'émoji-é',
      '😀-astral',
    ),
    fc.string({ minLength: 1, maxLength: 6 }),
  )
  .map((s) => s as KeyString)

/**
 * A normalized finding; optional members are sometimes absent.
 *
 * @category arbitraries
 */
export const findingArb = (options: { readonly arns?: boolean } = {}): fc.Arbitrary<Finding> =>
  fc
    .record(
      {
        awsAccountId: accountIdArb,
        severity: severityArb,
        imageBuildVersionArn: arn('image'),
        imagePipelineArn: arn('image-pipeline'),
        vulnerabilityId: vulnerabilityIdArb,
        findingArn: fc
          .nat(400)
          .map((n) => `arn:aws:inspector2:us-east-1:111111111111:finding/${n}` as KeyString),
        fixAvailable: fc.constantFrom(...fixAvailableValues),
        exploitAvailable: fc.constantFrom(...exploitAvailableValues),
      },
      {
        requiredKeys: ['awsAccountId', 'severity'],
      },
    )
    .map((f) => {
      if (options.arns === false) {
        const { findingArn: _drop, ...rest } = f
        return rest as Finding
      }
      return f as Finding
    })

/**
 * Findings with unique `findingArn`s (or none), so counts are not affected by de-duplication.
 *
 * @category arbitraries
 */
export const uniqueFindingsArb = (maxLength = 60): fc.Arbitrary<ReadonlyArray<Finding>> =>
  fc.array(findingArb({ arns: false }), { maxLength })

/**
 * A filter criterion over the query's fields, with values drawn from what findings hold.
 *
 * @category arbitraries
 */
export const criterionArb: fc.Arbitrary<Criterion> = fc.constantFrom(...criterionFields).chain((field) =>
  fc.record({
    field: fc.constant(field),
    comparison: fc.constantFrom(...comparisons),
    value:
      field === 'severity'
        ? severityArb
        : field === 'fixAvailable'
          ? fc.constantFrom(...fixAvailableValues)
          : field === 'accountId'
            ? fc.oneof(accountIdArb, fc.constant('1111'))
            : fc.oneof(
                vulnerabilityIdArb,
                arn('image'),
                arn('image-pipeline'),
                fc.constant('arn:aws:imagebuilder'),
              ),
  }),
)

/**
 * An extended query without a token.
 *
 * @category arbitraries
 */
export const queryArb: fc.Arbitrary<Query> = fc.record(
  {
    groupBy: fc.constantFrom(...groupKeys),
    filters: fc.array(criterionArb, { maxLength: 4 }),
    sortBy: fc.constantFrom(...sortFields),
    sortOrder: fc.constantFrom(...sortOrders),
    maxResults: fc.integer({ min: 1, max: 7 }),
  },
  { requiredKeys: ['groupBy'] },
)

/**
 * A valid AWS filter value.
 *
 * @category arbitraries
 */
export const filterValueArb: fc.Arbitrary<string> = fc.stringMatching(filterValuePattern)
