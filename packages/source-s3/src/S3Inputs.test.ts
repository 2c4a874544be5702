import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { S3Client } from '@aws-sdk/client-s3'
import { collectSource } from '@scantally/core/internal'
import { collectFindings, readInputBatches } from '@scantally/source-json'
import test from 'ava'
import * as E from 'fp-ts/lib/Either.js'
import { listS3Inputs, objectBytes } from './S3Inputs.js'
import { parseS3Url } from './S3Url.js'
import { s3rverCredentials, startS3Server } from './test/S3Server.js'

const finding = (i: number) => ({
  findingArn: `arn:aws:inspector2:us-east-1:111111111111:finding/${i}`,
  awsAccountId: '111111111111',
  severity: 'HIGH',
  status: 'ACTIVE',
  resources: [
    {
      type: 'AWS_EC2_INSTANCE',
      id: 'i',
      tags: { Ec2ImageBuilderArn: 'arn:aws:imagebuilder:us-east-1:111111111111:image/web/1.0.0/1' },
    },
  ],
})

const clientOf = (endpoint: string) =>
  new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3rverCredentials })

test('parseS3Url reads a bucket and a prefix', (t) => {
  t.deepEqual(parseS3Url('s3://b/reports/2024/'), E.right({ bucket: 'b', prefix: 'reports/2024/' }))
  t.deepEqual(parseS3Url('s3://b'), E.right({ bucket: 'b', prefix: '' }))
  t.true(E.isLeft(parseS3Url('s3:///x')))
})

test('a prefix lists every object under it in key order, one key lists that object only', async (t) => {
  const s3 = await startS3Server()
  try {
    await s3.put('reports/b.json', '{"findings":[]}')
    await s3.put('reports/a.json.gz', gzipSync('{"findings":[]}'))
    await s3.put('reports/sub/', '')
    await s3.put('other/c.json', '{}')
    const client = clientOf(s3.endpoint)
    const all = await listS3Inputs(`s3://${s3.bucket}/reports/`, client)
    t.deepEqual(
      E.map((inputs: ReadonlyArray<{ name: string }>) => inputs.map((i) => i.name))(all),
      E.right([`s3://${s3.bucket}/reports/a.json.gz`, `s3://${s3.bucket}/reports/b.json`]),
    )
    const one = await listS3Inputs(`s3://${s3.bucket}/reports/b.json`, client)
    t.is(E.isRight(one) ? one.right.length : -1, 1)
    const none = await listS3Inputs(`s3://${s3.bucket}/nothing/`, client)
    t.regex(E.isLeft(none) ? none.left.message : '', /nothing\/: cannot be read: no objects there/)
    const noBucket = await listS3Inputs('s3://no-such-bucket/x', client)
    t.regex(E.isLeft(noBucket) ? noBucket.left.message : '', /NoSuchBucket/)
  } finally {
    await s3.close()
  }
})

test('a large object read in ranged parts gives the same bytes as the object', async (t) => {
  const s3 = await startS3Server()
  try {
    const body = randomBytes(100_003)
    await s3.put('big.bin', body)
    const client = clientOf(s3.endpoint)
    const listed = await listS3Inputs(`s3://${s3.bucket}/big.bin`, client)
    if (E.isLeft(listed)) return t.fail(listed.left.message)
    const object = { bucket: s3.bucket, key: 'big.bin', size: body.length, etag: undefined }
    for (const options of [{ partBytes: 7_000, parallel: 3 }, { partBytes: 1 << 20 }]) {
      const chunks: Array<Buffer> = []
      for await (const c of objectBytes(client, object, options)) chunks.push(c)
      t.true(Buffer.concat(chunks).equals(body))
    }
  } finally {
    await s3.close()
  }
})

test('a ranged part shorter than asked fails the read at that part, naming its bytes', async (t) => {
  const s3 = await startS3Server()
  try {
    const body = randomBytes(100_003)
    await s3.put('big.bin', body)
    // Listed longer than it is: the last part's range runs past the object's end.
    const object = { bucket: s3.bucket, key: 'big.bin', size: 105_000, etag: undefined }
    const error = await t.throwsAsync(async () => {
      for await (const _ of objectBytes(clientOf(s3.endpoint), object, { partBytes: 7_000 })) {
      }
    })
    t.regex(
      error?.message ?? '',
      /^2003 bytes read of bytes 98000-104999: the object changed while it was read$/,
    )
  } finally {
    await s3.close()
  }
})

// A server whose ranged parts after the first never finish: a reader that stops after the first
// bytes must not leave the others downloading.
test('an object listed alone is fetched in parts of 8 MiB, those of a listing of several in 4 MiB', async (t) => {
  const s3 = await startS3Server()
  try {
    const mib = 1 << 20
    await s3.put('alone/a.json', randomBytes(16 * mib))
    await s3.put('several/a.json', randomBytes(8 * mib))
    await s3.put('several/b.json', randomBytes(8 * mib))
    const client = clientOf(s3.endpoint)
    const ranges: Array<string | undefined> = []
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetObjectCommand') ranges.push((args.input as { Range?: string }).Range)
        return next(args)
      },
      { step: 'initialize' },
    )
    const partsOf = async (url: string): Promise<Array<string | undefined>> => {
      const inputs = await listS3Inputs(url, client)
      if (E.isLeft(inputs)) return t.fail(inputs.left.message)
      ranges.length = 0
      let bytes = 0
      for await (const chunk of (inputs.right[0] as { open: () => AsyncIterable<Buffer> }).open())
        bytes += chunk.length
      t.is(bytes, (url.includes('alone') ? 16 : 8) * mib)
      return [...ranges]
    }
    t.deepEqual(await partsOf(`s3://${s3.bucket}/alone/`), [
      `bytes=0-${8 * mib - 1}`,
      `bytes=${8 * mib}-${16 * mib - 1}`,
    ])
    t.deepEqual(await partsOf(`s3://${s3.bucket}/several/`), [
      `bytes=0-${4 * mib - 1}`,
      `bytes=${4 * mib}-${8 * mib - 1}`,
    ])
  } finally {
    await s3.close()
  }
})

