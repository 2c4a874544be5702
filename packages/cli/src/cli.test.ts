import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  buildIndex,
  type Finding,
  fromImageScanFinding,
  generateTokenKey,
  listImageScanFindingAggregations,
  makeEngine,
} from '@scantally/core'
import test from 'ava'

const bin = fileURLToPath(new URL('../bin/scantally.js', import.meta.url))
const example = fileURLToPath(new URL('../../../examples/imagebuilder-findings.json', import.meta.url))
const key = `k1:${'ab'.repeat(32)}`

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const run = (args: ReadonlyArray<string>, input?: string): Promise<Run> =>
  new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    )
    child.stdin?.end(input ?? '')
  })

// What the core answers for the same example, through the library and its own pagination.
const direct = (request: object) => {
  const raw = JSON.parse(readFileSync(example, 'utf8')).findings as unknown[]
  const findings = raw.flatMap((r) => {
    const c = fromImageScanFinding(r)
    return c._tag === 'Right' && c.right._tag === 'Counted' ? [c.right.finding as Finding] : []
  })
  const index = buildIndex(findings)
  if (index._tag === 'Left') throw new Error(index.left.message)
  const ask = listImageScanFindingAggregations(
    makeEngine(index.right, { keys: [generateTokenKey()], pageSize: 1000 }),
  )
  const r = ask(request)
  if (r._tag === 'Left') throw new Error(r.left.message)
  return r.right
}

const pipeline = 'arn:aws:imagebuilder:us-east-1:111122223333:image-pipeline/web-server'

// The library's counts for the one pipeline the table and csv tests print.
const pipelineCounts = () => {
  const entry = direct({ filter: { name: 'imagePipelineArn', values: [pipeline] } }).responses[0] as {
    imagePipelineAggregation: {
      severityCounts: { all: number; critical: number; high: number; medium: number }
    }
  }
  return entry.imagePipelineAggregation.severityCounts
}

