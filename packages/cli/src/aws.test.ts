import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import {
  ImagebuilderClient,
  ListImageScanFindingAggregationsCommand,
  ListImageScanFindingsCommand,
} from '@aws-sdk/client-imagebuilder'
import { startS3Server } from '@scantally/source-s3/testing'
import test from 'ava'
import { type Fault, type StandIn, standInEnv, startStandIn } from './test/AwsStandIn.js'
import { serve } from './test/served.js'

// The command as a user runs it against their AWS account: a child process whose environment
// holds only AWS_* variables, pointing the real SDK at stand-ins on 127.0.0.1.

const bin = fileURLToPath(new URL('../bin/scantally.js', import.meta.url))
const dir = mkdtemp(join(tmpdir(), 'scantally-aws-'))

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const awsEnv = async (endpoint: string, extra: Record<string, string> = {}) =>
  standInEnv(endpoint, await dir, extra)

const run = (args: ReadonlyArray<string>, env: Record<string, string>): Promise<Run> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })

// Generated findings: two accounts, every status, four image builds (three from pipelines), some
// unlinked, and a few vulnerabilities; deterministic.
const accounts = ['111111111111', '222222222222']
const builds = [
  'arn:aws:imagebuilder:us-east-1:111111111111:image/web/1.0.0/1',
  'arn:aws:imagebuilder:us-east-1:111111111111:image/web/1.0.1/1',
  'arn:aws:imagebuilder:us-east-1:222222222222:image/db/2.0.0/3',
  'arn:aws:imagebuilder:us-east-1:222222222222:image/adhoc/1.0.0/1',
]
const pipelines: Record<string, string> = {
  [builds[0] as string]: 'arn:aws:imagebuilder:us-east-1:111111111111:image-pipeline/web',
  [builds[1] as string]: 'arn:aws:imagebuilder:us-east-1:111111111111:image-pipeline/web',
  [builds[2] as string]: 'arn:aws:imagebuilder:us-east-1:222222222222:image-pipeline/db',
}
const severities = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNTRIAGED']
const statuses = ['ACTIVE', 'ACTIVE', 'ACTIVE', 'SUPPRESSED', 'CLOSED']
const findingAt = (i: number): Record<string, unknown> => {
  const r = (i * 2654435761) >>> 0
  const build = r % 7 === 0 ? undefined : builds[r % builds.length]
  return {
    findingArn: `arn:aws:inspector2:us-east-1:${accounts[i % 2]}:finding/${i.toString(16).padStart(8, '0')}`,
    awsAccountId: accounts[i % 2],
    type: 'PACKAGE_VULNERABILITY',
    severity: severities[(r >>> 3) % severities.length],
    status: statuses[(r >>> 7) % statuses.length],
    firstObservedAt: 1725469184.356,
    resources: [
      {
        type: 'AWS_EC2_INSTANCE',
        id: `i-${i}`,
        ...(build === undefined ? {} : { tags: { Ec2ImageBuilderArn: build } }),
      },
    ],
    packageVulnerabilityDetails: { vulnerabilityId: `CVE-2024-${(r >>> 11) % 9}`, source: 'NVD' },
    fixAvailable: (r >>> 5) % 2 === 0 ? 'YES' : 'NO',
    exploitAvailable: 'NO',
  }
}
const all = Array.from({ length: 260 }, (_, i) => findingAt(i))
// Inspector holds the first 200; the local export the last 110, 50 of them also in Inspector.
const live = all.slice(0, 200)
const local = all.slice(150)

const file = async (name: string, findings: ReadonlyArray<unknown>) => {
  const path = join(await dir, name)
  await writeFile(path, JSON.stringify({ findings }))
  return path
}

// The JSON answer without its request id (a fresh one each run).
const answer = (r: Run) => {
  const { requestId: _, ...rest } = JSON.parse(r.stdout) as { requestId: string }
  return rest
}

const withStandIn = async <A>(
  options: Parameters<typeof startStandIn>[0],
  f: (s: StandIn) => Promise<A>,
): Promise<A> => {
  const s = await startStandIn(options)
  try {
    return await f(s)
  } finally {
    await s.close()
  }
}

