/**
 * The standalone server: a `node:http` server around {@link makeHandler}, listening on a host
 * and port, with timeouts for slow clients. Without credentials it binds loopback addresses
 * only, and says that authentication is off.
 *
 * @module
 */
import { createServer, type Server, STATUS_CODES } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { isIP } from 'node:net'
import { clientException } from '@scantally/core/internal'
import { type Handler, type HandlerOptions, makeHandler } from './Handler.js'
import { stderrLogger } from './Logger.js'
import { errorResponse, withDate } from './Wire.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Where and how to listen. `host` defaults to `127.0.0.1`, `port` to {@link defaultPort}
 * (`0` picks a free port). Timeouts in milliseconds: `headersTimeout` (default 10 s) for the
 * request head, `requestTimeout` (default 30 s) for the whole request, `keepAliveTimeout`
 * (default 5 s) for an idle connection. `maxHeaderSize`: the largest request head in bytes
 * (default 16 KiB, Node's own default; a signed SDK request head is under 2 KiB).
 *
 * @category model
 */
export interface ListenOptions {
  readonly host?: string
  readonly port?: number
  readonly headersTimeout?: number
  readonly requestTimeout?: number
  readonly keepAliveTimeout?: number
  readonly maxHeaderSize?: number
}

/**
 * Everything {@link startServer} takes: the handler's options and where to listen.
 *
 * @category model
 */
export type ServerOptions = HandlerOptions & ListenOptions

/**
 * A listening server: the bound address, its base URL (what an SDK client's `endpoint` is),
 * the handler and the `node:http` server, and `close()`, which stops accepting, ends open
 * connections and resolves once the server is closed.
 *
 * @category model
 */
export interface RunningServer {
  readonly host: string
  readonly port: number
  readonly url: string
  readonly handler: Handler
  readonly server: Server
  readonly close: () => Promise<void>
}

/**
 * The port `scantally serve` listens on by default.
 *
 * @category model
 */
export const defaultPort = 4575

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Starts a server and resolves once it listens. Rejects, before binding anything, when no
 * credentials are configured and `host` is not a loopback address (an unauthenticated server
 * must not be reachable from elsewhere), and when the address cannot be bound.
 *
 * @category constructors
 */
export const startServer = async (options: ServerOptions): Promise<RunningServer> => {
  const host = options.host ?? '127.0.0.1'
  const logger = options.logger ?? stderrLogger
  if (options.credentials === undefined && !isLoopback(host))
    throw new Error(
      `refusing to listen on ${host} without credentials: authentication is off, so only a loopback address (127.0.0.1, ::1, localhost) may be bound`,
    )
  const handler = makeHandler(options)
  const requestTimeout = options.requestTimeout ?? 30_000
  const headersTimeout = Math.min(options.headersTimeout ?? 10_000, requestTimeout)
  const server = createServer(
    {
      requestTimeout,
      headersTimeout,
      keepAliveTimeout: options.keepAliveTimeout ?? 5_000,
      // Node checks the two timeouts on this interval; keep it below them so they hold.
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(headersTimeout / 2))),
      maxHeaderSize: options.maxHeaderSize ?? 16 * 1024,
    },
    handler.listener,
  )
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) =>
    answerClientError(error, socket, handler, requestTimeout),
  )
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? defaultPort, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
  if (!handler.authenticated)
    logger.warn(
      `authentication is off: any caller is accepted and sees every account (listening on ${url} only)`,
    )
  return {
    host: address.address,
    port: address.port,
    url,
    handler,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e === undefined ? resolve() : reject(e)))
        server.closeAllConnections()
      }),
  }
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

// What Node's HTTP parser refuses before the handler sees a request (a head too large, bytes
// that are not HTTP, a request too slow) is answered as the handler answers everything else: a
// named error the SDK can read, instead of Node's bare status line. As Node does by default,
// nothing is written once a response has begun, and the connection is closed either way.
const answerClientError = (
  error: NodeJS.ErrnoException,
  socket: Socket,
  handler: Handler,
  requestTimeout: number,
): void => {
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage
  if (error.code !== 'ECONNRESET' && socket.writable && inFlight?.headersSent !== true) {
    const [status, message] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'request headers are too large']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, `request did not arrive in full within ${requestTimeout} ms`]
          : error.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
            ? [413, 'request chunk extensions are too large']
            : [400, `malformed HTTP request (${error.code ?? 'parse error'})`]
    let requestId = 'unknown'
    try {
      requestId = handler.engine.requestId()
    } catch {
      // The answer still goes out without one.
    }
    const response = withDate(Date.now())(errorResponse(requestId, clientException(message), { status }))
    const head = Object.entries({ ...response.headers, connection: 'close' })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${head}\r\n${response.body}`)
  }
  socket.destroySoon()
}

/**
 * Whether a host names this machine only: `localhost`, `127.0.0.0/8`, `::1`, or an
 * IPv4-mapped loopback address.
 *
 * @category utils
 */
export const isLoopback = (host: string): boolean => {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (h === 'localhost') return true
  if (isIP(h) === 4) return h.startsWith('127.')
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h) || h === '0:0:0:0:0:0:0:1'
  return false
}
