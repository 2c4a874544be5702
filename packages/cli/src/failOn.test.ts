import { readFileSync } from 'node:fs'
import test from 'ava'
import { exampleFile, scantally } from './test/command.js'

const example = exampleFile('imagebuilder-findings.json')
const findings = JSON.parse(readFileSync(example, 'utf8')).findings as ReadonlyArray<{
  readonly severity: string
  readonly packageVulnerabilityDetails: { readonly vulnerabilityId: string }
}>
const answer = (stdout: string) => ({ ...JSON.parse(stdout), requestId: undefined })

test('--fail-on exits 3 after printing the usual answer when a counted finding is at that severity or worse', async (t) => {
  const plain = await scantally(['aggregate', '--output', 'json', example])
  const gated = await scantally(['aggregate', '--output', 'json', '--fail-on', 'CRITICAL', example])
  t.is(plain.code, 0)
  t.is(gated.code, 3, gated.stderr)
  t.deepEqual(answer(gated.stdout), answer(plain.stdout))
  const critical = findings.filter((f) => f.severity === 'CRITICAL').length
  t.regex(
    gated.stderr,
    new RegExp(`--fail-on CRITICAL: ${critical} findings at CRITICAL in the answer \\(exit 3\\)`),
  )
})

test('--fail-on exits 0 when the answer has nothing that bad, and counts what is worse too', async (t) => {
  const medium = ['aggregate', '--output', 'csv', '--where', 'severity=EQUALS:MEDIUM', example]
  const high = await scantally([...medium, '--fail-on', 'high'])
  t.is(high.code, 0, high.stderr)
  t.regex(high.stdout, /^111122223333,/m)
  const low = await scantally([...medium, '--fail-on', 'LOW'])
  t.is(low.code, 3, low.stderr)
  const count = findings.filter((f) => f.severity === 'MEDIUM').length
  t.regex(low.stderr, new RegExp(`--fail-on LOW: ${count} findings at LOW or worse`))
})

test('--fail-on with a value that is not a severity is wrong usage', async (t) => {
  const r = await scantally(['aggregate', '--fail-on', 'SEVERE', example])
  t.is(r.code, 2)
  t.is(r.stdout, '')
  t.regex(r.stderr, /--fail-on must be one of CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNTRIAGED/)
})
