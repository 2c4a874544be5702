/**
 * Test support: a deterministic dataset, servers on 127.0.0.1, SDK clients, and requests
 * signed by the SDK's own signer (captured before they are sent).
 *
 * @module
 */
import {
  ImagebuilderClient,
  type ImagebuilderClientConfig,
  type ListImageScanFindingAggregationsCommand,
  type ListImageScanFindingsCommand,
} from '@aws-sdk/client-imagebuilder'
import {
  buildIndex,
  type Finding,
  type Index,
  type ScanFindingStore,
  scanFindingStoreOf,
} from '@scantally/core'
import * as Either from 'fp-ts/lib/Either.js'
import type { Logger } from '../Logger.js'
import type { SignedRequest } from '../SigV4.js'

/** How many accounts the dataset spreads over: thousands, so the unfiltered answer has thousands of groups. */
export const accountCount = 3000

/** The i-th account id of the dataset. */
export const accountOf = (i: number): string => String(100_000_000_000 + (i % accountCount))

/** The `alice` key sees the first 2000 accounts; `bob` the other 1000. */
export const credentials = [
  {
    accessKeyId: 'AKIDALICE',
    secretAccessKey: 'alice-secret',
    accountIds: Array.from({ length: 2000 }, (_, i) => accountOf(i)),
  },
  {
    accessKeyId: 'AKIDBOB',
    secretAccessKey: 'bob-secret',
    accountIds: Array.from({ length: 1000 }, (_, i) => accountOf(2000 + i)),
  },
]

const severities = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNTRIAGED'] as const

/**
 * `count` Image Builder findings over {@link accountCount} accounts, 3000 vulnerability ids,
 * 40 images and 10 pipelines, with descriptive members on some.
 */
export const imageScanFindings = (count: number): ReadonlyArray<Record<string, unknown>> =>
  Array.from({ length: count }, (_, n) => {
    const account = accountOf(n)
    const v = `CVE-2024-${String(Math.floor(n / 3) % 3000).padStart(5, '0')}`
    return {
      awsAccountId: account,
      imageBuildVersionArn: `arn:aws:imagebuilder:us-east-1:111111111111:image/img${n % 40}/1.0.${n % 4}/1`,
      imagePipelineArn: `arn:aws:imagebuilder:us-east-1:111111111111:image-pipeline/p${n % 10}`,
      severity: severities[n % 6],
      ...(n % 5 === 0
        ? {
            title: `${v} - openssl`,
            type: 'PACKAGE_VULNERABILITY',
            firstObservedAt: 1_700_000_000 + n,
            updatedAt: '2024-09-04T16:59:44Z',
            inspectorScore: 7.5,
            remediation: { recommendation: { text: 'upgrade' } },
            ignored: { not: 'in the wire shape' },
          }
        : {}),
      packageVulnerabilityDetails: {
        vulnerabilityId: v,
        ...(n % 7 === 0
          ? { source: 'NVD', vulnerablePackages: [{ name: 'openssl', version: '3.0.1', epoch: 0 }] }
          : {}),
      },
      ...(n % 2 === 0 ? { fixAvailable: 'YES' } : {}),
    }
  })

/** The normalized findings of Image Builder records, as a source would produce them. */
export const normalized = (records: ReadonlyArray<Record<string, unknown>>): ReadonlyArray<Finding> =>
  records.map((r) => {
    const {
      packageVulnerabilityDetails,
      awsAccountId,
      severity,
      imageBuildVersionArn,
      imagePipelineArn,
      fixAvailable,
    } = r as Record<string, unknown> & { packageVulnerabilityDetails: { vulnerabilityId: string } }
    return {
      awsAccountId,
      severity,
      imageBuildVersionArn,
      imagePipelineArn,
      vulnerabilityId: packageVulnerabilityDetails.vulnerabilityId,
      ...(fixAvailable === undefined ? {} : { fixAvailable }),
    } as Finding
  })

