/**
 * Pagination tokens: a keyset cursor, versioned, carrying the signing key's id, an expiry and a
 * fingerprint of everything that shapes the result, signed with HMAC-SHA256. Verification
 * compares in constant time and accepts every configured key, so keys can be rotated.
 *
 * Format (all URL-safe): `v1.<keyId>.<payload>.<signature>`, where payload is base64url JSON
 * `{"e":expirySeconds,"f":fingerprint,"c":cursor,"p":{part:digest}}` and signature is base64url
 * HMAC-SHA256(key, `v1.<keyId>.<payload>`). See `docs/pagination-tokens.md`.
 *
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type * as E from 'fp-ts/lib/Either.js'
import * as Either from 'fp-ts/lib/Either.js'
import type { ReadonlyNonEmptyArray } from 'fp-ts/lib/ReadonlyNonEmptyArray.js'
import {
  type InvalidPaginationTokenException,
  type InvalidRequestException,
  invalidPaginationToken,
  invalidRequest,
} from './Errors.js'
import { sha256 } from './Sha256.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A signing key: an id that travels in the token and at least 32 secret bytes.
 *
 * @example
 * ```ts
 * import { generateTokenKey, parseTokenKey, type TokenKey } from '@scantally/core'
 *
 * // The configured keys, newest first, or an ephemeral one when none is configured.
 * const keysOf = (texts: ReadonlyArray<string>): ReadonlyArray<TokenKey> =>
 *   texts.length === 0 ? [generateTokenKey()] : texts.flatMap((t) => {
 *     const key = parseTokenKey(t)
 *     return key._tag === 'Right' ? [key.right] : []
 *   })
 * ```
 *
 * @category model
 * @since 0.1.0
 */
export interface TokenKey {
  readonly id: string
  readonly secret: Uint8Array
}

/**
 * Everything token signing needs: keys newest first (signing uses the first, verification
 * accepts all), the lifetime, and the clock (milliseconds since the epoch).
 *
 * @category model
 * @since 0.1.0
 */
export interface TokenConfig {
  readonly keys: ReadonlyNonEmptyArray<TokenKey>
  readonly ttlSeconds: number
  readonly now: () => number
}

/**
 * The keyset cursor a token carries: the sort tuple of the last group emitted, key last.
 *
 * @category model
 */
export type Cursor = ReadonlyArray<string | number>

/**
 * Default token lifetime: 24 hours.
 *
 * @category model
 */
export const defaultTokenTtlSeconds = 24 * 60 * 60

/**
 * Smallest accepted secret, in bytes.
 *
 * @category model
 */
export const minimumSecretBytes = 32

/**
 * What a token is bound to: the fingerprint of everything that shapes the result (`whole`, the
 * binding), and a short digest of each part of it (the operation, the filter, the page size, the
 * caller, ...) by name, so a token refused for another request can say which part differs.
 *
 * @category model
 */
export interface Fingerprint {
  readonly whole: string
  readonly parts: Readonly<Record<string, string>>
}

/**
 * How a refused token's differing parts are named, by part name (the keys of what
 * {@link fingerprintParts} was given); a part not listed is named as it is.
 *
 * @category model
 */
export const tokenPartNames: Readonly<Record<string, string>> = {
  operation: 'the operation',
  groupBy: 'the grouping (groupBy)',
  filter: 'the filter',
  filters: 'the filter',
  sortBy: 'the sort (sortBy, sortOrder)',
  sortOrder: 'the sort (sortBy, sortOrder)',
  size: 'the page size (maxResults)',
  caller: 'the caller (the identity the token was issued to)',
  accounts: "the caller's account scope",
  findings: 'the findings listed (the data changed)',
}

