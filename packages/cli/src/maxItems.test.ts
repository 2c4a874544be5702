import test from 'ava'
import { exampleFile, scantally } from './test/command.js'

const example = exampleFile('imagebuilder-findings.json')
const env = { SCANTALLY_TOKEN_KEYS: `k1:${'cd'.repeat(32)}` }

interface Answer {
  readonly responses: ReadonlyArray<{
    readonly vulnerabilityAggregation: { readonly vulnerabilityId: string }
  }>
  readonly NextToken?: string
  readonly nextToken?: string
}

test('--max-items caps the total and its NextToken goes on with --starting-token, like the AWS CLI', async (t) => {
  const args = [
    'aggregate',
    '--output',
    'json',
    '--filter',
    'name=vulnerabilityId,values=CVE-2024-1000,CVE-2024-1274,CVE-2024-1548,CVE-2024-2781,CVE-2024-2096',
  ]
  const whole = await scantally([...args, example], '', env)
  t.is(whole.code, 0, whole.stderr)
  const all = (JSON.parse(whole.stdout) as Answer).responses
  t.is(all.length, 5)

  // Two at a time, with a page size of 1 (pages are followed within the cap).
  const seen: Array<unknown> = []
  let token: string | undefined
  for (let round = 0; round < 3; round++) {
    const r = await scantally(
      [
        ...args,
        '--max-items',
        '2',
        '--page-size',
        '1',
        ...(token ? ['--starting-token', token] : []),
        example,
      ],
      '',
      env,
    )
    t.is(r.code, 0, r.stderr)
    const answer = JSON.parse(r.stdout) as Answer
    t.true(answer.responses.length <= 2)
    t.is(answer.nextToken, undefined)
    seen.push(...answer.responses)
    token = answer.NextToken
    if (round < 2) t.is(typeof token, 'string')
  }
  t.is(token, undefined)
  t.deepEqual(seen, all)
})

test("--max-items after a table prints NextToken on stderr and names the total as the page's", async (t) => {
  const r = await scantally(['aggregate', '--output', 'table', '--max-items', '1', example], '', env)
  t.is(r.code, 0, r.stderr)
  // Header, rule, one row, rule, total, and the footnote on the severities not shown.
  t.is(r.stdout.trim().split('\n').length, 6)
  t.regex(r.stdout, /^PAGE TOTAL \(1 group\)/m)
  t.regex(r.stderr, /^NextToken: v1\.\S+$/m)
})

test('--no-paginate after a table or CSV prints nextToken on stderr', async (t) => {
  for (const output of ['table', 'csv']) {
    const r = await scantally(
      ['aggregate', '--output', output, '--no-paginate', '--page-size', '1', example],
      '',
      env,
    )
    t.is(r.code, 0, r.stderr)
    t.regex(r.stderr, /^nextToken: v1\.\S+$/m)
    t.notRegex(r.stdout, /v1\./)
  }
})

test('--max-items must be a positive whole number; --help says what --max-results is', async (t) => {
  for (const bad of ['0', '1.5', 'ten']) {
    const r = await scantally(['aggregate', '--max-items', bad, example])
    t.is(r.code, 2)
    t.regex(r.stderr, /--max-items must be a whole number/)
  }
  const help = await scantally(['aggregate', '--help'])
  t.regex(help.stdout, /--max-results N +the extended query's page size/)
  t.regex(help.stdout, /--max-items N +print at most N groups in all/)
})
