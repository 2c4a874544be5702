import { fc, testProp } from '@fast-check/ava'
import test from 'ava'
import { criterionArb, findingArb, queryArb } from './arbitraries.js'
import { allGroups, queryAggregations } from './Engine.js'
import { passes } from './Evaluate.js'
import type { Finding } from './Finding.js'
import type { Criterion, Group, Query } from './Query.js'
import { accumulate } from './Streaming.js'
import { rightOf, testEngine } from './testing.js'

// The reference below is written from docs/semantics.md ("Extended query"), not from the engine:
// criteria on different fields must all hold; on one field a finding must match at least one
// EQUALS/PREFIX criterion (when there are any) and every NOT_EQUALS one; a finding lacking the
// field matches no EQUALS/PREFIX criterion and every NOT_EQUALS one. Counts: `all` counts every
// finding of a group, one count per severity, and fixAvailable/exploitAvailable count `YES`.

type Counts = {
  all: number
  critical: number
  high: number
  medium: number
  low: number
  informational: number
  untriaged: number
  fixAvailable: number
  exploitAvailable: number
}

const fieldValue = (f: Finding, field: string): string | undefined => {
  switch (field) {
    case 'accountId':
      return f.awsAccountId
    case 'imageBuildVersionArn':
      return f.imageBuildVersionArn
    case 'imagePipelineArn':
      return f.imagePipelineArn
    case 'vulnerabilityId':
      return f.vulnerabilityId
    case 'severity':
      return f.severity
    case 'fixAvailable':
      return f.fixAvailable
  }
  throw new Error(`no field ${field}`)
}

const matches = (c: Criterion, v: string | undefined): boolean =>
  c.comparison === 'EQUALS'
    ? v === c.value
    : c.comparison === 'PREFIX'
      ? v?.startsWith(c.value) === true
      : v !== c.value

const passesField = (cs: ReadonlyArray<Criterion>, v: string | undefined): boolean => {
  const positive = cs.filter((c) => c.comparison !== 'NOT_EQUALS')
  const negative = cs.filter((c) => c.comparison === 'NOT_EQUALS')
  return (
    (positive.length === 0 || positive.some((c) => matches(c, v))) && negative.every((c) => matches(c, v))
  )
}

const kept = (criteria: ReadonlyArray<Criterion>, f: Finding): boolean =>
  [...new Set(criteria.map((c) => c.field))].every((field) =>
    passesField(
      criteria.filter((c) => c.field === field),
      fieldValue(f, field),
    ),
  )

const zero = (): Counts => ({
  all: 0,
  critical: 0,
  high: 0,
  medium: 0,
  low: 0,
  informational: 0,
  untriaged: 0,
  fixAvailable: 0,
  exploitAvailable: 0,
})

