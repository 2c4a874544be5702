import { readdirSync, readFileSync } from 'node:fs'
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import S3rver from 's3rver'

const server = new S3rver({
  address: '127.0.0.1',
  port: 4599,
  silent: true,
  directory: '/tmp/sg/s3',
  configureBuckets: [{ name: 'b' }],
})
await server.run()
const client = new S3Client({
  endpoint: 'http://127.0.0.1:4599',
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
})
if (process.argv[2] === 'fill') {
  const dir = '/tmp/scantally-bench/inspector-42-1000000.ndjson.4-parts'
  for (const n of readdirSync(dir))
    await client.send(
      new PutObjectCommand({ Bucket: 'b', Key: `parts/${n}`, Body: readFileSync(`${dir}/${n}`) }),
    )
  const one = '/tmp/scantally-bench/inspector-high-42-1000000.ndjson.gz'
  await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'one/high.ndjson.gz', Body: readFileSync(one) }))
  console.log('filled')
}
console.log('ready')