/** An index and a store over the same records. */
export const dataset = (
  count: number,
): {
  readonly records: ReadonlyArray<Record<string, unknown>>
  readonly index: Index
  readonly store: ScanFindingStore
} => {
  const records = imageScanFindings(count)
  const index = buildIndex(normalized(records))
  const store = scanFindingStoreOf(records)
  if (Either.isLeft(index)) throw new Error(index.left.message)
  if (Either.isLeft(store)) throw new Error(store.left.message)
  return { records, index: index.right, store: store.right }
}

/** A logger that keeps what it is told. */
export const recordingLogger = (): Logger & { readonly lines: string[] } => {
  const lines: string[] = []
  const log = (level: string) => (message: string) => {
    lines.push(`${level} ${message}`)
  }
  return { lines, info: log('info'), warn: log('warn'), error: log('error') }
}

/** An SDK client for a test server: one attempt, so errors surface at once. */
export const client = (
  endpoint: string,
  key: {
    readonly accessKeyId: string
    readonly secretAccessKey: string
  } = credentials[0] as (typeof credentials)[0],
  extra: Partial<ImagebuilderClientConfig> = {},
): ImagebuilderClient =>
  new ImagebuilderClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    maxAttempts: 1,
    ...extra,
  })

/** The request the SDK would send for a command, signed by the SDK, captured instead of sent. */
export const signedBySdk = async (
  endpoint: string,
  command: ListImageScanFindingAggregationsCommand | ListImageScanFindingsCommand,
  key: {
    readonly accessKeyId: string
    readonly secretAccessKey: string
  } = credentials[0] as (typeof credentials)[0],
): Promise<SignedRequest & { readonly url: string }> => {
  let captured: SignedRequest & { readonly url: string } = {
    method: '',
    target: '',
    headers: new Map(),
    body: new Uint8Array(),
    url: '',
  }
  const capture = client(endpoint, key, {
    requestHandler: {
      handle: async (request: {
        method: string
        path: string
        query?: Record<string, string | string[] | null>
        headers: Record<string, string>
        body?: unknown
      }) => {
        const query = Object.entries(request.query ?? {})
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v ?? ''))}`)
          .join('&')
        const target = query === '' ? request.path : `${request.path}?${query}`
        const body = request.body
        captured = {
          method: request.method,
          target,
          headers: new Map(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
          body:
            typeof body === 'string'
              ? Buffer.from(body)
              : body instanceof Uint8Array
                ? new Uint8Array(body)
                : new Uint8Array(),
          url: `${endpoint}${target}`,
        }
        throw new Error('captured')
      },
    } as unknown as NonNullable<ImagebuilderClientConfig['requestHandler']>,
  })
  await (capture.send as (c: unknown) => Promise<unknown>)(command).catch((e: Error) => {
    if (e.message !== 'captured') throw e
  })
  return captured
}

/** Sends a captured request with fetch (the headers fetch forbids, like `host`, it sets itself). */
export const replay = (request: SignedRequest & { readonly url: string }): Promise<Response> =>
  fetch(request.url, {
    method: request.method,
    headers: [...request.headers].filter(([k]) => k !== 'host' && k !== 'content-length'),
    body: request.body.length === 0 ? null : request.body,
  })

/** A fetch `Request` carrying a captured request, for calling a fetch-style handler directly. */
export const asFetchRequest = (request: SignedRequest & { readonly url: string }): Request =>
  new Request(request.url, {
    method: request.method,
    headers: [...request.headers].filter(([k]) => k !== 'content-length'),
    body: request.body.length === 0 ? null : request.body,
  })

/** What a response says, in comparable form. */
export const summary = async (r: Response) => ({
  status: r.status,
  errorType: r.headers.get('x-amzn-errortype'),
  requestId: r.headers.get('x-amzn-requestid'),
  body: JSON.parse(await r.text()) as unknown,
})

/** SDK output in wire form again: timestamps (SDK `Date`s) back to epoch seconds, metadata dropped. */
export const wireForm = (u: unknown): unknown => {
  if (u instanceof Date) return u.getTime() / 1000
  if (Array.isArray(u)) return u.map(wireForm)
  if (typeof u === 'object' && u !== null)
    return Object.fromEntries(
      Object.entries(u)
        .filter(([k, v]) => k !== '$metadata' && v !== undefined)
        .map(([k, v]) => [k, wireForm(v)]),
    )
  return u
}
