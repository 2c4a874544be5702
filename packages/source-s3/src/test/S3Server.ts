/**
 * A real S3-compatible server (s3rver) on 127.0.0.1 for tests, in a fresh folder, with a bucket
 * and an SDK client to fill it; closed and removed by `close`.
 *
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import S3rver from 's3rver'

export interface S3Server {
  readonly endpoint: string
  readonly bucket: string
  readonly client: S3Client
  readonly put: (key: string, body: string | Uint8Array) => Promise<void>
  readonly remove: (key: string) => Promise<void>
  readonly close: () => Promise<void>
}

/** The credentials s3rver accepts. */
export const s3rverCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const

export const startS3Server = async (bucket = 'findings-bucket'): Promise<S3Server> => {
  const directory = await mkdtemp(join(tmpdir(), 'scantally-s3-'))
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  })
  const { port } = await server.run()
  const endpoint = `http://127.0.0.1:${port}`
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: s3rverCredentials,
  })
  return {
    endpoint,
    bucket,
    client,
    put: async (key, body) => {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))
    },
    remove: async (key) => {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
    },
    close: async () => {
      client.destroy()
      await server.close()
      await rm(directory, { recursive: true, force: true })
    },
  }
}
