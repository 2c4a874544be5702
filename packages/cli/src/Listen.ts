/**
 * What `serve` checks about where it will listen before it loads anything: the host is an
 * address or a host name, an unauthenticated server binds loopback only, and the address can be
 * bound now (the port free, the address this machine's).
 *
 * @module
 */
import { createServer, isIP } from 'node:net'
import { isLoopback } from '@scantally/server'
import * as E from 'fp-ts/lib/Either.js'

const hostName =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/

/**
 * Checks `--host`: an IPv4 or IPv6 address or a host name, and, without credentials, a loopback
 * one (authentication is off then). The message is a usage error.
 *
 * @category utils
 */
export const checkHost = (host: string, authenticated: boolean): E.Either<string, string> => {
  if (isIP(host) === 0 && !hostName.test(host))
    return E.left(`--host must be an IP address or a host name, got ${JSON.stringify(host)}`)
  if (!authenticated && !isLoopback(host))
    return E.left(
      `--host ${host} needs --credentials: without them authentication is off, so only a loopback address (127.0.0.1, ::1, localhost) may be bound`,
    )
  return E.right(host)
}

/**
 * Binds `host:port` and lets it go again, so a port in use or an address that is not this
 * machine's fails in a second, before a long load, not after it. (Another process could still
 * take the port in between; the server's own bind then fails the same way.)
 *
 * @category utils
 */
export const probeListen = (host: string, port: number): Promise<E.Either<string, void>> =>
  new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', (e: NodeJS.ErrnoException) => resolve(E.left(listenFailure(host, port, e))))
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(E.right(undefined))))
  })

/**
 * A failure to listen as one line: where, and what it means.
 *
 * @category utils
 */
export const listenFailure = (host: string, port: number, e: NodeJS.ErrnoException): string => {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`
  const why =
    e.code === 'EADDRINUSE'
      ? 'the port is in use (--port 0 picks a free one)'
      : e.code === 'EADDRNOTAVAIL'
        ? 'the address is not one of this machine'
        : e.code === 'EACCES'
          ? 'permission denied (ports below 1024 need privileges)'
          : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'
            ? 'the host name does not resolve'
            : e.message
  return `cannot listen on ${where}: ${why}`
}
