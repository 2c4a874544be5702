import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  ImagebuilderClient,
  type ImageScanFindingAggregation,
  ListImageScanFindingAggregationsCommand,
  type ListImageScanFindingAggregationsRequest,
} from '@aws-sdk/client-imagebuilder'
import test from 'ava'
import { serve } from './test/served.js'

const example = fileURLToPath(new URL('../../../examples/imagebuilder-findings.json', import.meta.url))
const build = 'arn:aws:imagebuilder:us-east-1:111122223333:image/web-server/1.0.0/1'

const sdk = (url: string, accessKeyId: string) =>
  new ImagebuilderClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: `${accessKeyId}-secret` },
    maxAttempts: 1,
  })

// Every page of a request, each sent to the next client in turn.
const pages = async (
  clients: ReadonlyArray<ImagebuilderClient>,
  request: ListImageScanFindingAggregationsRequest,
): Promise<{ readonly responses: ReadonlyArray<ImageScanFindingAggregation>; readonly pages: number }> => {
  const responses: Array<ImageScanFindingAggregation> = []
  let nextToken: string | undefined
  let n = 0
  do {
    const client = clients[n % clients.length] as ImagebuilderClient
    const page = await client.send(
      new ListImageScanFindingAggregationsCommand({
        ...request,
        ...(nextToken === undefined ? {} : { nextToken }),
      }),
    )
    responses.push(...(page.responses ?? []))
    nextToken = page.nextToken
    n++
  } while (nextToken !== undefined)
  return { responses, pages: n }
}

test('two serve replicas sharing a key file and data page as one: a token from one continues on the other', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-replicas-'))
  const keys = join(dir, 'token-keys')
  const credentials = join(dir, 'credentials.json')
  const rows = join(dir, 'rows.ndjson')
  await writeFile(keys, `shared:${'c3'.repeat(32)}\n`, { mode: 0o600 })
  await writeFile(
    credentials,
    JSON.stringify([
      { accessKeyId: 'ADMIN', secretAccessKey: 'ADMIN-secret', accountIds: ['111122223333', '444455556666'] },
      { accessKeyId: 'SCOPED', secretAccessKey: 'SCOPED-secret', accountIds: ['111122223333'] },
    ]),
  )
  // Counts an external engine produced, served next to the export.
  await writeFile(
    rows,
    [
      `{"awsAccountId":"111122223333","imageBuildVersionArn":"${build}","vulnerabilityId":"CVE-2099-0001","severity":"CRITICAL","count":40}`,
      `{"awsAccountId":"444455556666","imageBuildVersionArn":"${build}","vulnerabilityId":"CVE-2099-0002","severity":"HIGH","count":9}`,
    ].join('\n'),
  )
  const args = ['--page-size', '1', '--token-key-file', keys, '--credentials', credentials, example, rows]
  const [a, b] = await Promise.all([serve(args), serve(args)])
  try {
    const requests: ReadonlyArray<ListImageScanFindingAggregationsRequest> = [
      {},
      {
        filter: {
          name: 'vulnerabilityId',
          values: [
            'CVE-2024-1000',
            'CVE-2024-1137',
            'CVE-2024-1274',
            'CVE-2024-1411',
            'CVE-2024-1548',
            'CVE-2099-0001',
            'CVE-2099-0002',
          ],
        },
      },
    ]
    for (const key of ['ADMIN', 'SCOPED']) {
      const one = sdk(a.url, key)
      const other = sdk(b.url, key)
      for (const request of requests) {
        const single = await pages([one], request)
        const alternating = await pages([one, other], request)
        t.deepEqual(alternating, single, `${key} ${JSON.stringify(request)}`)
        // A caller scoped to one account has one account group: a single page.
        t.is(single.pages > 1, key === 'ADMIN' || request.filter !== undefined, 'pages')
      }
    }
    // The rows are counted, within each caller's scope.
    const scoped = await pages([sdk(a.url, 'SCOPED'), sdk(b.url, 'SCOPED')], requests[1] ?? {})
    t.deepEqual(
      scoped.responses
        .map((r) => r.vulnerabilityIdAggregation)
        .filter((v) => v?.vulnerabilityId?.startsWith('CVE-2099') === true),
      [{ vulnerabilityId: 'CVE-2099-0001', severityCounts: { all: 40, critical: 40, high: 0, medium: 0 } }],
    )
  } finally {
    for (const replica of [a, b]) replica.child.kill('SIGTERM')
    t.deepEqual(await Promise.all([a.exit, b.exit]), [0, 0])
    await rm(dir, { recursive: true, force: true })
  }
})
