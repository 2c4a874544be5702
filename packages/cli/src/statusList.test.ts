// `--status` as a comma-separated list, from the command as a child process: the counts are those
// of the example's findings of the statuses named, counted here from the file itself.
import { readFileSync } from 'node:fs'
import test from 'ava'
import { exampleFile, type Run, scantally } from './test/command.js'

const example = exampleFile('inspector-findings.json')
const findings = JSON.parse(readFileSync(example, 'utf8')).findings as ReadonlyArray<{
  readonly status: string
}>
const having = (...statuses: ReadonlyArray<string>) =>
  findings.filter((f) => statuses.includes(f.status)).length

// The findings an AWS answer counts: its groups' `all` counts added up.
const counted = (r: Run): number =>
  (
    JSON.parse(r.stdout) as {
      readonly responses: ReadonlyArray<{
        readonly accountAggregation: { readonly severityCounts: { readonly all: number } }
      }>
    }
  ).responses.reduce((n, g) => n + g.accountAggregation.severityCounts.all, 0)

const aggregate = (...args: ReadonlyArray<string>): Promise<Run> =>
  scantally(['aggregate', '-o', 'json', '--quiet', '--include-unlinked', ...args, example])

test('the example holds findings of every status', (t) => {
  t.true(having('ACTIVE') > 0 && having('SUPPRESSED') > 0 && having('CLOSED') > 0)
})

test('--status SUPPRESSED,CLOSED counts the findings of both statuses and no others', async (t) => {
  const r = await aggregate('--status', 'SUPPRESSED,CLOSED')
  t.is(r.code, 0, r.stderr)
  t.is(counted(r), having('SUPPRESSED', 'CLOSED'))
  const spaced = await aggregate('--status', 'CLOSED, ACTIVE')
  t.is(spaced.code, 0, spaced.stderr)
  t.is(counted(spaced), having('CLOSED', 'ACTIVE'))
})

test('ACTIVE stays the default and ALL counts every status', async (t) => {
  const active = await aggregate()
  t.is(active.code, 0, active.stderr)
  t.is(counted(active), having('ACTIVE'))
  const all = await aggregate('--status', 'ALL')
  t.is(all.code, 0, all.stderr)
  t.is(counted(all), findings.length)
})

test('an unknown status in the list is a usage error quoting the option', async (t) => {
  for (const bad of ['SUPPRESSED,OPEN', 'ACTIVE,', '']) {
    const r = await aggregate('--status', bad)
    t.is(r.code, 2, bad)
    t.is(r.stdout, '')
    t.true(
      r.stderr.includes(
        `--status must be ACTIVE, SUPPRESSED, CLOSED, a comma-separated list of them, or ALL, got ${JSON.stringify(bad)}`,
      ),
      r.stderr,
    )
  }
})
