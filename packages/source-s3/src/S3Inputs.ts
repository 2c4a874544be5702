/**
 * Finding exports in Amazon S3 as inputs of the export reader: `s3://bucket/prefix` stands for
 * every object under the prefix (or the one object of that key), each opened as a byte stream
 * with `GetObject`. The reader detects gzip and the format from the bytes, as for files; S3
 * decrypts KMS-encrypted objects itself for a caller allowed to use the key.
 *
 * @module
 */
import { GetObjectCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3'
import { describeAwsError } from '@scantally/core/internal'
import { type Input, readFailed, type SourceError } from '@scantally/source-json'
import * as E from 'fp-ts/lib/Either.js'
import { parseS3Url } from './S3Url.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * How objects are read: objects of at least `partBytes * 2` are fetched as ranged parts of
 * `partBytes` (default 8 MiB for an object listed alone, 4 MiB for the objects of a listing of
 * several), `parallel` at once (default 4), and handed over in order; smaller ones stream in one
 * `GetObject`. Objects of one listing read at once (gzipped ones, a thread each) share the
 * `parallel` parts between them, so the parts held ahead stay as many.
 *
 * @category model
 */
export interface S3ReadOptions {
  readonly partBytes?: number
  readonly parallel?: number
  /** Parts fetched ahead by every object being read, kept by the reads (a listing's objects share it). */
  readonly ahead?: { parts: number }
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * An S3 client configured the AWS way (the default credential chain, `AWS_REGION`,
 * `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`), each request bounded in time; path-style
 * addressing when `AWS_S3_FORCE_PATH_STYLE=true` or when an endpoint override is set (an
 * S3-compatible server rarely has a DNS name per bucket).
 *
 * @category constructors
 */
export const s3ClientFromEnv = (
  env: Readonly<Record<string, string | undefined>> = process.env,
  requestTimeoutMs = 30_000,
): S3Client =>
  new S3Client({
    forcePathStyle:
      env.AWS_S3_FORCE_PATH_STYLE === 'true' ||
      env.AWS_ENDPOINT_URL_S3 !== undefined ||
      env.AWS_ENDPOINT_URL !== undefined,
    requestHandler: {
      requestTimeout: requestTimeoutMs,
      socketTimeout: requestTimeoutMs,
      connectionTimeout: Math.min(requestTimeoutMs, 10_000),
      throwOnRequestTimeout: true,
    },
  })

/**
 * Lists the inputs an `s3://` argument stands for, sorted by key: the object whose key is the
 * prefix, if there is one, or else every object under the prefix (folder markers left out).
 * Nothing there, or a listing that fails, is an error naming the URL, the AWS error and what to
 * do; each object is opened pinned to the version listed (`If-Match` its ETag), so an object
 * replaced or deleted during the read fails it rather than mixing versions.
 *
 * @category constructors
 */
export const listS3Inputs = async (
  arg: string,
  client: S3Client,
  options: S3ReadOptions = {},
): Promise<E.Either<SourceError, ReadonlyArray<Input>>> => {
  const location = parseS3Url(arg)
  if (E.isLeft(location)) return E.left(readFailed(arg, location.left))
  const { bucket, prefix } = location.right
  const objects: Array<{ key: string; size: number; etag: string | undefined }> = []
  try {
    for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: prefix }))
      for (const o of page.Contents ?? [])
        if (o.Key !== undefined && !(o.Key.endsWith('/') && (o.Size ?? 0) === 0))
          objects.push({ key: o.Key, size: o.Size ?? 0, etag: o.ETag })
  } catch (e) {
    return E.left(readFailed(arg, `ListObjectsV2 failed: ${describeAwsError(e)}`))
  }
  const exact = objects.filter((o) => o.key === prefix)
  const chosen = (exact.length > 0 ? exact : objects).sort((a, b) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
  )
  if (chosen.length === 0)
    return E.left(readFailed(arg, 'no objects there (check the bucket and the prefix)'))
  const shared: S3ReadOptions = {
    ...options,
    ...(options.partBytes === undefined && chosen.length > 1 ? { partBytes: sharedPartBytes } : {}),
    ahead: options.ahead ?? { parts: 0 },
  }
  return E.right(
    chosen.map((o) => ({
      name: `s3://${bucket}/${o.key}`,
      // Pinned to the version listed: opened again, the same bytes or an error.
      again: true,
      open: () => objectBytes(client, { bucket, ...o }, shared),
    })),
  )
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

