import { fc, testProp } from '@fast-check/ava'
import test from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import { findingArb, queryArb } from './arbitraries.js'
import { allGroups } from './Engine.js'
import type { Finding, groupKeys } from './Finding.js'
import { fixCodes } from './FindingIndex.js'
import { makeFindingSource } from './FindingSource.js'
import { emptyIngestReport } from './IngestReport.js'
import { severities } from './Severity.js'
import { accumulate, accumulateSource } from './Streaming.js'
import { dedupe, rightOf, testEngine } from './testing.js'

testProp(
  'one streaming pass gives the same groups as the index, for any query and caller',
  [
    fc.array(findingArb(), { maxLength: 80 }),
    queryArb,
    fc.option(fc.subarray(['111111111111', '222222222222', '333333333333']), { nil: undefined }),
  ],
  (t, findings, query, accounts) => {
    const caller = accounts === undefined ? { id: 'c' } : { id: 'c', accounts }
    const fromIndex = allGroups(testEngine(findings), query, caller)
    const acc = accumulate(query, caller)
    if (fromIndex._tag === 'Left' || acc._tag === 'Left') {
      t.is(acc._tag, fromIndex._tag)
      return
    }
    for (const f of findings) acc.right.add(f)
    t.deepEqual(acc.right.result(), rightOf(fromIndex))
  },
)

// A reader handing findings over as ids interns each string once, then gives every finding as
// ids; some findings still come as objects (a stream beside a split file). Either way, the
// groups are the index's, whatever the caller and the filters.
testProp(
  'findings given as ids, or some as ids and some as objects, give the same groups as the index',
  [
    fc.array(fc.tuple(findingArb(), fc.boolean()), { maxLength: 80 }),
    queryArb,
    fc.option(fc.subarray(['111111111111', '222222222222', '333333333333']), { nil: undefined }),
  ],
  (t, given, query, accounts) => {
    const caller = accounts === undefined ? { id: 'c' } : { id: 'c', accounts }
    const findings = dedupe(given.map(([f]) => f))
    const asIds = new Set(given.filter(([, ids]) => ids).map(([f]) => f))
    const fromIndex = allGroups(testEngine(findings), query, caller)
    const acc = accumulate(query, caller, { dedupe: false })
    if (fromIndex._tag === 'Left' || acc._tag === 'Left') {
      t.is(acc._tag, fromIndex._tag)
      return
    }
    const { intern, addIds, add } = acc.right
    const id = (f: Finding, k: (typeof groupKeys)[number]) => {
      const v = k === 'accountId' ? f.awsAccountId : f[k]
      return v === undefined ? 0 : intern(k, v)
    }
    for (const f of findings)
      if (asIds.has(f))
        addIds(
          id(f, 'accountId'),
          id(f, 'imageBuildVersionArn'),
          id(f, 'imagePipelineArn'),
          id(f, 'vulnerabilityId'),
          severities.indexOf(f.severity),
          fixCodes.indexOf(f.fixAvailable),
          f.exploitAvailable === 'YES',
        )
      else add(f)
    t.deepEqual(acc.right.result(), rightOf(fromIndex))
    t.is(acc.right.counted(), findings.length)
  },
)

// `result` hands out the counts it holds; a finding added after it must count into copies, so a
// result taken midway stays what it was while the later one counts everything.
testProp(
  'a result taken midway is left as it was; the last one counts every finding',
  [fc.array(fc.tuple(findingArb(), fc.boolean()), { maxLength: 60 }), fc.nat(), queryArb],
  (t, given, cut, query) => {
    const findings = dedupe(given.map(([f]) => f))
    const asIds = new Set(given.filter(([, ids]) => ids).map(([f]) => f))
    const at = findings.length === 0 ? 0 : cut % (findings.length + 1)
    const acc = rightOf(accumulate(query, undefined, { dedupe: false }))
    const give = (f: Finding): void => {
      const id = (k: (typeof groupKeys)[number]) => {
        const v = k === 'accountId' ? f.awsAccountId : f[k]
        return v === undefined ? 0 : acc.intern(k, v)
      }
      if (asIds.has(f))
        acc.addIds(
          id('accountId'),
          id('imageBuildVersionArn'),
          id('imagePipelineArn'),
          id('vulnerabilityId'),
          severities.indexOf(f.severity),
          fixCodes.indexOf(f.fixAvailable),
          f.exploitAvailable === 'YES',
        )
      else acc.add(f)
    }
    findings.slice(0, at).forEach(give)
    const midway = acc.result()
    const copy = structuredClone(midway)
    findings.slice(at).forEach(give)
    t.deepEqual(midway, copy)
    t.deepEqual(midway, rightOf(allGroups(testEngine(findings.slice(0, at)), query)))
    t.deepEqual(acc.result(), rightOf(allGroups(testEngine(findings), query)))
  },
)

testProp(
  'without de-duplication, a pass over de-duplicated findings gives the same groups',
  [fc.array(findingArb(), { maxLength: 80 }), queryArb],
  (t, findings, query) => {
    const unique = dedupe(findings)
    const plain = rightOf(accumulate(query))
    const trusting = rightOf(accumulate(query, undefined, { dedupe: false }))
    for (const f of unique) {
      plain.add(f)
      trusting.add(f)
    }
    t.deepEqual(trusting.result(), plain.result())
    t.is(trusting.counted(), unique.length)
  },
)

const sourceOf = (findings: ReadonlyArray<Finding>, fails: boolean) =>
  makeFindingSource<string, ReadonlyArray<Finding>>(
    async function* () {
      yield findings
      return fails ? Either.left('cut short') : Either.right({ ...emptyIngestReport, read: findings.length })
    },
    { failed: String, soFar: () => emptyIngestReport },
  )

testProp(
  'aggregating a source gives the groups of a pass over its findings, or its failure and no groups',
  [fc.array(findingArb(), { maxLength: 60 }), queryArb, fc.boolean()],
  async (t, findings, query, fails) => {
    const got = await accumulateSource(query)(sourceOf(findings, fails))()
    if (fails) {
      t.deepEqual(got, Either.left('cut short'))
      return
    }
    const acc = rightOf(accumulate(query))
    for (const f of findings) acc.add(f)
    t.deepEqual(
      got,
      Either.right({
        groups: acc.result(),
        counted: acc.counted(),
        report: { ...emptyIngestReport, read: findings.length },
      }),
    )
  },
)

test('an account the caller may not see is forbidden before the source is read', async (t) => {
  let read = false
  const source = makeFindingSource<string, ReadonlyArray<Finding>>(
    async function* () {
      read = true
      yield [{ awsAccountId: '222222222222', severity: 'LOW' } as Finding]
      return Either.right(emptyIngestReport)
    },
    { failed: String, soFar: () => emptyIngestReport },
  )
  const query = {
    groupBy: 'accountId',
    filters: [{ field: 'accountId', comparison: 'EQUALS', value: '222222222222' }],
  } as const
  const got = await accumulateSource(query, { id: 'c', accounts: ['111111111111'] })(source)()
  t.true(Either.isLeft(got))
  if (Either.isLeft(got) && typeof got.left !== 'string') t.is(got.left.name, 'ForbiddenException')
  t.false(read)
})
