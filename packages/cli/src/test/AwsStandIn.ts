/**
 * A stand-in for Amazon Inspector (`ListFindings`) and Image Builder (`GetImage`,
 * `ListImagePipelines`, `ListImagePipelineImages`) on 127.0.0.1, speaking their restJson1 wire as
 * the real SDK calls it: it pages by `maxResults` with opaque tokens, honours `filterCriteria`
 * (accounts, statuses, vulnerability ids, severities as EQUALS lists), and fails on demand.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'

/** A failure the stand-in answers with instead of a page. */
export type Fault =
  | { readonly status: number; readonly errorType: string; readonly message: string }
  | 'drop'
  | undefined

export interface StandInOptions {
  readonly findings: ReadonlyArray<Record<string, unknown>>
  /** imageBuildVersionArn -> imagePipelineArn, as Image Builder knows it. */
  readonly pipelines?: Readonly<Record<string, string>>
  /** The answer to the n-th request (1-based) of an operation, instead of the real one. */
  readonly fault?: (operation: string, n: number) => Fault
}

export interface StandIn {
  readonly endpoint: string
  /** Every request: operation, parsed body (or query), and the Authorization header. */
  readonly requests: Array<{ operation: string; input: Record<string, unknown>; authorization: string }>
  readonly close: () => Promise<void>
}

type StringFilter = ReadonlyArray<{ readonly comparison: string; readonly value: string }>

const matches = (value: unknown, filter: StringFilter | undefined): boolean =>
  filter === undefined || filter.some((f) => f.comparison === 'EQUALS' && f.value === value)

const pageSlice = <A>(all: ReadonlyArray<A>, input: Record<string, unknown>, size: number) => {
  const start = typeof input.nextToken === 'string' ? Number(input.nextToken.replace('t-', '')) : 0
  const items = all.slice(start, start + size)
  return { items, next: start + size < all.length ? { nextToken: `t-${start + size}` } : {} }
}

/** Starts the stand-in on a free loopback port. */
export const startStandIn = async (options: StandInOptions): Promise<StandIn> => {
  const requests: StandIn['requests'] = []
  const counts = new Map<string, number>()
  const pipelines = options.pipelines ?? {}
  const pipelineArns = [...new Set(Object.values(pipelines))].sort()

  const json = (res: ServerResponse, status: number, body: unknown, errorType?: string) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-requestid': `req-${requests.length}`,
      ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
    })
    res.end(JSON.stringify(body))
  }

  const answer = (operation: string, input: Record<string, unknown>, res: ServerResponse): unknown => {
    const n = (counts.get(operation) ?? 0) + 1
    counts.set(operation, n)
    const fault = options.fault?.(operation, n)
    if (fault === 'drop') {
      res.destroy()
      return
    }
    if (fault !== undefined) return json(res, fault.status, { message: fault.message }, fault.errorType)
    switch (operation) {
      case 'ListFindings': {
        const c = (input.filterCriteria ?? {}) as Record<string, StringFilter | undefined>
        const all = options.findings.filter(
          (f) =>
            matches(f.awsAccountId, c.awsAccountId) &&
            matches(f.status, c.findingStatus) &&
            matches(f.severity, c.severity) &&
            matches(
              (f.packageVulnerabilityDetails as { vulnerabilityId?: string } | undefined)?.vulnerabilityId,
              c.vulnerabilityId,
            ),
        )
        const { items, next } = pageSlice(
          all,
          input,
          typeof input.maxResults === 'number' ? input.maxResults : 100,
        )
        return json(res, 200, { findings: items, ...next })
      }
      case 'GetImage': {
        const arn = String(input.imageBuildVersionArn ?? '')
        const pipeline = pipelines[arn]
        return json(res, 200, {
          requestId: 'r',
          image: { arn, ...(pipeline === undefined ? {} : { sourcePipelineArn: pipeline }) },
        })
      }
      case 'ListImagePipelines': {
        const { items, next } = pageSlice(pipelineArns, input, 2)
        return json(res, 200, { requestId: 'r', imagePipelineList: items.map((arn) => ({ arn })), ...next })
      }
      case 'ListImagePipelineImages': {
        const images = Object.keys(pipelines)
          .filter((image) => pipelines[image] === input.imagePipelineArn)
          .sort()
        const { items, next } = pageSlice(images, input, 2)
        return json(res, 200, { requestId: 'r', imageSummaryList: items.map((arn) => ({ arn })), ...next })
      }
      default:
        return json(res, 404, { message: `no route ${operation}` }, 'ResourceNotFoundException')
    }
  }

  const operationOf = (req: IncomingMessage, url: URL): string =>
    req.method === 'POST' && url.pathname === '/findings/list'
      ? 'ListFindings'
      : req.method === 'GET' && url.pathname === '/GetImage'
        ? 'GetImage'
        : url.pathname.slice(1)

  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x')
      const text = Buffer.concat(chunks).toString('utf8')
      const input: Record<string, unknown> =
        req.method === 'GET' ? Object.fromEntries(url.searchParams) : JSON.parse(text === '' ? '{}' : text)
      const operation = operationOf(req, url)
      requests.push({ operation, input, authorization: String(req.headers.authorization ?? '') })
      answer(operation, input, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/**
 * The environment a child process needs to reach a stand-in at `endpoint` the AWS way, with
 * static credentials, no shared config or credentials files of the machine (`home` holds their
 * absent paths), and never the instance metadata service.
 */
export const standInEnv = (
  endpoint: string,
  home: string,
  extra: Record<string, string> = {},
): Record<string, string> => ({
  AWS_ENDPOINT_URL_INSPECTOR2: endpoint,
  AWS_ENDPOINT_URL_IMAGEBUILDER: endpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDSTANDIN',
  AWS_SECRET_ACCESS_KEY: 'standin-secret',
  AWS_CONFIG_FILE: join(home, 'no-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
  ...extra,
})
