/**
 * The timestamp spellings found in finding exports: epoch seconds (the AWS wire format, a JSON
 * number or a numeric string), ISO 8601 (`2024-09-04T16:59:44.356Z`), and EventBridge /
 * Inspector report style (`Wed Sep 04 16:59:44.356 UTC 2024`).
 *
 * No field the engine counts or groups by is a timestamp, so readers never reject a record for
 * its timestamps; this parser is for callers that want them (and documents what is accepted).
 *
 * @module
 */
import * as O from 'fp-ts/lib/Option.js'

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const

const iso =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|z|[+-]\d{2}:?\d{2})?$/
const eventBridge =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? (?:UTC|GMT|Z) (\d{4})$/
const epoch = /^-?\d+(?:\.\d+)?$/

// Builds a UTC instant, rejecting fields out of range instead of letting Date roll them over.
const utc = (
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  frac: string | undefined,
) => {
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000)
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms)
  const date = new Date(t)
  const valid =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    h < 24 &&
    mi < 60 &&
    s < 60
  return valid ? O.some(t) : O.none
}

/**
 * Parses a timestamp in any of the accepted spellings to epoch milliseconds; `None` when the
 * value is none of them (or names a day that does not exist).
 *
 * @category utils
 */
export const parseTimestamp = (u: unknown): O.Option<number> => {
  if (typeof u === 'number') return Number.isFinite(u) ? O.some(Math.round(u * 1000)) : O.none
  if (typeof u !== 'string') return O.none
  const s = u.trim()
  if (epoch.test(s)) return O.some(Math.round(Number(s) * 1000))
  const i = iso.exec(s)
  if (i !== null) {
    const [, y, mo, d, h = '0', mi = '0', sec = '0', frac, zone] = i
    const local = utc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec), frac)
    if (O.isNone(local) || zone === undefined || zone === 'Z' || zone === 'z') return local
    const sign = zone.startsWith('-') ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    const offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000
    return O.some(local.value - offset)
  }
  const e = eventBridge.exec(s)
  if (e !== null) {
    const [, mon, d, h, mi, sec, frac, y] = e
    const mo = months.indexOf(mon as (typeof months)[number]) + 1
    return mo === 0 ? O.none : utc(Number(y), mo, Number(d), Number(h), Number(mi), Number(sec), frac)
  }
  return O.none
}