const countOne = (c: Counts, f: Finding): void => {
  c.all++
  if (f.severity === 'CRITICAL') c.critical++
  if (f.severity === 'HIGH') c.high++
  if (f.severity === 'MEDIUM') c.medium++
  if (f.severity === 'LOW') c.low++
  if (f.severity === 'INFORMATIONAL') c.informational++
  if (f.severity === 'UNTRIAGED') c.untriaged++
  if (f.fixAvailable === 'YES') c.fixAvailable++
  if (f.exploitAvailable === 'YES') c.exploitAvailable++
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** The answer to a query over findings without duplicate ARNs, as the documentation states it. */
const reference = (findings: ReadonlyArray<Finding>, query: Query): ReadonlyArray<Group> => {
  const groups = new Map<string, Counts>()
  for (const f of findings) {
    const key = fieldValue(f, query.groupBy)
    if (key === undefined || !kept(query.filters ?? [], f)) continue
    const c = groups.get(key) ?? zero()
    countOne(c, f)
    groups.set(key, c)
  }
  const dir = query.sortOrder === 'DESC' ? -1 : 1
  const field =
    query.sortBy === 'CRITICAL'
      ? 'critical'
      : query.sortBy === 'HIGH'
        ? 'high'
        : query.sortBy === 'ALL'
          ? 'all'
          : undefined
  return [...groups]
    .map(([key, counts]) => ({ key, counts }))
    .sort((a, b) =>
      field === undefined
        ? dir * byKey(a.key, b.key)
        : dir * (a.counts[field] - b.counts[field]) || byKey(a.key, b.key),
    )
}

// The three ways the engine answers a query: the unpaged answer, every page of the paged one,
// and one streaming pass.
const fromIndex = (findings: ReadonlyArray<Finding>, query: Query) =>
  rightOf(allGroups(testEngine(findings), query))

const fromPages = (findings: ReadonlyArray<Finding>, query: Query) => {
  const answer = queryAggregations(testEngine(findings))
  const groups: Group[] = []
  let nextToken: string | undefined
  do {
    const page = rightOf(answer(nextToken === undefined ? query : { ...query, nextToken }))
    groups.push(...page.groups)
    nextToken = page.nextToken
  } while (nextToken !== undefined)
  return groups
}

const fromStream = (findings: ReadonlyArray<Finding>, query: Query) => {
  const acc = rightOf(accumulate(query))
  for (const f of findings) acc.add(f)
  return acc.result()
}

const answers = (findings: ReadonlyArray<Finding>, query: Query) => ({
  index: fromIndex(findings, query),
  pages: fromPages(findings, query),
  stream: fromStream(findings, query),
})

const same = (expected: ReadonlyArray<Group>) => ({ index: expected, pages: expected, stream: expected })

const keysOf = (findings: ReadonlyArray<Finding>, query: Query) => {
  const a = answers(findings, query)
  return {
    index: a.index.map((g) => g.key),
    pages: a.pages.map((g) => g.key),
    stream: a.stream.map((g) => g.key),
  }
}
const sameKeys = (keys: ReadonlyArray<string>) => ({ index: keys, pages: keys, stream: keys })

// -------------------------------------------------------------------------------------
// examples
// -------------------------------------------------------------------------------------

const acct = '111111111111'
const other = '222222222222'
const pipeline = (name: string) => `arn:aws:imagebuilder:us-east-1:${acct}:image-pipeline/${name}`
// Plain strings here: the engine validates nothing of these, and the brands would only add casts.
const finding = (
  vulnerabilityId: string | undefined,
  extra: Readonly<Record<string, string>> = {},
): Finding =>
  ({
    awsAccountId: acct,
    severity: 'HIGH',
    ...(vulnerabilityId === undefined ? {} : { vulnerabilityId }),
    ...extra,
  }) as unknown as Finding

const vulns = ['CVE-2024-1', 'CVE-2024-10', 'CVE-2023-5', 'GHSA-CVE-2024', 'cve-2024-1', 'X'].map((v) =>
  finding(v),
)

test('PREFIX keeps the values that start with the value, and only those (not a suffix or a substring)', (t) => {
  const q = (value: string): Query => ({
    groupBy: 'vulnerabilityId',
    filters: [{ field: 'vulnerabilityId', comparison: 'PREFIX', value }],
  })
  t.deepEqual(keysOf(vulns, q('CVE-2024')), sameKeys(['CVE-2024-1', 'CVE-2024-10']))
  t.deepEqual(keysOf(vulns, q('CVE')), sameKeys(['CVE-2023-5', 'CVE-2024-1', 'CVE-2024-10']))
  t.deepEqual(keysOf(vulns, q('2024')), sameKeys([]))
  t.deepEqual(keysOf(vulns, q('X')), sameKeys(['X']))
  // A prefix equal to the whole value matches it.
  t.deepEqual(keysOf(vulns, q('CVE-2024-1')), sameKeys(['CVE-2024-1', 'CVE-2024-10']))
})

test('EQUALS keeps exactly the equal value (case-sensitive, not a prefix)', (t) => {
  const q: Query = {
    groupBy: 'vulnerabilityId',
    filters: [{ field: 'vulnerabilityId', comparison: 'EQUALS', value: 'CVE-2024-1' }],
  }
  t.deepEqual(keysOf(vulns, q), sameKeys(['CVE-2024-1']))
})

test('NOT_EQUALS drops exactly the equal value and keeps every other', (t) => {
  const q: Query = {
    groupBy: 'vulnerabilityId',
    filters: [{ field: 'vulnerabilityId', comparison: 'NOT_EQUALS', value: 'CVE-2024-1' }],
  }
  t.deepEqual(keysOf(vulns, q), sameKeys(['CVE-2023-5', 'CVE-2024-10', 'GHSA-CVE-2024', 'X', 'cve-2024-1']))
})

test('several criteria on one field: any EQUALS/PREFIX, and every NOT_EQUALS', (t) => {
  const on = (...filters: Criterion[]): Query => ({ groupBy: 'vulnerabilityId', filters })
  const c = (comparison: Criterion['comparison'], value: string): Criterion => ({
    field: 'vulnerabilityId',
    comparison,
    value,
  })
  t.deepEqual(keysOf(vulns, on(c('EQUALS', 'X'), c('EQUALS', 'CVE-2023-5'))), sameKeys(['CVE-2023-5', 'X']))
  t.deepEqual(
    keysOf(vulns, on(c('PREFIX', 'CVE-2024'), c('EQUALS', 'X'))),
    sameKeys(['CVE-2024-1', 'CVE-2024-10', 'X']),
  )
  t.deepEqual(
    keysOf(vulns, on(c('PREFIX', 'CVE'), c('NOT_EQUALS', 'CVE-2024-1'), c('NOT_EQUALS', 'CVE-2023-5'))),
    sameKeys(['CVE-2024-10']),
  )
  t.deepEqual(
    keysOf(vulns, on(c('NOT_EQUALS', 'X'), c('NOT_EQUALS', 'cve-2024-1'))),
    sameKeys(['CVE-2023-5', 'CVE-2024-1', 'CVE-2024-10', 'GHSA-CVE-2024']),
  )
  // A value both asked for and excluded is excluded.
  t.deepEqual(keysOf(vulns, on(c('EQUALS', 'X'), c('NOT_EQUALS', 'X'))), sameKeys([]))
})

test('criteria on several fields must all hold', (t) => {
  const findings = [
    finding('CVE-1', { severity: 'CRITICAL', imagePipelineArn: pipeline('web') }),
    finding('CVE-2', { severity: 'HIGH', imagePipelineArn: pipeline('web') }),
    finding('CVE-3', { severity: 'CRITICAL', imagePipelineArn: pipeline('db') }),
    finding('CVE-4', {
      severity: 'CRITICAL',
      awsAccountId: other,
      imagePipelineArn: pipeline('web'),
    }),
    finding('CVE-5', { severity: 'CRITICAL', imagePipelineArn: pipeline('web'), fixAvailable: 'YES' }),
  ]
  const q: Query = {
    groupBy: 'vulnerabilityId',
    filters: [
      { field: 'severity', comparison: 'EQUALS', value: 'CRITICAL' },
      { field: 'imagePipelineArn', comparison: 'PREFIX', value: pipeline('w') },
      { field: 'accountId', comparison: 'NOT_EQUALS', value: other },
      { field: 'fixAvailable', comparison: 'NOT_EQUALS', value: 'YES' },
    ],
  }
  t.deepEqual(keysOf(findings, q), sameKeys(['CVE-1']))
})

test('a finding without the field matches no EQUALS or PREFIX criterion on it, and every NOT_EQUALS', (t) => {
  const findings = [
    finding('CVE-1', { imagePipelineArn: pipeline('web'), fixAvailable: 'NO' }),
    finding('CVE-2'),
    finding(undefined, { imagePipelineArn: pipeline('web') }),
  ]
  const q = (field: Criterion['field'], comparison: Criterion['comparison'], value: string): Query => ({
    groupBy: 'vulnerabilityId',
    filters: [{ field, comparison, value }],
  })
  t.deepEqual(keysOf(findings, q('imagePipelineArn', 'EQUALS', pipeline('web'))), sameKeys(['CVE-1']))
  t.deepEqual(keysOf(findings, q('imagePipelineArn', 'PREFIX', 'arn:')), sameKeys(['CVE-1']))
  t.deepEqual(keysOf(findings, q('imagePipelineArn', 'NOT_EQUALS', pipeline('web'))), sameKeys(['CVE-2']))
  t.deepEqual(
    keysOf(findings, q('imagePipelineArn', 'NOT_EQUALS', pipeline('db'))),
    sameKeys(['CVE-1', 'CVE-2']),
  )
  t.deepEqual(keysOf(findings, q('fixAvailable', 'EQUALS', 'NO')), sameKeys(['CVE-1']))
  t.deepEqual(keysOf(findings, q('fixAvailable', 'NOT_EQUALS', 'NO')), sameKeys(['CVE-2']))
  // The finding without a vulnerability id is in no vulnerability group, whatever the filter.
  t.deepEqual(keysOf(findings, { groupBy: 'vulnerabilityId' }), sameKeys(['CVE-1', 'CVE-2']))
  t.deepEqual(keysOf(findings, { groupBy: 'imagePipelineArn' }), sameKeys([pipeline('web')]))
})

test('empty results: no findings, or none passing, give no groups and no token', (t) => {
  const none: Query = {
    groupBy: 'accountId',
    filters: [{ field: 'vulnerabilityId', comparison: 'PREFIX', value: 'nothing' }],
  }
  t.deepEqual(answers(vulns, none), same([]))
  t.deepEqual(answers([], { groupBy: 'vulnerabilityId' }), same([]))
  t.deepEqual(answers([], none), same([]))
  const page = rightOf(queryAggregations(testEngine(vulns))(none))
  t.deepEqual(page.groups, [])
  t.false('nextToken' in page)
})

test('every count of a group, by severity, fix and exploit', (t) => {
  const sev = [
    'CRITICAL',
    'HIGH',
    'HIGH',
    'MEDIUM',
    'MEDIUM',
    'MEDIUM',
    'LOW',
    'INFORMATIONAL',
    'UNTRIAGED',
    'UNTRIAGED',
  ]
  const findings = sev.map((severity, i) =>
    finding(i < 5 ? 'CVE-A' : 'CVE-B', {
      severity,
      ...(i % 3 === 0 ? { fixAvailable: 'YES' } : i % 3 === 1 ? { fixAvailable: 'PARTIAL' } : {}),
      ...(i % 2 === 0 ? { exploitAvailable: 'YES' } : { exploitAvailable: 'NO' }),
    }),
  )
  const expected: ReadonlyArray<Group> = [
    {
      key: 'CVE-A',
      counts: {
        all: 5,
        critical: 1,
        high: 2,
        medium: 2,
        low: 0,
        informational: 0,
        untriaged: 0,
        fixAvailable: 2,
        exploitAvailable: 3,
      },
    },
    {
      key: 'CVE-B',
      counts: {
        all: 5,
        critical: 0,
        high: 0,
        medium: 1,
        low: 1,
        informational: 1,
        untriaged: 2,
        fixAvailable: 2,
        exploitAvailable: 2,
      },
    },
  ]
  t.deepEqual(answers(findings, { groupBy: 'vulnerabilityId' }), same(expected))
  // The reference agrees with the hand count.
  t.deepEqual(reference(findings, { groupBy: 'vulnerabilityId' }), expected)
  const high: Query = {
    groupBy: 'vulnerabilityId',
    filters: [{ field: 'severity', comparison: 'EQUALS', value: 'HIGH' }],
  }
  t.deepEqual(
    answers(findings, high),
    same([{ key: 'CVE-A', counts: { ...zero(), all: 2, high: 2, exploitAvailable: 1, fixAvailable: 0 } }]),
  )
})

// -------------------------------------------------------------------------------------
// properties
// -------------------------------------------------------------------------------------

// PREFIX criteria also get shortened values, so prefixes of what findings hold are common.
const criterionWithPrefixesArb: fc.Arbitrary<Criterion> = fc
  .tuple(criterionArb, fc.nat())
  .map(([c, n]) =>
    c.comparison === 'PREFIX' ? { ...c, value: c.value.slice(0, 1 + (n % c.value.length)) } : c,
  )

// Findings without ARNs, so no de-duplication takes part.
const findingsArb = fc.array(findingArb({ arns: false }), { maxLength: 60 })
const queriesArb = fc
  .tuple(queryArb, fc.array(criterionWithPrefixesArb, { maxLength: 5 }))
  .map(([q, filters]): Query => ({ ...q, filters }))

testProp(
  'one field: passes agrees with the documented rule',
  [fc.array(criterionWithPrefixesArb, { maxLength: 5 }), findingArb()],
  (t, cs, f) => {
    t.true(passes([], fieldValue(f, 'vulnerabilityId')))
    for (const field of new Set(cs.map((c) => c.field))) {
      const on = cs.filter((c) => c.field === field)
      t.is(passes(on, fieldValue(f, field)), passesField(on, fieldValue(f, field)))
      t.is(passes(on, undefined), passesField(on, undefined))
    }
  },
)

testProp(
  'the index, the pages and one streaming pass each give the documented answer',
  [findingsArb, queriesArb],
  (t, findings, query) => {
    t.deepEqual(answers(findings, query), same(reference(findings, query)))
  },
  { numRuns: 300 },
)

testProp(
  'a PREFIX criterion keeps exactly the groups whose key starts with it',
  [
    findingsArb,
    fc.constantFrom('vulnerabilityId', 'imagePipelineArn', 'imageBuildVersionArn', 'accountId' as const),
    fc.nat(30),
  ],
  (t, findings, groupBy, cut) => {
    const keys = [...new Set(findings.map((f) => fieldValue(f, groupBy)).filter((k) => k !== undefined))]
    fc.pre(keys.length > 0)
    const key = keys[cut % keys.length] as string
    const value = key.slice(0, 1 + (cut % key.length))
    const query: Query = { groupBy, filters: [{ field: groupBy, comparison: 'PREFIX', value }] }
    const expected = keys.filter((k) => k.startsWith(value)).sort(byKey)
    t.deepEqual(keysOf(findings, query), sameKeys(expected))
  },
)

testProp(
  'a NOT_EQUALS criterion on the grouped field drops exactly that group',
  [findingsArb, fc.constantFrom('vulnerabilityId', 'imagePipelineArn', 'accountId' as const), fc.nat()],
  (t, findings, groupBy, pick) => {
    const all = fromIndex(findings, { groupBy })
    fc.pre(all.length > 0)
    const dropped = (all[pick % all.length] as Group).key
    const query: Query = { groupBy, filters: [{ field: groupBy, comparison: 'NOT_EQUALS', value: dropped }] }
    t.deepEqual(answers(findings, query), same(all.filter((g) => g.key !== dropped)))
  },
)
