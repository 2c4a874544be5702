/**
 * Per-caller rate limiting with token buckets: each caller may spend up to `burst` requests at
 * once, and earns `perSecond` back continuously. The bucket arithmetic is pure; the limiter
 * keeps one bucket per caller and reads an injectable clock.
 *
 * @module
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The limit: a sustained rate in requests per second and the burst a full bucket allows
 * (default: the rate rounded up, at least 1).
 *
 * @category model
 */
export interface RateLimit {
  readonly perSecond: number
  readonly burst?: number
}

/**
 * One caller's bucket: the tokens it holds and when they were counted (milliseconds).
 *
 * @category model
 */
export interface Bucket {
  readonly tokens: number
  readonly at: number
}

/**
 * The outcome of one request: whether it may proceed, the bucket afterwards, and, when
 * refused, how many seconds until a token is back.
 *
 * @category model
 */
export interface Decision {
  readonly allowed: boolean
  readonly bucket: Bucket
  readonly retryAfterSeconds: number
}

/**
 * A stateful limiter: `take(callerId)` spends one token of that caller's bucket, if it has one.
 *
 * @category model
 */
export interface RateLimiter {
  readonly take: (callerId: string) => Decision
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A full bucket at a point in time.
 *
 * @category constructors
 */
export const fullBucket = (limit: RateLimit, at: number): Bucket => ({ tokens: burstOf(limit), at })

/**
 * A limiter with one bucket per caller, created full on the caller's first request. Callers
 * are the configured credentials (or the one anonymous caller), so the map stays small.
 *
 * @category constructors
 */
export const makeRateLimiter = (limit: RateLimit, now: () => number): RateLimiter => {
  checkRateLimit(limit)
  const buckets = new Map<string, Bucket>()
  return {
    take: (callerId) => {
      const at = now()
      const decision = take(limit)(buckets.get(callerId) ?? fullBucket(limit, at), at)
      buckets.set(callerId, decision.bucket)
      return decision
    },
  }
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Refills a bucket for the time elapsed (never above the burst, never backwards when the clock
 * steps back) and spends one token if there is a whole one.
 *
 * @category combinators
 */
export const take =
  (limit: RateLimit) =>
  (bucket: Bucket, at: number): Decision => {
    const elapsed = Math.max(0, at - bucket.at) / 1000
    const tokens = Math.min(burstOf(limit), bucket.tokens + elapsed * limit.perSecond)
    const time = Math.max(at, bucket.at)
    return tokens >= 1
      ? { allowed: true, bucket: { tokens: tokens - 1, at: time }, retryAfterSeconds: 0 }
      : { allowed: false, bucket: { tokens, at: time }, retryAfterSeconds: (1 - tokens) / limit.perSecond }
  }

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The burst of a limit: as configured, or the rate rounded up (at least 1).
 *
 * @category utils
 */
export const burstOf = (limit: RateLimit): number => limit.burst ?? Math.max(1, Math.ceil(limit.perSecond))

/**
 * Throws a RangeError for a limit that cannot work (a configuration mistake, found at start).
 *
 * @category utils
 */
export const checkRateLimit = (limit: RateLimit): void => {
  if (!(Number.isFinite(limit.perSecond) && limit.perSecond > 0))
    throw new RangeError(
      `rate limit must be a positive number of requests per second, got ${limit.perSecond}`,
    )
  if (limit.burst !== undefined && !(Number.isInteger(limit.burst) && limit.burst >= 1))
    throw new RangeError(`rate limit burst must be a positive integer, got ${limit.burst}`)
}