test('inspector: mixed with a local export gives the answer of the same findings read from files', async (t) => {
  const localPath = await file('local.json', local)
  const livePath = await file('live.json', live)
  const allPath = await file('all.json', all)
  await withStandIn({ findings: live }, async (s) => {
    const env = await awsEnv(s.endpoint)
    for (const args of [
      ['--include-unlinked'],
      ['--group-by', 'vulnerabilityId', '--sort-by', 'CRITICAL', '--sort-order', 'DESC'],
      ['--status', 'ALL', '--include-unlinked', '--group-by', 'imageBuildVersionArn'],
    ]) {
      const mixed = await run(['aggregate', '--output', 'json', ...args, 'inspector:', localPath], env)
      t.is(mixed.code, 0, mixed.stderr)
      const files = await run(['aggregate', '--output', 'json', ...args, livePath, localPath], env)
      t.is(files.code, 0, files.stderr)
      t.deepEqual(answer(mixed), answer(files))
      const once = await run(['aggregate', '--output', 'json', ...args, allPath], env)
      t.deepEqual(answer(mixed), answer(once))
    }
    // Counted independently: distinct ACTIVE findings, by account.
    const r = await run(['aggregate', '--output', 'json', '--include-unlinked', 'inspector:', localPath], env)
    const byAccount = Object.fromEntries(
      (
        answer(r) as {
          responses: Array<{ accountAggregation: { accountId: string; severityCounts: { all: number } } }>
        }
      ).responses.map((g) => [g.accountAggregation.accountId, g.accountAggregation.severityCounts.all]),
    )
    t.deepEqual(
      byAccount,
      Object.fromEntries(
        accounts.map((a) => [a, all.filter((f) => f.awsAccountId === a && f.status === 'ACTIVE').length]),
      ),
    )
    // Inspector sends only ACTIVE findings (the status is pushed down); the local copies of those
    // are the duplicates, the other local copies are not active.
    const overlap = all.slice(150, 200).filter((f) => f.status === 'ACTIVE').length
    t.regex(r.stderr, new RegExp(`duplicate ${overlap},`))
    t.regex(r.stderr, /inspector: 1 pages, 100 findings read/)
    // Signed with the credentials of the environment.
    t.true(s.requests.every((q) => q.authorization.includes('Credential=AKIDSTANDIN/')))
  })
})

test('the statuses and an account filter are pushed down to ListFindings, and paging follows every page', async (t) => {
  await withStandIn({ findings: live }, async (s) => {
    const env = await awsEnv(s.endpoint)
    const r = await run(
      [
        'aggregate',
        '--output',
        'json',
        '--status',
        'SUPPRESSED',
        '--filter',
        `name=accountId,values=${accounts[1]}`,
        'inspector:',
      ],
      env,
    )
    t.is(r.code, 0, r.stderr)
    const lists = s.requests.filter((q) => q.operation === 'ListFindings')
    t.deepEqual(lists[0]?.input, {
      maxResults: 100,
      filterCriteria: {
        awsAccountId: [{ comparison: 'EQUALS', value: accounts[1] }],
        findingStatus: [{ comparison: 'EQUALS', value: 'SUPPRESSED' }],
      },
    })
    const expected = live.filter((f) => f.awsAccountId === accounts[1] && f.status === 'SUPPRESSED')
    t.is(lists.length, Math.max(1, Math.ceil(expected.length / 100)))
    const linked = expected.filter((f) => (f.resources as Array<{ tags?: unknown }>)[0]?.tags !== undefined)
    const responses = (
      answer(r) as { responses: Array<{ accountAggregation: { severityCounts: { all: number } } }> }
    ).responses
    t.is(responses[0]?.accountAggregation.severityCounts.all, linked.length)
  })
})

const failing =
  (operation: string, fault: Fault, when: (n: number) => boolean = () => true) =>
  (op: string, n: number): Fault =>
    op === operation && when(n) ? fault : undefined

for (const [what, fault, pattern] of [
  [
    'AccessDenied',
    { status: 403, errorType: 'AccessDeniedException', message: 'not allowed' },
    /AccessDeniedException.*IAM permission/,
  ],
  [
    'expired credentials',
    { status: 403, errorType: 'ExpiredTokenException', message: 'expired' },
    /ExpiredTokenException.*renew/,
  ],
  [
    'throttling past the retries',
    { status: 429, errorType: 'ThrottlingException', message: 'Rate exceeded' },
    /ThrottlingException.*AWS_MAX_ATTEMPTS/,
  ],
] as const)
  test(`${what} on a later page: exit 1, one line naming the input, the error and what to do, nothing on stdout`, async (t) => {
    const localPath = await file('local-fail.json', local)
    await withStandIn({ findings: live, fault: failing('ListFindings', fault, (n) => n >= 2) }, async (s) => {
      const env = await awsEnv(s.endpoint, { AWS_MAX_ATTEMPTS: '2' })
      const r = await run(['aggregate', '--output', 'json', localPath, 'inspector:'], env)
      t.is(r.code, 1)
      t.is(r.stdout, '')
      // One line besides the progress of the pages read: no warning of the SDK's either.
      const lines = r.stderr
        .trim()
        .split('\n')
        .filter((l) => !/^inspector: \d+ pages, \d+ findings read$/.test(l))
      t.is(lines.length, 1, r.stderr)
      t.regex(lines[0] ?? '', /^ServiceUnavailableException: inspector: /)
      t.regex(lines[0] ?? '', pattern)
      // The page before was read; the failing one was asked for once per attempt.
      t.is(
        s.requests.filter((q) => q.operation === 'ListFindings').length,
        1 + (what === 'throttling past the retries' ? 2 : 1),
      )
    })
  })