test('json output is exactly the AWS response, equal to the library answer', async (t) => {
  const r = await run(['aggregate', '--output', 'json', example])
  t.is(r.code, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  const expected = direct({})
  t.is(typeof out.requestId, 'string')
  t.deepEqual({ ...out, requestId: '' }, { ...expected, requestId: '' })
  t.false('nextToken' in out)
  t.regex(r.stderr, /findings: 148 read, 148 counted, 0 excluded/)
})

test('json is the default output when stdout is not a terminal', async (t) => {
  const r = await run(['aggregate', example])
  t.is(r.code, 0, r.stderr)
  t.is(JSON.parse(r.stdout).aggregationType, 'accountId')
})

test('the shorthand and JSON filter forms give the same answer', async (t) => {
  const other = 'arn:aws:imagebuilder:us-east-1:444455556666:image-pipeline/database'
  const shorthand = await run([
    'aggregate',
    '--output',
    'json',
    '--filter',
    `name=imagePipelineArn,values=${pipeline},${other}`,
    example,
  ])
  const json = await run([
    'aggregate',
    '--output',
    'json',
    '--filter',
    JSON.stringify({ name: 'imagePipelineArn', values: [pipeline, other] }),
    example,
  ])
  t.is(shorthand.code, 0, shorthand.stderr)
  t.is(json.code, 0, json.stderr)
  const a = JSON.parse(shorthand.stdout)
  const b = JSON.parse(json.stdout)
  t.deepEqual(a.responses, b.responses)
  t.deepEqual(
    a.responses,
    direct({ filter: { name: 'imagePipelineArn', values: [pipeline, other] } }).responses,
  )
  t.is(a.responses.length, 2)
})

test('table output has a header, one row per group and totals', async (t) => {
  const r = await run([
    'aggregate',
    '--output',
    'table',
    '--filter',
    `name=imagePipelineArn,values=${pipeline}`,
    example,
  ])
  t.is(r.code, 0, r.stderr)
  const lines = r.stdout.trimEnd().split('\n')
  t.regex(lines[0] as string, /^imagePipelineArn\s+ALL\s+CRITICAL\s+HIGH\s+MEDIUM$/)
  const s = pipelineCounts()
  const counts = `${s.all}\\s+${s.critical}\\s+${s.high}\\s+${s.medium}$`
  t.regex(lines[2] as string, new RegExp(`^${pipeline}\\s+${counts}`))
  t.regex(lines[4] as string, new RegExp(`^TOTAL \\(1 group\\)\\s+${counts}`))
})

test('csv output holds the same counts as json', async (t) => {
  const csv = await run([
    'aggregate',
    '--output',
    'csv',
    '--filter',
    `name=imagePipelineArn,values=${pipeline}`,
    example,
  ])
  t.is(csv.code, 0, csv.stderr)
  const [header, row] = csv.stdout.split('\r\n')
  t.is(header, 'imagePipelineArn,all,critical,high,medium')
  const s = pipelineCounts()
  t.is(row, [pipeline, s.all, s.critical, s.high, s.medium].join(','))
})

test('--no-paginate pages joined with --starting-token give the same union as the default', async (t) => {
  const args = ['aggregate', '--output', 'json', '--page-size', '2', '--token-key', key, '--filter']
  const filter =
    'name=vulnerabilityId,values=CVE-2024-1000,CVE-2024-1137,CVE-2024-1274,CVE-2024-1411,CVE-2024-1548'
  const whole = JSON.parse((await run([...args, filter, example])).stdout)
  const responses: unknown[] = []
  let token: string | undefined
  let pages = 0
  do {
    const r = await run([
      ...args,
      filter,
      '--no-paginate',
      ...(token ? ['--starting-token', token] : []),
      example,
    ])
    t.is(r.code, 0, r.stderr)
    const page = JSON.parse(r.stdout)
    t.true(page.responses.length <= 2)
    responses.push(...page.responses)
    token = page.nextToken
    pages++
  } while (token !== undefined && pages < 10)
  t.is(pages, 3)
  t.deepEqual(responses, whole.responses)
  t.is(whole.responses.length, 5)
})

test('a token from another filter is refused with exit 1 and nothing on stdout', async (t) => {
  const first = await run([
    'aggregate',
    '--output',
    'json',
    '--page-size',
    '1',
    '--token-key',
    key,
    '--no-paginate',
    example,
  ])
  const token = JSON.parse(first.stdout).nextToken
  t.truthy(token)
  const r = await run([
    'aggregate',
    '--output',
    'json',
    '--page-size',
    '1',
    '--token-key',
    key,
    '--filter',
    'name=accountId,values=111122223333',
    '--starting-token',
    token,
    example,
  ])
  t.is(r.code, 1)
  t.is(r.stdout, '')
  t.is(
    r.stderr,
    'InvalidPaginationTokenException: --starting-token: nextToken was issued for a different request or caller: the filter differs; start again without it\n',
  )
})

test('an invalid request exits 1 naming the rule; wrong usage exits 2', async (t) => {
  const bad = await run(['aggregate', '--filter', 'name=pipeline,values=x', example])
  t.is(bad.code, 1)
  t.regex(bad.stderr, /^InvalidRequestException: filter\.name must be one of accountId/)
  const eleven = await run([
    'aggregate',
    '--filter',
    'name=vulnerabilityId,values=1,2,3,4,5,6,7,8,9,10,11',
    example,
  ])
  t.is(eleven.code, 1)
  t.regex(eleven.stderr, /^InvalidRequestException: filter\.values must hold 1 to 10 items, got 11/)
  t.is(bad.stdout, '')
  const unknown = await run(['aggregate', '--frobnicate', example])
  t.is(unknown.code, 2)
  t.regex(unknown.stderr, /unknown option --frobnicate/)
  const none = await run(['aggregate'])
  t.is(none.code, 2)
  t.regex(none.stderr, /no input/)
  const help = await run(['aggregate', '--help'])
  t.is(help.code, 0)
  t.regex(help.stdout, /Examples:/)
})

test('a malformed file exits 1 with the file and byte offset on stderr and nothing on stdout', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-cli-'))
  const file = join(dir, 'broken.json')
  await writeFile(
    file,
    '{"findings":[{"awsAccountId":"111122223333","severity":"HIGH"},{"awsAccountId": tru}]}',
  )
  const r = await run(['aggregate', '--output', 'json', file])
  t.is(r.code, 1)
  t.is(r.stdout, '')
  t.true(r.stderr.includes(file))
  t.regex(r.stderr, /byte \d+/)
})