// The parts of a listing of several objects, which are read two or more at once (gzipped ones, a
// thread each), each holding its part being handed over besides those shared ahead: with 8 MiB
// parts, four gzipped report parts peaked at 207 to 214 MB, with these at 184 to 190 MB, in the
// same time (s3rver on loopback, alternated). Four of them in flight still cover a link's
// bandwidth times its latency well beyond a gigabit and 50 ms.
const sharedPartBytes = 4 << 20

/**
 * One object as listed: where it is, its size and its ETag (the version a read is pinned to).
 *
 * @category model
 */
export interface S3Object {
  readonly bucket: string
  readonly key: string
  readonly size: number
  readonly etag: string | undefined
}

/**
 * The bytes of one object as listed: in one stream, or in ranged parts fetched a few at a time
 * for a large object. Fewer or more bytes than listed, or a failed request, fail the read with
 * the AWS error named.
 *
 * @category utils
 */
export async function* objectBytes(
  client: S3Client,
  object: S3Object,
  options: S3ReadOptions = {},
): AsyncGenerator<Buffer> {
  const partBytes = options.partBytes ?? 8 << 20
  const parallel = Math.max(1, options.parallel ?? 4)
  let read = 0
  const parts =
    object.size >= 2 * partBytes
      ? rangedParts(client, object, partBytes, parallel, options.ahead ?? { parts: 0 })
      : wholeObject(client, object)
  for await (const chunk of parts) {
    read += chunk.length
    yield chunk
  }
  if (read !== object.size)
    throw new Error(`${read} bytes read, ${object.size} listed: the object changed while it was read`)
}

const get = async (client: S3Client, o: S3Object, range?: string, abortSignal?: AbortSignal) => {
  try {
    const out = await client.send(
      new GetObjectCommand({
        Bucket: o.bucket,
        Key: o.key,
        ...(o.etag === undefined ? {} : { IfMatch: o.etag }),
        ...(range === undefined ? {} : { Range: range }),
      }),
      abortSignal === undefined ? {} : { abortSignal },
    )
    return out.Body as AsyncIterable<Uint8Array>
  } catch (e) {
    throw new Error(`GetObject failed: ${describeAwsError(e)}`)
  }
}

async function* wholeObject(client: S3Client, o: S3Object): AsyncGenerator<Buffer> {
  for await (const chunk of await get(client, o))
    yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)
}

// Parts fetched ahead of the reader, handed over in order: with the one being handed over,
// `parallel` of them, less those that other objects read at once hold (`shared`), but always
// one (so every object goes on, and the parts held stay about `parallel`); those still
// coming are given up when the reader stops early (a read that failed, or was interrupted). A
// part is kept as the chunks it arrived in: concatenating them into a fresh 8 MiB buffer a part
// took 0.55 of the calling thread's 2.6 CPU s on a 243 MiB object, the largest share.
async function* rangedParts(
  client: S3Client,
  o: S3Object,
  partBytes: number,
  parallel: number,
  shared: { parts: number },
): AsyncGenerator<Buffer> {
  const abort = new AbortController()
  const fetchPart = async (start: number): Promise<Array<Uint8Array>> => {
    const end = Math.min(o.size, start + partBytes)
    const chunks: Array<Uint8Array> = []
    let bytes = 0
    for await (const chunk of await get(client, o, `bytes=${start}-${end - 1}`, abort.signal)) {
      chunks.push(chunk)
      bytes += chunk.length
    }
    if (bytes !== end - start)
      throw new Error(
        `${bytes} bytes read of bytes ${start}-${end - 1}: the object changed while it was read`,
      )
    return chunks
  }
  const ahead: Array<Promise<Array<Uint8Array>>> = []
  let next = 0
  // The parts this object counts in `shared`: those fetched ahead and the one handed over.
  let held = 0
  const fill = () => {
    while (next < o.size && (held === 0 || (ahead.length < parallel && shared.parts < parallel))) {
      const p = fetchPart(next)
      // Handled when its turn comes; until then a failure must not be an unhandled rejection.
      p.catch(() => {})
      ahead.push(p)
      shared.parts++
      held++
      next += partBytes
    }
  }
  fill()
  try {
    while (ahead.length > 0) {
      const part = await (ahead.shift() as Promise<Array<Uint8Array>>)
      fill()
      for (const chunk of part) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)
      shared.parts--
      held--
      fill()
    }
  } finally {
    shared.parts -= held
    abort.abort()
  }
}
