import test from 'ava'
import { exampleFile, scantally } from './test/command.js'

const example = exampleFile('imagebuilder-findings.json')

// One row per option of every command: a bad value, the exit code, and what the one line on
// stderr must say (the option's name and what it accepts). Usage is 2; a file an option names
// that cannot be read is an input error, 1, naming the option too.
type Row = readonly [command: string, args: ReadonlyArray<string>, code: number, says: RegExp]
const rows: ReadonlyArray<Row> = [
  ['aggregate', ['--filter', 'x'], 2, /--filter must be name=NAME,values=V1,V2/],
  ['aggregate', ['--filter', 'file:///no/such/filter.json'], 2, /--filter file .* cannot be read/],
  ['aggregate', ['--no-paginate=yes'], 2, /--no-paginate takes no value/],
  ['aggregate', ['--max-items', '0'], 2, /--max-items must be a whole number from 1 /],
  ['aggregate', ['--starting-token', 'nope'], 1, /--starting-token: nextToken is malformed/],
  ['aggregate', ['--page-size', '1001'], 2, /--page-size must be a whole number from 1 to 1000, got "1001"/],
  [
    'aggregate',
    ['--group-by', 'pipeline'],
    2,
    /--group-by must be accountId, .* or vulnerabilityId, got "pipeline"/,
  ],
  ['aggregate', ['--where', 'severity'], 2, /--where must be FIELD=OP:VALUE/],
  [
    'aggregate',
    ['--where', 'sev=EQUALS:HIGH'],
    2,
    /--where FIELD must be accountId, .*fixAvailable, got "sev"/,
  ],
  ['aggregate', ['--where', 'severity=IS:HIGH'], 2, /--where OP must be EQUALS, PREFIX or NOT_EQUALS/],
  [
    'aggregate',
    ['--where', 'severity=EQUALS:high'],
    2,
    /--where severity VALUE must be CRITICAL, .* or UNTRIAGED/,
  ],
  [
    'aggregate',
    ['--where', 'fixAvailable=EQUALS:maybe'],
    2,
    /--where fixAvailable VALUE must be YES, NO or PARTIAL/,
  ],
  ['aggregate', ['--sort-by', 'LOW'], 2, /--sort-by must be KEY, CRITICAL, HIGH or ALL, got "LOW"/],
  ['aggregate', ['--sort-order', 'down'], 2, /--sort-order must be ASC or DESC/],
  ['aggregate', ['--max-results', 'ten'], 2, /--max-results must be a whole number from 1 to 1000/],
  ['aggregate', ['--status', 'OPEN'], 2, /--status must be ACTIVE, SUPPRESSED, CLOSED/],
  ['aggregate', ['--include-unlinked=1'], 2, /--include-unlinked takes no value/],
  [
    'aggregate',
    ['--pipeline-map', '/no/such/map.json'],
    1,
    /--pipeline-map \/no\/such\/map\.json: cannot be read/,
  ],
  [
    'aggregate',
    ['--resolve-pipelines', '--pipeline-map', 'm.json'],
    2,
    /--resolve-pipelines and --pipeline-map exclude each other/,
  ],
  ['aggregate', ['--on-invalid', 'ignore'], 2, /--on-invalid must be strict or skip/],
  ['aggregate', ['--workers', '0'], 2, /--workers must be a whole number from 1 to 64/],
  ['aggregate', [example, '--include'], 2, /--include needs a value/],
  ['aggregate', ['--output', 'yaml'], 2, /--output must be json, table, markdown or csv, got "yaml"/],
  [
    'aggregate',
    ['--output', 'report.json'],
    2,
    /--output takes a format .*not a file: "report\.json"; .*-o json > report\.json/,
  ],
  ['aggregate', ['-o', 'out/report.csv'], 2, /--output takes a format .*-o csv > out\/report\.csv/],
  ['aggregate', ['--columns', 'some'], 2, /--columns must be aws or all/],
  ['aggregate', ['--token-key', 'abc'], 2, /--token-key: key #1: token key must have at least 32 bytes/],
  ['aggregate', ['--quiet=no'], 2, /--quiet takes no value/],
  ['aggregate', ['--fail-on', 'SEVERE'], 2, /--fail-on must be one of CRITICAL, HIGH/],
  ['aggregate', ['--help=1'], 2, /--help takes no value/],
  ['aggregate', ['--nope'], 2, /unknown option --nope/],
  ['serve', ['--host', 'not an address'], 2, /--host .*not an address/],
  ['serve', ['--port', '70000'], 2, /--port must be a whole number from 0 to 65535/],
  [
    'serve',
    ['--credentials', '/no/such/creds.json'],
    1,
    /--credentials \/no\/such\/creds\.json: cannot be read/,
  ],
  ['serve', ['--rate', '-1'], 2, /--rate needs a value; a value starting with - is written --rate=VALUE/],
  ['serve', ['--rate=0'], 2, /--rate must be a positive number of requests per second/],
  ['serve', ['--page-size', '0'], 2, /--page-size must be a whole number from 1 to 1000/],
  ['serve', ['--token-key', 'short'], 2, /--token-key: key #1/],
  ['serve', ['--token-key-file', '/no/such/keys'], 1, /--token-key-file \/no\/such\/keys: cannot be read/],
  ['serve', [example, '--access-log'], 2, /--access-log needs a value/],
  ['serve', ['--status', 'ALL,NONE'], 2, /--status must be/],
  ['serve', ['--include-unlinked=x'], 2, /--include-unlinked takes no value/],
  [
    'serve',
    ['--pipeline-map', '/no/such/map.json'],
    1,
    /--pipeline-map \/no\/such\/map\.json: cannot be read/,
  ],
  ['serve', ['--resolve-pipelines=1'], 2, /--resolve-pipelines takes no value/],
  ['serve', ['--on-invalid', 'loose'], 2, /--on-invalid must be strict or skip/],
  ['serve', ['--workers', 'many'], 2, /--workers must be a whole number/],
  ['serve', [example, '--include'], 2, /--include needs a value/],
  ['serve', ['--help=yes'], 2, /--help takes no value/],
  ['pipeline-map', ['--region'], 2, /--region needs a value/],
  ['pipeline-map', ['--quiet=1'], 2, /--quiet takes no value/],
  ['pipeline-map', ['--help=1'], 2, /--help takes no value/],
  ['pipeline-map', ['exports/'], 2, /takes no inputs, got "exports\/"/],
]

const flagsOf = (args: ReadonlyArray<string>) =>
  args.flatMap((a) => /^(--[a-z-]+)/.exec(a)?.[1] ?? (a === '-o' ? ['--output'] : []))

test('every option of every command has a row in the usage table', async (t) => {
  for (const command of ['aggregate', 'serve', 'pipeline-map']) {
    const help = await scantally([command, '--help'])
    t.is(help.code, 0)
    // The options are on the usage line and the lines that start with one (not the examples).
    const optionLines = help.stdout.split('\n').filter((l) => /^(Usage:|\s+-)/.test(l))
    const documented = new Set(optionLines.join('\n').match(/--[a-z][a-z-]+/g))
    t.true(documented.size > (command === 'pipeline-map' ? 1 : 10), command)
    const covered = new Set(rows.filter((r) => r[0] === command).flatMap((r) => flagsOf(r[1])))
    t.deepEqual([...documented].filter((f) => !covered.has(f)).sort(), [], command)
  }
})

for (const [command, args, code, says] of rows) {
  test(`${command} ${args.join(' ')} exits ${code} with one line naming the option`, async (t) => {
    // The input comes last unless the row places it (an option missing its value must come last).
    const r = await scantally([
      command,
      ...args,
      ...(args.includes(example) || command === 'pipeline-map' ? [] : [example]),
    ])
    t.is(r.code, code, r.stderr)
    t.is(r.stdout, '')
    t.regex(r.stderr, says)
    t.is(r.stderr.split('\n').filter((l) => l !== '').length, 1, r.stderr)
  })
}

test('an input taken as the value of the option before it is said as such', async (t) => {
  const r = await scantally(['aggregate', '--filter', example])
  t.is(r.code, 2)
  t.is(
    r.stderr,
    `scantally aggregate: no input: ${JSON.stringify(example)} was taken as the value of --filter; give export files, directories, or - for standard input after the options (see scantally aggregate --help)\n`,
  )
  const serve = await scantally(['serve', '--port', '0', '--token-key', example])
  t.is(serve.code, 2)
  t.regex(serve.stderr, /was taken as the value of --token-key/)
})