test('standard input is read with -', async (t) => {
  const r = await run(['aggregate', '--output', 'json', '-'], readFileSync(example, 'utf8'))
  t.is(r.code, 0, r.stderr)
  t.deepEqual(JSON.parse(r.stdout).responses, direct({}).responses)
})

test('the extended query sorts, filters and prints extended counts', async (t) => {
  const r = await run([
    'aggregate',
    '--output',
    'json',
    '--group-by',
    'vulnerabilityId',
    '--sort-by',
    'CRITICAL',
    '--sort-order',
    'DESC',
    '--where',
    'accountId=EQUALS:111122223333',
    '--max-results',
    '3',
    example,
  ])
  t.is(r.code, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  t.is(out.groupBy, 'vulnerabilityId')
  const criticals = out.groups.map((g: { counts: { critical: number } }) => g.counts.critical)
  t.deepEqual(
    criticals,
    [...criticals].sort((a: number, b: number) => b - a),
  )
  t.true(out.groups.length > 3)
  for (const g of out.groups)
    t.is(
      g.counts.all,
      g.counts.critical +
        g.counts.high +
        g.counts.medium +
        g.counts.low +
        g.counts.informational +
        g.counts.untriaged,
    )
})

// An NDJSON export past the size from which files are read on several threads: the Inspector
// example's records again and again, each copy with its own ARNs, one duplicate per copy.
const largeExport = async (): Promise<string> => {
  const records = JSON.parse(
    readFileSync(
      fileURLToPath(new URL('../../../examples/inspector-findings.json', import.meta.url)),
      'utf8',
    ),
  ).findings as Array<{ findingArn: string; status: string }>
  const duplicated = records.findIndex((r) => r.status === 'ACTIVE')
  const lines: Array<string> = []
  let bytes = 0
  for (let copy = 0; bytes < 40 * 1024 * 1024; copy++)
    for (const [i, r] of records.entries()) {
      const arn = i === duplicated && copy > 0 ? r.findingArn : `${r.findingArn}-${copy}`
      const line = JSON.stringify({ ...r, findingArn: arn })
      lines.push(line)
      bytes += line.length + 1
    }
  const path = join(await mkdtemp(join(tmpdir(), 'scantally-cli-')), 'large.ndjson')
  await writeFile(path, `${lines.join('\n')}\n`)
  return path
}

test('a large file read on several threads gives the one-pass answer and summary', async (t) => {
  const path = await largeExport()
  const args = ['--output', 'json', '--group-by', 'imageBuildVersionArn', '--include-unlinked', path]
  const [one, split] = await Promise.all([
    run(['aggregate', '--workers', '1', ...args]),
    run(['aggregate', '--workers', '3', ...args]),
  ])
  t.is(one.code, 0, one.stderr)
  t.is(split.code, 0, split.stderr)
  const answer = (r: Run) => ({ ...JSON.parse(r.stdout), requestId: undefined })
  t.deepEqual(answer(split), answer(one))
  // The summary's counts (its time aside) are the same too, duplicates across the cuts included.
  const counts = (r: Run) => r.stderr.replace(/ in [\d.]+ m?s/, '')
  t.is(counts(split), counts(one))
  t.regex(one.stderr, /duplicate [1-9]/)
})

test('--workers must be a whole number of threads', async (t) => {
  for (const bad of ['0', '1.5', 'many']) {
    const r = await run(['aggregate', '--workers', bad, example])
    t.is(r.code, 2)
    t.regex(r.stderr, /--workers must be a whole number/)
  }
})