test('an unreachable endpoint: exit 1 naming the input and where to look', async (t) => {
  const s = await startStandIn({ findings: [] })
  await s.close()
  const r = await run(
    ['aggregate', '--output', 'json', 'inspector:us-west-2'],
    await awsEnv(s.endpoint, { AWS_MAX_ATTEMPTS: '1' }),
  )
  t.is(r.code, 1)
  t.is(r.stdout, '')
  t.regex(r.stderr, /^ServiceUnavailableException: inspector:us-west-2 .*could not be reached/m)
})

test('no credentials anywhere: exit 1 saying how to give them', async (t) => {
  await withStandIn({ findings: live }, async (s) => {
    const { AWS_ACCESS_KEY_ID: _, AWS_SECRET_ACCESS_KEY: __, ...env } = await awsEnv(s.endpoint)
    const r = await run(['aggregate', 'inspector:'], env)
    t.is(r.code, 1)
    t.is(r.stdout, '')
    t.regex(r.stderr, /inspector: .*AWS_PROFILE/)
    t.is(s.requests.length, 0)
  })
})

test('serve refuses to start when an inspector: input fails', async (t) => {
  await withStandIn(
    {
      findings: live,
      fault: failing('ListFindings', { status: 403, errorType: 'AccessDeniedException', message: 'no' }),
    },
    async (s) => {
      const r = await run(['serve', '--port', '0', 'inspector:'], await awsEnv(s.endpoint))
      t.is(r.code, 1)
      t.is(r.stdout, '')
      t.regex(r.stderr, /AccessDeniedException/)
    },
  )
})

test('a malformed inspector: input is a usage error', async (t) => {
  const r = await run(['aggregate', 'inspector:nowhere'], await awsEnv('http://127.0.0.1:9'))
  t.is(r.code, 2)
  t.regex(r.stderr, /inspector:nowhere: not an AWS region/)
})

test('pipeline-map prints the map from Image Builder, paged, in the form --pipeline-map reads', async (t) => {
  await withStandIn({ findings: live, pipelines }, async (s) => {
    const env = await awsEnv(s.endpoint)
    const r = await run(['pipeline-map'], env)
    t.is(r.code, 0, r.stderr)
    t.deepEqual(JSON.parse(r.stdout), pipelines)
    t.true(s.requests.filter((q) => q.operation === 'ListImagePipelineImages').length >= 2)
    // The printed map, given back, answers like the live resolution.
    const mapPath = join(await dir, 'pipelines.json')
    await writeFile(mapPath, r.stdout)
    const localPath = await file('local-p.json', local)
    const args = ['aggregate', '--output', 'json', '--group-by', 'imagePipelineArn']
    const offline = await run([...args, '--pipeline-map', mapPath, 'inspector:', localPath], env)
    const resolved = await run([...args, '--resolve-pipelines', 'inspector:', localPath], env)
    t.is(offline.code, 0, offline.stderr)
    t.is(resolved.code, 0, resolved.stderr)
    t.deepEqual(answer(resolved), answer(offline))
    t.deepEqual(
      (answer(offline) as { groups: Array<{ key: string }> }).groups.map((g) => g.key).sort(),
      [...new Set(Object.values(pipelines))].sort(),
    )
    // GetImage once per image however many findings name it.
    const gets = s.requests.filter((q) => q.operation === 'GetImage').map((q) => q.input.imageBuildVersionArn)
    t.is(gets.length, new Set(gets).size)
  })
})

test('pipeline-map failing (AccessDenied) prints nothing and names the permission', async (t) => {
  await withStandIn(
    {
      findings: [],
      pipelines,
      fault: failing('ListImagePipelineImages', {
        status: 403,
        errorType: 'AccessDeniedException',
        message: 'no',
      }),
    },
    async (s) => {
      const r = await run(['pipeline-map'], await awsEnv(s.endpoint))
      t.is(r.code, 1)
      t.is(r.stdout, '')
      t.regex(
        r.stderr,
        /^ServiceUnavailableException: pipeline-map: .*AccessDeniedException.*IAM permission/m,
      )
    },
  )
})