const version = 'v1'
const keyIdPattern = /^[A-Za-z0-9_-]{1,32}$/
const b64url = /^[A-Za-z0-9_-]+$/

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A key from secret bytes. Without an id, the id is derived from the secret's SHA-256 (so the
 * same secret gets the same id in every process, and the id reveals nothing usable).
 *
 * @example
 * ```ts
 * import { randomBytes } from 'node:crypto'
 * import { makeTokenKey } from '@scantally/core'
 *
 * const key = makeTokenKey(randomBytes(32), '2026-01')
 * console.log(makeTokenKey(randomBytes(16))) // Left: token key must have at least 32 bytes, got 16
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeTokenKey = (
  secret: Uint8Array,
  id?: string,
): E.Either<InvalidRequestException, TokenKey> => {
  if (secret.length < minimumSecretBytes)
    return Either.left(
      invalidRequest(`token key must have at least ${minimumSecretBytes} bytes, got ${secret.length}`),
    )
  const keyId = id ?? keyIdOf(secret)
  if (!keyIdPattern.test(keyId))
    return Either.left(
      invalidRequest(`token key id must match ${keyIdPattern.source}, got ${JSON.stringify(keyId)}`),
    )
  return Either.right({ id: keyId, secret: Uint8Array.from(secret) })
}

/**
 * Parses a key written as text: `[id:]secret`, the secret in hex (64+ digits) or base64/base64url
 * (43+ characters) for at least 32 bytes.
 *
 * @example
 * ```ts
 * import { emptyIndex, makeEngine, parseTokenKey } from '@scantally/core'
 *
 * // `id:secret` in hex, as in SCANTALLY_TOKEN_KEYS; the secret here is 32 bytes.
 * const key = parseTokenKey(`2026-01:${'a1b2c3d4'.repeat(8)}`)
 * if (key._tag === 'Left') throw new Error(key.left.message)
 * console.log(key.right.id) // '2026-01'
 * const engine = makeEngine(emptyIndex, { keys: [key.right] })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const parseTokenKey = (text: string): E.Either<InvalidRequestException, TokenKey> => {
  const trimmed = text.trim()
  const colon = trimmed.indexOf(':')
  const id = colon === -1 ? undefined : trimmed.slice(0, colon)
  const encoded = colon === -1 ? trimmed : trimmed.slice(colon + 1)
  const bytes = /^(?:[0-9a-fA-F]{2})+$/.test(encoded)
    ? Buffer.from(encoded, 'hex')
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)
      ? Buffer.from(encoded.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), 'base64url')
      : undefined
  if (bytes === undefined) return Either.left(invalidRequest('token key must be hex or base64 text'))
  return makeTokenKey(bytes, id)
}

/**
 * A fresh random key (32 bytes from the system CSPRNG), for servers started without one.
 *
 * @example
 * ```ts
 * import { emptyIndex, generateTokenKey, makeEngine } from '@scantally/core'
 *
 * // An ephemeral key: tokens stop verifying when the process restarts.
 * const key = generateTokenKey()
 * console.log(key.id, key.secret.length) // e.g. 'q2Ylb0dW' 32
 * const engine = makeEngine(emptyIndex, { keys: [key] })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const generateTokenKey = (): TokenKey => {
  const secret = randomBytes(minimumSecretBytes)
  return { id: keyIdOf(secret), secret }
}

// A key's id from its secret, the same in every process, revealing nothing usable.
const keyIdOf = (secret: Uint8Array): string => sha256(secret, 'base64url').slice(0, 8)

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The fingerprint of what shapes a result: SHA-256 over a canonical JSON of the parts,
 * truncated to 128 bits, base64url.
 *
 * @category combinators
 */
export const fingerprintOf = (parts: unknown): string => digestOf(canonicalJson(parts))

/**
 * The fingerprint of parts (see {@link fingerprintOf}) and a 36-bit digest of each part. The
 * digests only explain a refusal: the binding is the whole fingerprint.
 *
 * @category combinators
 */