test('ranged parts still coming are given up when the reader stops early', async (t) => {
  const part = 64 << 10
  const body = randomBytes(4 * part)
  let open = 0
  let asked = 0
  const server = createServer((req, res) => {
    asked++
    const [, from, to] = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '') ?? []
    const start = Number(from)
    const end = Number(to)
    res.writeHead(206, {
      'content-length': String(end - start + 1),
      'content-range': `bytes ${start}-${end}/${body.length}`,
    })
    if (start === 0) res.end(body.subarray(start, end + 1))
    else {
      open++
      res.on('close', () => open--)
      res.write(body.subarray(start, start + 100))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const { port } = server.address() as { port: number }
    const client = clientOf(`http://127.0.0.1:${port}`)
    const object = { bucket: 'b', key: 'k', size: body.length, etag: undefined }
    for await (const chunk of objectBytes(client, object, { partBytes: part, parallel: 3 })) {
      t.true(chunk.equals(body.subarray(0, chunk.length)))
      break
    }
    const pause = () => new Promise((resolve) => setTimeout(resolve, 50))
    // The other parts' requests arrive (unless given up before they were sent), then end.
    for (let waited = 0; asked < 3 && waited < 1000; waited += 50) await pause()
    for (let waited = 0; open > 0 && waited < 3000; waited += 50) await pause()
    t.is(open, 0, 'parts still downloading')
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

test('an object deleted after the listing fails the read, naming it and the AWS error', async (t) => {
  const s3 = await startS3Server()
  try {
    await s3.put('reports/a.json', JSON.stringify({ findings: [finding(1), finding(2)] }))
    await s3.put('reports/b.json', JSON.stringify({ findings: [finding(3)] }))
    const client = clientOf(s3.endpoint)
    const read = readInputBatches(async () => {
      const listed = await listS3Inputs(`s3://${s3.bucket}/reports/`, client)
      await s3.remove('reports/b.json')
      return listed
    }, 'reports')
    const result = await collectSource(read)()
    if (E.isRight(result))
      return t.fail(`${result.right.value.length} findings from a read missing an object`)
    t.is(result.left._tag, 'ReadFailed')
    t.regex(
      result.left.message,
      /^s3:\/\/findings-bucket\/reports\/b\.json: cannot be read: GetObject failed: NoSuchKey/,
    )
  } finally {
    await s3.close()
  }
})

test('gzip and plain objects read like the same files', async (t) => {
  const s3 = await startS3Server()
  try {
    await s3.put('r/1.json.gz', gzipSync(JSON.stringify({ findings: [finding(1), finding(2)] })))
    await s3.put('r/2.ndjson', `${JSON.stringify(finding(2))}\n${JSON.stringify(finding(3))}\n`)
    const read = await collectSource(
      readInputBatches(() => listS3Inputs(`s3://${s3.bucket}/r/`, clientOf(s3.endpoint)), 'r'),
    )()
    if (E.isLeft(read)) return t.fail(read.left.message)
    t.deepEqual(
      read.right.value.map((f) => f.findingArn),
      [1, 2, 3].map((i) => finding(i).findingArn),
    )
    t.like(read.right.report, { files: 2, read: 4, counted: 3, excluded: { duplicate: 1 } })
  } finally {
    await s3.close()
  }
})

// Gzipped objects are read a thread each, their bytes sent there as they arrive (the objects'
// parts fetched ahead shared between them); a plain one among them is told apart and read here.
// The answer must be the one of the same bytes read as files, and of one pass.
test('gzipped objects read a thread each give what the same files give', async (t) => {
  const s3 = await startS3Server()
  const root = await mkdtemp(join(tmpdir(), 'scantally-s3-files-'))
  try {
    const lines = (from: number, n: number) =>
      Array.from({ length: n }, (_, k) => `${JSON.stringify(finding(from + k))}\n`).join('')
    // Overlapping stretches, so that findings repeat across objects; large enough for ranged parts.
    const objects: ReadonlyArray<readonly [string, Buffer]> = [
      ['r/1.ndjson.gz', gzipSync(lines(0, 3000))],
      ['r/2.ndjson.gz', gzipSync(lines(2500, 3000))],
      ['r/3.ndjson', Buffer.from(lines(5000, 200))],
      ['r/4.ndjson.gz', gzipSync(lines(5100, 3000))],
    ]
    for (const [key, body] of objects) {
      await s3.put(key, body)
      await writeFile(join(root, key.replace('/', '-')), body)
    }
    const client = clientOf(s3.endpoint)
    const fromS3 = (workers: number) =>
      collectSource(
        readInputBatches(() => listS3Inputs(`s3://${s3.bucket}/r/`, client, { partBytes: 4096 }), 'r', {
          workers,
        }),
      )()
    const files = await collectFindings([root], { workers: 2 })()
    if (E.isLeft(files)) return t.fail(files.left.message)
    const arns = (r: typeof files) => (E.isRight(r) ? r.right.value.map((f) => f.findingArn) : [])
    for (const workers of [1, 2, 3]) {
      const read = await fromS3(workers)
      if (E.isLeft(read)) return t.fail(read.left.message)
      t.deepEqual(arns(read), arns(files), `${workers} workers`)
      t.deepEqual(read.right.report, files.right.report, `${workers} workers`)
    }
    t.is(arns(files).length, 8100)
  } finally {
    await s3.close()
    await rm(root, { recursive: true, force: true })
  }
})
