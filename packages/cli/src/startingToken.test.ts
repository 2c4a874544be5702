import test from 'ava'
import { exampleFile, scantally } from './test/command.js'

const example = exampleFile('imagebuilder-findings.json')
const env = { SCANTALLY_TOKEN_KEYS: `k1:${'ef'.repeat(32)}` }

// A token from one page of the extended query grouped by vulnerability, two groups a page.
const firstToken = async (): Promise<string> => {
  const r = await scantally(
    [
      'aggregate',
      '-o',
      'json',
      '--group-by',
      'vulnerabilityId',
      '--max-results',
      '2',
      '--no-paginate',
      example,
    ],
    '',
    env,
  )
  return JSON.parse(r.stdout).nextToken as string
}

const refused = (part: string) =>
  `InvalidPaginationTokenException: --starting-token: nextToken was issued for a different request or caller: ${part} differs; start again without it\n`

test('a token refused by --starting-token names the flag and the part of the request that differs', async (t) => {
  const token = await firstToken()
  t.regex(token, /^v1\./)
  const base = ['aggregate', '-o', 'json', '--no-paginate', '--starting-token', token]
  const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
    [['--group-by', 'vulnerabilityId', '--max-results', '2'], 'ok'],
    [['--group-by', 'vulnerabilityId', '--max-results', '3'], 'the page size (maxResults)'],
    [['--group-by', 'accountId', '--max-results', '2'], 'the grouping (groupBy)'],
    [
      ['--group-by', 'vulnerabilityId', '--max-results', '2', '--where', 'severity=EQUALS:HIGH'],
      'the filter',
    ],
    [
      ['--group-by', 'vulnerabilityId', '--max-results', '2', '--sort-by', 'ALL'],
      'the sort (sortBy, sortOrder)',
    ],
    [['--page-size', '2'], 'the operation'],
  ]
  for (const [args, part] of cases) {
    const r = await scantally([...base, ...args, example], '', env)
    if (part === 'ok') {
      t.is(r.code, 0, r.stderr)
      t.is(JSON.parse(r.stdout).groups.length, 2)
      continue
    }
    t.is(r.code, 1, args.join(' '))
    t.is(r.stdout, '')
    t.is(r.stderr, refused(part), args.join(' '))
  }
})

test('a malformed, altered or foreign-key token names --starting-token too', async (t) => {
  const token = await firstToken()
  const args = ['aggregate', '-o', 'json', '--group-by', 'vulnerabilityId', '--max-results', '2']
  const malformed = await scantally([...args, '--starting-token', 'not-a-token', example], '', env)
  t.is(malformed.code, 1)
  t.is(
    malformed.stderr,
    'InvalidPaginationTokenException: --starting-token: nextToken is malformed: not a token this service issued\n',
  )
  const otherKey = await scantally([...args, '--starting-token', token, example], '', {
    SCANTALLY_TOKEN_KEYS: `k1:${'01'.repeat(32)}`,
  })
  t.is(otherKey.code, 1)
  t.is(
    otherKey.stderr,
    'InvalidPaginationTokenException: --starting-token: nextToken signature does not verify: the token was altered\n',
  )
})
