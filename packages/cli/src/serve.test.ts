import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  type ForbiddenException,
  ImagebuilderClient,
  paginateListImageScanFindingAggregations,
  paginateListImageScanFindings,
} from '@aws-sdk/client-imagebuilder'
import test from 'ava'
import { serve } from './test/served.js'

const bin = fileURLToPath(new URL('../bin/scantally.js', import.meta.url))
const example = fileURLToPath(new URL('../../../examples/imagebuilder-findings.json', import.meta.url))

const client = (url: string, accessKeyId = 'AKIDEXAMPLE', secretAccessKey = 'secret') =>
  new ImagebuilderClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
  })

const aggregateJson = (args: ReadonlyArray<string>): Promise<{ responses: unknown[] }> =>
  new Promise((resolve, reject) =>
    execFile(process.execPath, [bin, 'aggregate', '--output', 'json', ...args], (e, stdout) =>
      e ? reject(e) : resolve(JSON.parse(stdout)),
    ),
  )

test('the AWS SDK pages through scantally serve and gets what scantally aggregate prints', async (t) => {
  const served = await serve(['--page-size', '3', example])
  try {
    const responses: unknown[] = []
    let pages = 0
    for await (const page of paginateListImageScanFindingAggregations(
      { client: client(served.url) },
      {
        filter: {
          name: 'vulnerabilityId',
          values: [
            'CVE-2024-1000',
            'CVE-2024-1137',
            'CVE-2024-1274',
            'CVE-2024-1411',
            'CVE-2024-1548',
            'CVE-2024-1685',
            'CVE-2024-1822',
          ],
        },
      },
    )) {
      pages++
      t.true((page.responses ?? []).length <= 3)
      responses.push(...(page.responses ?? []))
    }
    t.is(pages, 3)
    const expected = await aggregateJson([
      '--filter',
      'name=vulnerabilityId,values=CVE-2024-1000,CVE-2024-1137,CVE-2024-1274,CVE-2024-1411,CVE-2024-1548,CVE-2024-1685,CVE-2024-1822',
      example,
    ])
    t.deepEqual(responses, expected.responses)

    let findings = 0
    for await (const page of paginateListImageScanFindings({ client: client(served.url), pageSize: 25 }, {}))
      findings += page.findings?.length ?? 0
    t.is(findings, 148)
  } finally {
    served.child.kill('SIGTERM')
    t.is(await served.exit, 0)
  }
})

test('with --credentials, each key sees only its accounts and a wrong secret is refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-serve-'))
  const credentials = join(dir, 'credentials.json')
  await writeFile(
    credentials,
    JSON.stringify([
      { accessKeyId: 'AKIDALICE', secretAccessKey: 'alice-secret', accountIds: ['111122223333'] },
      { accessKeyId: 'AKIDBOB', secretAccessKey: 'bob-secret', accountIds: ['111122223333', '444455556666'] },
    ]),
  )
  const served = await serve(['--credentials', credentials, example])
  try {
    const accounts = async (c: ImagebuilderClient) => {
      const seen: unknown[] = []
      for await (const page of paginateListImageScanFindingAggregations({ client: c }, {}))
        seen.push(...(page.responses ?? []).map((r) => r.accountAggregation?.accountId))
      return seen
    }
    t.deepEqual(await accounts(client(served.url, 'AKIDALICE', 'alice-secret')), ['111122223333'])
    t.deepEqual(await accounts(client(served.url, 'AKIDBOB', 'bob-secret')), ['111122223333', '444455556666'])
    const wrong = await t.throwsAsync(accounts(client(served.url, 'AKIDALICE', 'not-her-secret')))
    // A wrong secret is AWS's InvalidSignatureException; ForbiddenException is the model's.
    t.is(wrong?.name, 'InvalidSignatureException')
    t.is((wrong as ForbiddenException).$metadata.httpStatusCode, 403)
    const other = await t.throwsAsync(
      accounts(client(served.url, 'AKIDALICE', 'alice-secret')).then(async () => {
        for await (const _ of paginateListImageScanFindingAggregations(
          { client: client(served.url, 'AKIDALICE', 'alice-secret') },
          { filter: { name: 'accountId', values: ['444455556666'] } },
        ));
      }),
    )
    t.is(other?.name, 'ForbiddenException')
  } finally {
    served.child.kill('SIGINT')
    t.is(await served.exit, 0)
  }
})

test('without credentials, a non-loopback address is wrong usage (exit 2), refused before loading', async (t) => {
  const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      [bin, 'serve', '--host', '0.0.0.0', '--port', '0', example],
      (e, _out, stderr) => resolve({ code: e ? Number(e.code) : 0, stderr }),
    ),
  )
  t.is(r.code, 2)
  t.regex(r.stderr, /--host 0\.0\.0\.0 needs --credentials: without them authentication is off/)
})