export const fingerprintParts = (parts: Readonly<Record<string, unknown>>): Fingerprint => {
  // Each part's canonical JSON is made once: the whole's is theirs joined, as `canonicalJson`
  // would make it (a caller's accounts may be hundreds of them).
  const keys = Object.keys(parts)
    .filter((k) => parts[k] !== undefined)
    .sort()
  const texts = keys.map((k) => canonicalJson(parts[k]))
  // Every page of a walk has the same parts: their digests are found again by a short key, a
  // shared part named by its own digest rather than its text.
  const memo = keys
    .map((k, i) => {
      const part = parts[k]
      return `${JSON.stringify(k)}:${part instanceof CanonicalPart ? `#${part.key}` : texts[i]}`
    })
    .join(',')
  const known = fingerprints.get(memo)
  if (known !== undefined) return known
  const whole = `{${keys.map((k, i) => `${JSON.stringify(k)}:${texts[i]}`).join(',')}}`
  const made: Fingerprint = {
    whole: digestOf(whole),
    parts: Object.fromEntries(
      keys.map((k, i) => {
        const part = parts[k]
        return [k, part instanceof CanonicalPart ? part.digest : digestOf(texts[i] as string).slice(0, 6)]
      }),
    ),
  }
  if (memo.length <= maxMemoKey) {
    if (fingerprints.size >= maxFingerprints) fingerprints.clear()
    fingerprints.set(memo, made)
  }
  return made
}

// The fingerprints last made, by their parts' memo key: a bounded memo (emptied when full, and
// without the keys of long filters: at most 4 MiB of keys), since requests of ever-new shapes
// must not hold memory.
const fingerprints = new Map<string, Fingerprint>()
const maxFingerprints = 1024
const maxMemoKey = 4096

/**
 * A value of a fingerprint's part whose canonical JSON and digest are made once, for a value
 * many requests share (a caller's accounts): `canonicalJson` writes its text as it is.
 *
 * @category model
 */
export class CanonicalPart {
  readonly text: string
  /** The part's digest in a fingerprint's parts. */
  readonly digest: string
  /** The text's 128-bit digest, as a whole fingerprint is made: a short key for the value. */
  readonly key: string

  constructor(value: unknown) {
    this.text = canonicalJson(value)
    this.key = digestOf(this.text)
    this.digest = this.key.slice(0, 6)
  }
}

const digestOf = (text: string): string => sha256(text, 'base64url').slice(0, 22)

/**
 * Signs a cursor for a fingerprint (a bare one, or with its parts) with the newest key.
 *
 * @category combinators
 */
export const signToken = (config: TokenConfig, fingerprint: string | Fingerprint, cursor: Cursor): string => {
  const key = config.keys[0]
  const expiry = Math.floor(config.now() / 1000) + config.ttlSeconds
  const body =
    typeof fingerprint === 'string'
      ? { e: expiry, f: fingerprint, c: cursor }
      : { e: expiry, f: fingerprint.whole, c: cursor, p: fingerprint.parts }
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url')
  const signed = `${version}.${key.id}.${payload}`
  return `${signed}.${mac(key, signed).toString('base64url')}`
}

/**
 * Verifies a token for a fingerprint and returns its cursor. Fails, never silently restarting,
 * when the token is malformed, signed by no configured key, tampered with, expired, or issued
 * for another fingerprint (request or caller); given the parts, that error names the parts that
 * differ.
 *
 * @category combinators
 */
export const verifyToken = (
  config: TokenConfig,
  token: string,
  fingerprint: string | Fingerprint,
): E.Either<InvalidPaginationTokenException, Cursor> => {
  const parts = token.split('.')
  const [v, keyId, payload, signature] = parts
  if (
    parts.length !== 4 ||
    v !== version ||
    keyId === undefined ||
    !keyIdPattern.test(keyId) ||
    payload === undefined ||
    signature === undefined ||
    !isCanonicalBase64url(payload) ||
    !isCanonicalBase64url(signature)
  )
    return Either.left(invalidPaginationToken('nextToken is malformed: not a token this service issued'))
  const key = config.keys.find((k) => k.id === keyId)
  if (key === undefined)
    return Either.left(
      invalidPaginationToken('nextToken was signed by a key that is not configured (unknown or rotated out)'),
    )
  const expected = mac(key, `${version}.${keyId}.${payload}`)
  const given = Buffer.from(signature, 'base64url')
  // The length of a signature is public; only the bytes must be compared in constant time.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return Either.left(invalidPaginationToken('nextToken signature does not verify: the token was altered'))
  const body = parsePayload(payload)
  if (body === undefined)
    return Either.left(invalidPaginationToken('nextToken is malformed: unreadable payload'))
  if (body.e * 1000 <= config.now())
    return Either.left(
      invalidPaginationToken(`nextToken expired at ${new Date(body.e * 1000).toISOString()}`),
    )
  const bound = typeof fingerprint === 'string' ? { whole: fingerprint, parts: {} } : fingerprint
  if (body.f !== bound.whole)
    return Either.left(
      invalidPaginationToken(
        `nextToken was issued for a different request or caller${differing(body.p, bound.parts)}; start again without it`,
      ),
    )
  return Either.right(body.c)
}