test('inspector:, s3:// and a local export together give the answer of the same findings read from files', async (t) => {
  const s3 = await startS3Server()
  try {
    // The S3 share: a gzipped page and an NDJSON object under reports/, something else beside.
    const fromS3 = all.slice(100, 180)
    await s3.put('reports/2024/part-1.json.gz', gzipSync(JSON.stringify({ findings: fromS3.slice(0, 40) })))
    await s3.put(
      'reports/2024/part-2.ndjson',
      fromS3
        .slice(40)
        .map((f) => JSON.stringify(f))
        .join('\n'),
    )
    await s3.put('elsewhere/x.json', '{"findings":[]}')
    const s3Path = await file('s3-copy.json', fromS3)
    const localPath = await file('local-s3.json', local)
    const livePath = await file('live-s3.json', live)
    await withStandIn({ findings: live }, async (s) => {
      const env = await awsEnv(s.endpoint, {
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
      })
      for (const args of [
        ['--include-unlinked'],
        ['--group-by', 'imageBuildVersionArn', '--status', 'ALL'],
      ]) {
        const mixed = await run(
          ['aggregate', '--output', 'json', ...args, 'inspector:', `s3://${s3.bucket}/reports/`, localPath],
          env,
        )
        t.is(mixed.code, 0, mixed.stderr)
        const files = await run(['aggregate', '--output', 'json', ...args, livePath, s3Path, localPath], env)
        t.is(files.code, 0, files.stderr)
        t.deepEqual(answer(mixed), answer(files))
      }
      const missing = await run(
        ['aggregate', '--output', 'json', `s3://no-such-bucket/reports/`, localPath],
        env,
      )
      t.is(missing.code, 1)
      t.is(missing.stdout, '')
      t.regex(
        missing.stderr,
        /^ReadFailed: s3:\/\/no-such-bucket\/reports\/: cannot be read: ListObjectsV2 failed: NoSuchBucket.*check the name/m,
      )
    })
  } finally {
    await s3.close()
  }
})

// Serve keeps a gzipped object's records as it reads it (copied, since an object is not read
// again by place): its whole findings, paged through by the real SDK, and its aggregation must be
// those of the same bytes served from files.
test('serve on gzipped S3 objects answers whole findings as on the same files', async (t) => {
  const s3 = await startS3Server()
  const parts = await mkdtemp(join(tmpdir(), 'scantally-aws-parts-'))
  try {
    // Three gzipped NDJSON objects (overlapping, so findings repeat across them) and a plain one.
    const ndjson = (from: number, to: number) =>
      `${all
        .slice(from, to)
        .map((f) => JSON.stringify(f))
        .join('\n')}\n`
    const objects: ReadonlyArray<readonly [string, Buffer]> = [
      ['p/1.ndjson.gz', gzipSync(ndjson(0, 90))],
      ['p/2.ndjson.gz', gzipSync(ndjson(80, 170))],
      ['p/3.ndjson', Buffer.from(ndjson(170, 200))],
      ['p/4.ndjson.gz', gzipSync(ndjson(195, 260))],
    ]
    for (const [key, body] of objects) {
      await s3.put(key, body)
      await writeFile(join(parts, key.slice(2)), body)
    }
    const env = {
      ...process.env,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    }
    const answers = async (input: string) => {
      const served = await serve(['--workers', '2', input], env)
      try {
        const client = new ImagebuilderClient({
          endpoint: served.url,
          region: 'us-east-1',
          credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
          maxAttempts: 1,
        })
        const findings: Array<unknown> = []
        let nextToken: string | undefined
        do {
          const page = await client.send(new ListImageScanFindingsCommand({ maxResults: 7, nextToken }))
          findings.push(...(page.findings ?? []))
          nextToken = page.nextToken
        } while (nextToken !== undefined)
        const groups = await client.send(new ListImageScanFindingAggregationsCommand({}))
        return { findings, aggregations: groups.responses }
      } finally {
        served.child.kill('SIGTERM')
        await served.exit
      }
    }
    const fromS3 = await answers(`s3://${s3.bucket}/p/`)
    const fromFiles = await answers(parts)
    t.deepEqual(fromS3, fromFiles)
    // Every active, linked finding, once.
    const counted = all.filter(
      (f) => f.status === 'ACTIVE' && (f.resources as Array<{ tags?: unknown }>)[0]?.tags,
    )
    t.is(fromS3.findings.length, counted.length)
  } finally {
    await s3.close()
    await rm(parts, { recursive: true, force: true })
  }
})
