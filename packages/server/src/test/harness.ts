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
import { buildIndex, type Finding, type Index } from '@scantally/core'
import * as Either from 'fp-ts/lib/Either.js'
import { type FindingStore, fromFindings } from '../FindingStore.js'
import type { Logger } from '../Logger.js'
import type { SignedRequest } from '../SigV4.js'

/** Three accounts; the first two belong to the `alice` key, the third to `bob`. */
export const accounts = ['111111111111', '222222222222', '333333333333'] as const

/** The credentials the test servers accept. */
export const credentials = [
  { accessKeyId: 'AKIDALICE', secretAccessKey: 'alice-secret', accountIds: [accounts[0], accounts[1]] },
  { accessKeyId: 'AKIDBOB', secretAccessKey: 'bob-secret', accountIds: [accounts[2]] },
]

const severities = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNTRIAGED'] as const

/**
 * Image Builder findings: `groups` vulnerability ids, each seen `perGroup` times across the
 * accounts, images and pipelines, with descriptive members on some.
 */
export const imageScanFindings = (
  groups: number,
  perGroup: number,
): ReadonlyArray<Record<string, unknown>> => {
  const out: Record<string, unknown>[] = []
  for (let g = 0; g < groups; g++)
    for (let k = 0; k < perGroup; k++) {
      const n = g * perGroup + k
      const account = accounts[n % 3] as string
      const pipeline = `arn:aws:imagebuilder:us-east-1:${account}:image-pipeline/p${n % 10}`
      out.push({
        awsAccountId: account,
        imageBuildVersionArn: `arn:aws:imagebuilder:us-east-1:${account}:image/img${n % 40}/1.0.${n % 4}/1`,
        imagePipelineArn: pipeline,
        severity: severities[(g + k) % 6],
        ...(n % 5 === 0
          ? {
              title: `CVE-2024-${String(g).padStart(5, '0')} - openssl`,
              type: 'PACKAGE_VULNERABILITY',
              firstObservedAt: 1_700_000_000 + n,
              updatedAt: '2024-09-04T16:59:44Z',
              inspectorScore: 7.5,
              remediation: { recommendation: { text: 'upgrade' } },
            }
          : {}),
        packageVulnerabilityDetails: {
          vulnerabilityId: `CVE-2024-${String(g).padStart(5, '0')}`,
          ...(n % 7 === 0
            ? { source: 'NVD', vulnerablePackages: [{ name: 'openssl', version: '3.0.1', epoch: 0 }] }
            : {}),
        },
        ...(n % 2 === 0 ? { fixAvailable: 'YES' } : {}),
      })
    }
  return out
}

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
  groups: number,
  perGroup: number,
): { readonly index: Index; readonly store: FindingStore } => {
  const records = imageScanFindings(groups, perGroup)
  const index = buildIndex(normalized(records))
  const store = fromFindings(records)
  if (Either.isLeft(index)) throw new Error(index.left.message)
  if (Either.isLeft(store)) throw new Error(store.left.message)
  return { index: index.right, store: store.right }
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