// `: the X and the Y differ` for the parts whose digests differ; nothing when that cannot be said
// (a token without parts, a digest collision).
const differing = (
  signed: Readonly<Record<string, string>> | undefined,
  expected: Readonly<Record<string, string>>,
): string => {
  if (signed === undefined) return ''
  const differs = [...new Set([...Object.keys(signed), ...Object.keys(expected)])]
    .filter((k) => signed[k] !== expected[k])
    .sort((a, b) => rank(a) - rank(b))
  // Another operation's token differs in every part; the operation is what to say.
  const named = differs[0] === 'operation' ? ['operation'] : differs
  const names = [...new Set(named.map((k) => tokenPartNames[k] ?? k))]
  const last = names[names.length - 1]
  if (last === undefined) return ''
  const listed = names.length === 1 ? last : `${names.slice(0, -1).join(', ')} and ${last}`
  return `: ${listed} ${names.length === 1 ? 'differs' : 'differ'}`
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * JSON with object keys sorted, so equal values always hash alike.
 *
 * @category utils
 */
export const canonicalJson = (u: unknown): string => {
  if (u instanceof CanonicalPart) return u.text
  // An array of plain values (a caller's accounts) is written by JSON.stringify as it is here.
  if (Array.isArray(u))
    return u.every((e) => typeof e !== 'object' || e === null)
      ? JSON.stringify(u)
      : `[${u.map(canonicalJson).join(',')}]`
  if (typeof u === 'object' && u !== null)
    return `{${Object.keys(u)
      .filter((k) => (u as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((u as Record<string, unknown>)[k])}`)
      .join(',')}}`
  return JSON.stringify(u) ?? 'null'
}

const mac = (key: TokenKey, text: string): Buffer => createHmac('sha256', key.secret).update(text).digest()

// Base64url has several spellings of the same bytes (unused low bits of the last character);
// accepting only the canonical one means any changed character is a different token.
const isCanonicalBase64url = (s: string): boolean =>
  b64url.test(s) && Buffer.from(s, 'base64url').toString('base64url') === s

interface Payload {
  readonly e: number
  readonly f: string
  readonly c: Cursor
  readonly p: Readonly<Record<string, string>> | undefined
}

const parsePayload = (payload: string): Payload | undefined => {
  try {
    const body: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    if (typeof body !== 'object' || body === null) return undefined
    const { e, f, c, p } = body as Record<string, unknown>
    if (typeof e !== 'number' || !Number.isFinite(e) || typeof f !== 'string' || !Array.isArray(c))
      return undefined
    if (!c.every((x) => typeof x === 'string' || typeof x === 'number')) return undefined
    if (p !== undefined && !isDigestRecord(p)) return undefined
    return { e, f, c, p }
  } catch {
    return undefined
  }
}

const partOrder = Object.keys(tokenPartNames)
const rank = (part: string): number => {
  const i = partOrder.indexOf(part)
  return i === -1 ? partOrder.length : i
}

const isDigestRecord = (u: unknown): u is Readonly<Record<string, string>> =>
  typeof u === 'object' &&
  u !== null &&
  !Array.isArray(u) &&
  Object.values(u).every((v) => typeof v === 'string')
