// The fast record walker, compiled to WebAssembly (AssemblyScript), and the fast path's one
// decider. It walks one export record (the members the engine needs are found by their key
// bytes, everything else is skipped with the scanner's grammar), leaves what it read in a table
// of 32-bit words and decides what the record is, as core's mapping would, or declines; then
// `FastRecord.ts` only turns the words of a counted finding into one. Strings are scanned 16
// bytes at a time.
//
// A deliberate twin (docs/architecture.md): `decide` makes on bytes the decision core's codec
// mapping (`InspectorFinding.ts`, `ImageScanFinding.ts`, `Linkage.ts`: the reference) makes on
// objects, for speed; the differential tests keep the two equal.
//
// The words, literal ids, member bits and packing are in `layout.ts`, generated from
// `scripts/record-layout.json`. Memory: result words from 0, the literal table from
// LITERAL_TABLE (an offset and a length per literal, 16 bits each), the literals' bytes from
// LITERAL_BYTES, compiled-in data from MEMORY_BASE (`--memoryBase`), the skipper's stack of
// levels from 8192, then the interning table and its entries, the run's findings, the arena of
// unescaped strings (`ARENA`), and the input after them (`INPUT`).
//
// Every function takes and returns a byte address; a negative result is NEED or DECLINE and is
// passed up unchanged.
import {
  BIT_ACCOUNT, BIT_ARN, BIT_BUILD, BIT_DETAIL, BIT_DETAIL_TYPE, BIT_EXPLOIT, BIT_FIX, BIT_PIPELINE, BIT_PVD,
  BIT_RESOURCES, BIT_SEVERITY, BIT_SOURCE, BIT_STATUS, DECLINE, EXPLOIT_COUNT, EXPLOIT_FIRST, F_ACCOUNT, F_ARN,
  F_BUILD, F_PACKED, F_PIPELINE, F_PRINT, F_VULNERABILITY_ID, FIX_COUNT, FIX_FIRST, FP_FINAL_MUL_0,
  FP_FINAL_MUL_1, FP_FINAL_MUL_2, FP_FINAL_MUL_3, FP_LANE_MUL_0, FP_LANE_MUL_1, FP_LANE_MUL_2, FP_LANE_MUL_3, FP_MIX_MUL_0, FP_MIX_MUL_1,
  FP_SEED_0, FP_SEED_1, FP_SEED_2, FP_SEED_3, K_ACCOUNT, K_ARN, K_BUILD, K_DETAIL, K_DETAIL_TYPE,
  K_EC2_IMAGE_BUILDER_ARN, K_EXPLOIT, K_FINDINGS, K_FIX, K_INSPECTOR2_FINDING, K_PIPELINE, K_PVD, K_RESOURCES,
  ENTRY_BYTES, ENTRY_HASH, ENTRY_HASH2, ENTRY_LENGTH, ENTRY_PLACE,
  K_SEVERITY, K_SOURCE, K_STATUS, K_TAGS, K_VULNERABILITY_ID, LITERAL_TABLE, MEMBER_LENGTHS, NEED,
  OUTCOME_COUNTED, OUTCOME_DECLINED, OUTCOME_NO_IMAGE_LINKAGE, OUTCOME_NOT_ACTIVE, PACK_EXPLOIT_SHIFT,
  PACK_FIX_SHIFT, PACK_SEVERITY_SHIFT, R_DETAIL_SET, R_DETAIL_TYPE_OK, R_FINDING, R_LAST_NEWLINE, R_OUTCOME,
  R_RUN_AFTER_RECORD, R_RUN_COUNTED, R_RUN_NO_LINKAGE, R_RUN_NOT_ACTIVE, R_RUN_READ, R_TOP, RUN_ACCOUNT,
  RUN_BUILD, RUN_END, RUN_PACKED, RUN_PIPELINE, RUN_PRINT, RUN_START, RUN_VULNERABILITY_ID, RUN_WORDS, SEVERITY_COUNT,
  SEVERITY_FIRST, STATUS_COUNT, STATUS_FIRST, W_ACCOUNT, W_ARN, W_BUILD, W_EXPLOIT, W_FIX, W_PIPELINE,
  W_RESOURCES_BAD, W_SEEN, W_SEVERITY, W_STATUS, W_TAG, W_VULNERABILITY_ID,
} from './layout'

const MAX_DEPTH: i32 = 1000
// What each level a skipped value opens closes with, a byte a level, by depth.
const STACK: i32 = 8192

// Interning: group keys repeat (accounts, builds, CVEs), so each distinct one gets an id, found
// again in an open-addressing table, and JavaScript decodes it once. Bounded, so that an export
// of ever-new values costs a decode each, not memory without end: room for about a million keys,
// then values are not kept. A quarter of a million, as it was, is what an organisation's image
// builds and vulnerability ids can reach together, and past it every record with a new key was
// read alone (a million findings of 900,000 image builds took 12 to 25% more CPU). The table and
// entries take memory only as they fill. Values crafted to share a hash are not interned, never
// searched for long.
//
// An entry keeps no copy of its key's bytes (with 200,000 image builds those were 15 MB a
// thread): it is known again by its length and two 64-bit hashes of its bytes, as
// de-duplication knows a finding ARN by its fingerprint (two keys share 128 bits with probability
// about n²/2¹²⁹). Each time an id is given, its entry records where the key's bytes are in the
// input, so JavaScript decodes an id given by the last call from the input itself.
const SLOTS: i32 = 1 << 21 // entry + 1, or 0 when empty; kept at most half full
const TABLE: i32 = 16384
// The slots in use: few distinct keys keep the table small enough to stay in cache.
let slots: i32 = 1 << 10
/** The interned entries, ENTRY_BYTES each (see `internedEntry` in the layout). */
export const ENTRIES: i32 = TABLE + 4 * SLOTS
const MAX_ENTRIES: i32 = 1 << 20
const MAX_PROBES: i32 = 8
/** Where `run` writes the findings it counted: RUN_WORDS words each, at most RUN_MAX. */
export const RUN: i32 = ENTRIES + ENTRY_BYTES * MAX_ENTRIES
const RUN_MAX: i32 = 1024
/**
 * Where a string the walker reads that is written with escapes is written unescaped (see
 * `escapedString`): emptied at each `record` or `run`, so its bytes last as long as the words that
 * point to them, until JavaScript has decoded them.
 */
export const ARENA: i32 = RUN + RUN_WORDS * 4 * RUN_MAX
const ARENA_BYTES: i32 = 1 << 19
let arenaTop: i32 = ARENA
/** Where the input starts (`WasmRecord.base`). */
export const INPUT: i32 = ARENA + ARENA_BYTES
let entries: i32 = 0

// The byte addresses of the slot sets and the words of the results outside them.
const TOP: i32 = R_TOP << 2
const DETAIL_SET: i32 = R_DETAIL_SET << 2
const FINDING: i32 = R_FINDING << 2
@inline function result(w: i32): i32 {
  return w << 2
}

let end: i32 = 0
let eof: bool = false
// The plain string just read: its bytes [vs, ve) and whether all are ASCII.
let vs: i32 = 0
let ve: i32 = 0
let vascii: i32 = 1
// The bit of the member just read (0 for one skipped), and a key string found by `onlyMember`.
let bit: i32 = 0
let found: i32 = -1
let foundEnd: i32 = 0
let foundAscii: i32 = 1

@inline function word(set: i32, w: i32): i32 {
  return set + (w << 2)
}

@inline function put(set: i32, w: i32, v: i32): void {
  store<i32>(set + (w << 2), v)
}

function reset(set: i32): void {
  put(set, W_SEEN, 0)
  put(set, W_ACCOUNT, -1)
  put(set, W_SEVERITY, -1)
  put(set, W_STATUS, -1)
  put(set, W_FIX, -1)
  put(set, W_EXPLOIT, -1)
  put(set, W_BUILD, -1)
  put(set, W_PIPELINE, -1)
  put(set, W_VULNERABILITY_ID, -1)
  put(set, W_TAG, -1)
  put(set, W_RESOURCES_BAD, 0)
}

// Whether the bytes [p, p + n) are literal `id`.
@inline
function is(p: i32, n: i32, id: i32): bool {
  const entry = LITERAL_TABLE + (id << 2)
  if (<i32>load<u16>(entry, 2) != n) return false
  return same(p, <i32>load<u16>(entry), n)
}

// The index in the group [first, first + count) of the literal the bytes [p, q) are, or -1.
function literalIndex(p: i32, q: i32, first: i32, count: i32): i32 {
  for (let k = 0; k < count; k++) if (is(p, q - p, first + k)) return k
  return -1
}

// Whether the n bytes at a and at b are the same.
@inline
function same(a: i32, b: i32, n: i32): bool {
  let i = 0
  for (; i + 8 <= n; i += 8) if (load<u64>(a + i) != load<u64>(b + i)) return false
  for (; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false
  return true
}

// The second hash of the last `hashBytes`.
let hash2: u64 = 0

// Two 64-bit hashes of the bytes [p, q), eight bytes at a time, each with its own seed,
// multipliers and shifts: the first is returned (its low bits place the key in the table), the
// second left in `hash2`.
function hashBytes(p: i32, q: i32): u64 {
  let h: u64 = 0x9e3779b97f4a7c15 ^ <u64>(q - p)
  let g: u64 = 0x2545f4914f6cdd1d + <u64>(q - p)
  let i = p
  for (; i + 8 <= q; i += 8) {
    const w = load<u64>(i)
    h = (h ^ w) * 0xff51afd7ed558ccd
    h ^= h >> 32
    g = (g + w) * 0x9fb21c651e98df25
    g ^= g >> 29
  }
  let tail: u64 = 0
  for (; i < q; i++) tail = (tail << 8) | <u64>load<u8>(i)
  h = (h ^ tail) * 0xc4ceb9fe1a85ec53
  g = (g + tail) * 0xd6e8feb86659fd93
  hash2 = g ^ (g >> 31)
  return h ^ (h >> 29)
}

// The id of the bytes [p, q), interned now if they are new; -1 when they are not kept. Either
// way of giving an id records [p, q) as where its bytes are (see `WasmRecord.internedString`).
function intern(p: i32, q: i32): i32 {
  const n = q - p
  const h = hashBytes(p, q)
  const h2 = hash2
  const mask = slots - 1
  let i = <i32>h & mask
  for (let probes = 0; ; probes++) {
    const slot = load<i32>(TABLE + (i << 2))
    if (slot == 0) break
    if (probes == MAX_PROBES) return -1
    const e = ENTRIES + (slot - 1) * ENTRY_BYTES
    if (load<u64>(e, ENTRY_HASH) == h && load<u64>(e, ENTRY_HASH2) == h2 && load<i32>(e, ENTRY_LENGTH) == n) {
      store<i32>(e, p, ENTRY_PLACE)
      return slot - 1
    }
    i = (i + 1) & mask
  }
  if (entries == MAX_ENTRIES) return -1
  const e = ENTRIES + entries * ENTRY_BYTES
  store<u64>(e, h, ENTRY_HASH)
  store<u64>(e, h2, ENTRY_HASH2)
  store<i32>(e, n, ENTRY_LENGTH)
  store<i32>(e, p, ENTRY_PLACE)
  store<i32>(TABLE + (i << 2), entries + 1)
  entries++
  // Kept at most half full, so probe runs stay short.
  if (entries * 2 > slots && slots < SLOTS) rehash(slots * 2)
  return entries - 1
}

// Builds the table anew with `size` slots from the entries (which keep their hashes).
function rehash(size: i32): void {
  slots = size
  memory.fill(TABLE, 0, size << 2)
  const mask = size - 1
  for (let k = 0; k < entries; k++) {
    let i = <i32>load<u64>(ENTRIES + k * ENTRY_BYTES, ENTRY_HASH) & mask
    while (load<i32>(TABLE + (i << 2)) != 0) i = (i + 1) & mask
    store<i32>(TABLE + (i << 2), k + 1)
  }
}

@inline function fmix(h: u32): u32 {
  h ^= h >>> 16
  h *= FP_MIX_MUL_0
  h ^= h >>> 13
  h *= FP_MIX_MUL_1
  return h ^ (h >>> 16)
}

// One step of the fingerprint's four lanes over the word u (two UTF-16 units).
@inline function mixLanes(u: u32): void {
  la = (la ^ u) * FP_LANE_MUL_0
  lb = (lb ^ u) * FP_LANE_MUL_1
  lb ^= lb >>> 15
  lc = (lc + u) * FP_LANE_MUL_2
  lc = (lc << 13) | (lc >>> 19)
  ld = (ld ^ u) * FP_LANE_MUL_3
  ld ^= ld >>> 13
}
let la: u32 = 0
let lb: u32 = 0
let lc: u32 = 0
let ld: u32 = 0

// The 128-bit fingerprint of the ASCII bytes [p, q), as `fingerprintInto` computes it (over
// pairs of units: an ASCII byte is its UTF-16 unit), into four words of `set` from `w`. A
// deliberate twin of `FindingArnSet.fingerprintInto` (docs/architecture.md), so a duplicate is
// found whichever path read each copy; `FastRecord.test.ts` checks both give the same print.
function fingerprint(p: i32, q: i32, set: i32, w: i32): void {
  const n = <u32>(q - p)
  la = FP_SEED_0 ^ n
  lb = FP_SEED_1 ^ n
  lc = FP_SEED_2 ^ n
  ld = FP_SEED_3 ^ n
  let i = p
  for (; i + 4 <= q; i += 4) {
    const x = load<u32>(i)
    mixLanes((x & 0xff) | ((x & 0xff00) << 8))
    mixLanes(((x >>> 16) & 0xff) | ((x >>> 8) & 0xff0000))
  }
  if (i + 2 <= q) {
    const x = <u32>load<u16>(i)
    mixLanes((x & 0xff) | ((x & 0xff00) << 8))
    i += 2
  }
  if (i < q) mixLanes(<u32>load<u8>(i))
  store<u32>(word(set, w), fmix(la ^ (lc * FP_FINAL_MUL_0)))
  store<u32>(word(set, w + 1), fmix(lb ^ (ld * FP_FINAL_MUL_1)))
  store<u32>(word(set, w + 2), fmix(lc ^ (la * FP_FINAL_MUL_2)))
  store<u32>(word(set, w + 3), fmix(ld ^ (lb * FP_FINAL_MUL_3)) | 1)
}

// The next byte that is not whitespace, from p; NEED at the end of the input.
@inline function next(p: i32): i32 {
  while (p < end) {
    const c = load<u8>(p)
    // Everything but whitespace and control characters is above the space.
    if (c > 0x20 || (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09)) return p
    p++
  }
  return NEED
}

// A string the walker reads, at its opening quote: sets vs, ve, vascii and returns the address
// after its closing quote. Its bytes are left in place, or, written with escapes, unescaped into
// the arena (see `escapedString`). A control character declines (the plain path names it).
@inline
function plainString(p: i32): i32 {
  const start = p + 1
  let q = start
  let high: i32 = 0
  const quote = i8x16.splat(0x22)
  const backslash = i8x16.splat(0x5c)
  const space = i8x16.splat(0x20)
  while (q + 16 <= end) {
    const v = v128.load(q)
    const stops = i8x16.bitmask(v128.or(v128.or(i8x16.eq(v, quote), i8x16.eq(v, backslash)), i8x16.lt_u(v, space)))
    if (stops != 0) {
      // The first stop ends the string: a quote closes it, anything else declines.
      const k = ctz(stops)
      high |= i8x16.bitmask(v) & ((1 << k) - 1)
      q += k
      if (load<u8>(q) != 0x22) return load<u8>(q) == 0x5c && high == 0 ? escapedString(start, q) : DECLINE
      vs = start
      ve = q
      vascii = high == 0 ? 1 : 0
      return q + 1
    }
    high |= i8x16.bitmask(v)
    q += 16
  }
  while (q < end) {
    const c = <i32>load<u8>(q)
    if (c == 0x22) {
      vs = start
      ve = q
      vascii = high == 0 ? 1 : 0
      return q + 1
    }
    if (c == 0x5c && high == 0) return escapedString(start, q)
    if (c == 0x5c || c < 0x20) return DECLINE
    high |= c & 0x80
    q++
  }
  return NEED
}

// The value of a hexadecimal digit, or -1.
@inline function hexDigit(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  c |= 0x20 // lower case
  return c >= 0x61 && c <= 0x66 ? c - 0x57 : -1
}

// The code unit of the four hexadecimal digits at p, or -1.
function hex4(p: i32): i32 {
  let code = 0
  for (let i = 0; i < 4; i++) {
    const h = hexDigit(<i32>load<u8>(p + i))
    if (h < 0) return -1
    code = (code << 4) | h
  }
  return code
}

// Writes code point `code` as UTF-8 at `out`; returns the address after it.
function utf8(out: i32, code: i32): i32 {
  if (code < 0x80) {
    store<u8>(out, code)
    return out + 1
  }
  if (code < 0x800) {
    store<u8>(out, 0xc0 | (code >> 6))
    store<u8>(out + 1, 0x80 | (code & 0x3f))
    return out + 2
  }
  if (code < 0x10000) {
    store<u8>(out, 0xe0 | (code >> 12))
    store<u8>(out + 1, 0x80 | ((code >> 6) & 0x3f))
    store<u8>(out + 2, 0x80 | (code & 0x3f))
    return out + 3
  }
  store<u8>(out, 0xf0 | (code >> 18))
  store<u8>(out + 1, 0x80 | ((code >> 12) & 0x3f))
  store<u8>(out + 2, 0x80 | ((code >> 6) & 0x3f))
  store<u8>(out + 3, 0x80 | (code & 0x3f))
  return out + 4
}

// The rest of a string read by `plainString`, from its first backslash at q (its ASCII bytes
// from `start` before it): unescaped into the arena, whose bytes [vs, ve) then are (vascii: all
// ASCII); returns the address after the closing quote. Exports that escape every '/' (as some
// JSON writers do) have ARNs so. It declines what the plain path decodes otherwise or rejects:
// a bad escape, a control character, a lone surrogate (a JavaScript string keeps it, UTF-8
// cannot), raw bytes above ASCII after an escape; and a string the arena has no room for.
function escapedString(start: i32, q: i32): i32 {
  const limit = ARENA + ARENA_BYTES
  const from = arenaTop
  let out = from + (q - start)
  if (out > limit) return DECLINE
  memory.copy(from, start, q - start)
  let high = 0
  while (true) {
    if (q >= end) return NEED
    const c = <i32>load<u8>(q)
    if (c == 0x22) break
    // Room for the longest a step writes: a code point's four bytes.
    if (out + 4 > limit || c < 0x20 || c >= 0x80) return DECLINE
    if (c != 0x5c) {
      store<u8>(out++, c)
      q++
      continue
    }
    if (q + 1 >= end) return NEED
    const e = <i32>load<u8>(q + 1)
    if (e != 0x75) {
      // The escapes of one character: \" \\ \/ \b \f \n \r \t.
      let d = -1
      if (e == 0x22 || e == 0x5c || e == 0x2f) d = e
      else if (e == 0x62) d = 0x08
      else if (e == 0x66) d = 0x0c
      else if (e == 0x6e) d = 0x0a
      else if (e == 0x72) d = 0x0d
      else if (e == 0x74) d = 0x09
      if (d < 0) return DECLINE
      store<u8>(out++, d)
      q += 2
      continue
    }
    if (q + 6 > end) return NEED
    let code = hex4(q + 2)
    if (code < 0 || (code >= 0xdc00 && code <= 0xdfff)) return DECLINE
    q += 6
    if (code >= 0xd800 && code <= 0xdbff) {
      // A high surrogate is one code point only with the low one escaped right after it.
      if (q + 6 > end) return NEED
      if (load<u8>(q) != 0x5c || load<u8>(q + 1) != 0x75) return DECLINE
      const low = hex4(q + 2)
      if (low < 0xdc00 || low > 0xdfff) return DECLINE
      code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00)
      q += 6
    }
    if (code >= 0x80) high = 1
    out = utf8(out, code)
  }
  arenaTop = out
  vs = from
  ve = out
  vascii = high == 0 ? 1 : 0
  return q + 1
}

// Skips a string at its opening quote: a backslash escapes the byte after it, as the scanner's
// count of backslashes before a quote has it.
@inline
function skipString(p: i32): i32 {
  let q = p + 1
  const quote = i8x16.splat(0x22)
  const backslash = i8x16.splat(0x5c)
  while (true) {
    // Sixteen bytes at a time; where a quote comes before any backslash, that is the end.
    while (q + 16 <= end) {
      const v = v128.load(q)
      const quotes = i8x16.bitmask(i8x16.eq(v, quote))
      const backslashes = i8x16.bitmask(i8x16.eq(v, backslash))
      if ((quotes | backslashes) != 0) {
        if (quotes != 0 && (backslashes == 0 || ctz(quotes) < ctz(backslashes))) return q + ctz(quotes) + 1
        q += ctz(backslashes)
        break
      }
      q += 16
    }
    while (q < end) {
      const c = load<u8>(q)
      if (c == 0x22 || c == 0x5c) break
      q++
    }
    if (q >= end) return NEED
    if (load<u8>(q) == 0x22) return q + 1
    q += 2
  }
  return NEED
}

// Reads a key at its opening quote (anything else declines) and the ':' after it; returns the
// address after the ':' and leaves the key's bytes in [vs, ve).
@inline
function key(p: i32): i32 {
  if (load<u8>(p) != 0x22) return DECLINE
  const q = plainString(p)
  if (q < 0) return q
  const c = next(q)
  if (c < 0) return c
  if (load<u8>(c) != 0x3a) return DECLINE
  return c + 1
}

// The literal of `n` (under eight) bytes whose bytes are `word` (little-endian), at p: compared
// as one word; near the end of the input, byte by byte, so that a literal cut short needs more
// input and a wrong byte declines, whichever comes first.
function literal(p: i32, word: u64, n: i32): i32 {
  if (p + 8 <= end) return (load<u64>(p) & ((<u64>1 << (<u64>n << 3)) - 1)) == word ? p + n : DECLINE
  for (let i = 0; i < n; i++) {
    if (p + i >= end) return NEED
    if (<u64>load<u8>(p + i) != ((word >> (<u64>i << 3)) & 0xff)) return DECLINE
  }
  return p + n
}

const TRUE: u64 = 0x65757274
const FALSE: u64 = 0x65736c6166
const NULL: u64 = 0x6c6c756e

@inline function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39
}

// How many digits (at most 16) start at p, which has 16 bytes after it.
@inline function digitRun(p: i32): i32 {
  const v = v128.load(p)
  const digits = i8x16.bitmask(i8x16.le_u(i8x16.sub(v, i8x16.splat(0x30)), i8x16.splat(9)))
  return ctz(~digits | 0x10000)
}

// A number, with the scanner's grammar; at the end of the input it may go on in the next chunk.
function number(p: i32): i32 {
  if (load<u8>(p) == 0x2d) p++
  // Most numbers are a run of digits, perhaps with a fraction (timestamps, scores): sixteen bytes
  // at a time. Anything else (an exponent, a leading zero before digits, a run that fills a
  // vector, the end of the input near) goes the byte-by-byte way below, which also declines.
  if (p + 40 <= end) {
    const k = digitRun(p)
    if (k > 0 && k < 16 && (k == 1 || load<u8>(p) != 0x30)) {
      let q = p + k
      let c = <i32>load<u8>(q)
      let ok = true
      if (c == 0x2e) {
        const m = digitRun(q + 1)
        ok = m > 0 && m < 16
        q += 1 + m
        c = <i32>load<u8>(q)
      }
      if (ok && c != 0x65 && c != 0x45) return q
    }
  }
  if (p >= end) return NEED
  const c = <i32>load<u8>(p)
  if (c == 0x30) p++
  else if (isDigit(c)) while (p < end && isDigit(<i32>load<u8>(p))) p++
  else return DECLINE
  if (p < end && load<u8>(p) == 0x2e) {
    p++
    if (p >= end) return NEED
    if (!isDigit(<i32>load<u8>(p))) return DECLINE
    while (p < end && isDigit(<i32>load<u8>(p))) p++
  }
  if (p < end && (load<u8>(p) == 0x65 || load<u8>(p) == 0x45)) {
    p++
    if (p < end && (load<u8>(p) == 0x2b || load<u8>(p) == 0x2d)) p++
    if (p >= end) return NEED
    if (!isDigit(<i32>load<u8>(p))) return DECLINE
    while (p < end && isDigit(<i32>load<u8>(p))) p++
  }
  if (p >= end && !eof) return NEED
  return p
}

// Whether `afterItem` just passed the closing bracket.
let closed = false

// After a member or an element: past the ',' to the next one, or past the closing `close` (then
// `closed` is set); anything else declines.
@inline function afterItem(p: i32, close: i32): i32 {
  closed = false
  p = next(p)
  if (p < 0) return p
  const c = <i32>load<u8>(p)
  if (c == 0x2c) return next(p + 1)
  if (c != close) return DECLINE
  closed = true
  return p + 1
}

// Past the opening bracket at p to the first item, or past the closing `close` of an empty value
// (then `closed` is set).
@inline function enter(p: i32, close: i32): i32 {
  closed = false
  p = next(p + 1)
  if (p < 0) return p
  if (<i32>load<u8>(p) != close) return p
  closed = true
  return p + 1
}

// Null (then `closed` is set) or a value opened by `open` ('{' or '['), at p: past null, or into
// the value as `enter` goes.
@inline function enterOrNull(p: i32, open: i32): i32 {
  p = next(p)
  if (p < 0) return p
  const c = <i32>load<u8>(p)
  if (c == 0x6e) {
    closed = true
    return literal(p, NULL, 4)
  }
  if (c != open) return DECLINE
  return enter(p, open + 2) // '}' after '{', ']' after '['
}

// A number or a literal at p, whose first byte is c.
function scalar(p: i32, c: i32): i32 {
  if (c == 0x74) return literal(p, TRUE, 4)
  if (c == 0x66) return literal(p, FALSE, 5)
  if (c == 0x6e) return literal(p, NULL, 4)
  if (c == 0x2d || isDigit(c)) return number(p)
  return DECLINE
}

// Skips a key at p (past the ',' or '{' before it) and its ':'; returns the address of the value
// after it.
@inline function skipKey(p: i32): i32 {
  if (load<u8>(p) != 0x22) return DECLINE
  p = skipString(p)
  if (p < 0) return p
  p = next(p)
  if (p < 0) return p
  if (load<u8>(p) != 0x3a) return DECLINE
  return next(p + 1)
}

// Skips the value at p, a member or element of a value `depth` levels deep. Nested values are
// walked in one loop, not by recursion: what each open level closes with is kept at
// STACK + its depth, and most values are strings and numbers, which cost no call.
function skip(p: i32, depth: i32): i32 {
  const base = depth
  p = next(p)
  if (p < 0) return p
  let c = <i32>load<u8>(p)
  while (true) {
    // At the first byte of a value.
    if (c == 0x22) p = skipString(p)
    else if (c == 0x7b || c == 0x5b) {
      if (++depth > MAX_DEPTH) return DECLINE
      const close = c + 2 // '}' after '{', ']' after '['
      store<u8>(STACK + depth, <u8>close)
      p = next(p + 1)
      if (p < 0) return p
      c = <i32>load<u8>(p)
      if (c != close) {
        if (close == 0x7d) {
          p = skipKey(p)
          if (p < 0) return p
          c = <i32>load<u8>(p)
        }
        continue
      }
      p++
      depth--
    } else p = scalar(p, c)
    if (p < 0) return p
    // After a value: on to the next item of its level, or close levels until one has more.
    while (true) {
      if (depth == base) return p
      p = next(p)
      if (p < 0) return p
      c = <i32>load<u8>(p)
      const close = <i32>load<u8>(STACK + depth)
      if (c == 0x2c) break
      if (c != close) return DECLINE
      p++
      depth--
    }
    p = next(p + 1)
    if (p < 0) return p
    if (<i32>load<u8>(STACK + depth) == 0x7d) {
      p = skipKey(p)
      if (p < 0) return p
    }
    c = <i32>load<u8>(p)
  }
}

// A string value (anything else declines), left in [vs, ve).
@inline
function stringValue(p: i32): i32 {
  p = next(p)
  if (p < 0) return p
  if (load<u8>(p) != 0x22) return DECLINE
  return plainString(p)
}

// A key string value (1 to 1024 bytes, so 1 to 1024 UTF-16 units), left in [vs, ve). Longer
// ones decline, and the plain path measures them.
@inline function keyValue(p: i32): i32 {
  p = stringValue(p)
  if (p < 0) return p
  const n = ve - vs
  if (n < 1 || n > 1024) return DECLINE
  return p
}

// While a run walks records, a kept key string is interned only once its record is counted
// (see `keyId`): with hundreds of thousands of image builds, each look-up is a few cache misses,
// and about a fifth of an export's records are not counted (not active, no image linkage).
let deferInterning = false
// The id word of a kept key string not interned yet.
const NOT_INTERNED: i32 = -3

// The id of the kept key string [s, e), or NOT_INTERNED while a run defers interning.
@inline function keptId(s: i32, e: i32): i32 {
  return deferInterning ? NOT_INTERNED : intern(s, e)
}

// Stores the key string [s, e) at word w of `set`: start, end, interned id (none for a key the
// reader does not keep: interning is what costs with many distinct values), ascii.
@inline function keepString(set: i32, w: i32, s: i32, e: i32, ascii: i32): void {
  put(set, w, s)
  put(set, w + 1, e)
  put(set, w + 2, (keptKeys & keyBit(w)) != 0 ? keptId(s, e) : -1)
  put(set, w + 3, ascii)
}

// The bit of `keptKeys` the key string at slot word w becomes (the tag is the image build).
@inline function keyBit(w: i32): i32 {
  return w == W_BUILD || w == W_TAG ? 1 : w == W_PIPELINE ? 2 : w == W_VULNERABILITY_ID ? 4 : 0
}

// A key string value stored at word w of `set` (see `keepString`).
function keyString(p: i32, set: i32, w: i32): i32 {
  p = keyValue(p)
  if (p >= 0) keepString(set, w, vs, ve, vascii)
  return p
}

// A string value that is one of the literals [first, first + count): its index, or -1 for any
// other string, is stored at word w of `set`.
@inline function literalValue(p: i32, set: i32, w: i32, first: i32, count: i32): i32 {
  p = stringValue(p)
  if (p >= 0) put(set, w, literalIndex(vs, ve, first, count))
  return p
}

// Walks the object at p (its '{'), whose own depth is `depth`, into the slot set `set`.
function object(p: i32, set: i32, depth: i32, top: bool): i32 {
  p = enter(p, 0x7d)
  if (p < 0 || closed) return p
  while (true) {
    p = key(p)
    if (p < 0) return p
    bit = 0
    // Most members are none the engine reads: their key's length says so at once.
    const n = ve - vs
    p = ((MEMBER_LENGTHS >> n) & 1) != 0 ? member(p, set, depth, top, vs, n) : skipValue(p, depth)
    if (p < 0) return p
    if (bit != 0) {
      const seen = load<i32>(word(set, W_SEEN))
      if ((seen & bit) != 0) return DECLINE // a repeated member: the plain path keeps the last
      put(set, W_SEEN, seen | bit)
    }
    p = afterItem(p, 0x7d)
    if (p < 0 || closed) return p
  }
}

// Skips a member's value at p: a string at once (most are), anything else with `skip`.
@inline function skipValue(p: i32, depth: i32): i32 {
  if (p < end && load<u8>(p) == 0x22) return skipString(p)
  return skip(p, depth)
}

// Sets `bit` to the member `b` whose reader just returned q, and passes q on. The reader runs
// first: `detail` walks an object of its own, which sets `bit` for each of its members.
@inline function read(b: i32, q: i32): i32 {
  bit = b
  return q
}

// Reads or skips the value of the member whose key is [k, k + n); sets `bit` for one read.
function member(p: i32, set: i32, depth: i32, top: bool, k: i32, n: i32): i32 {
  switch (n) {
    case 6:
      if (is(k, n, K_STATUS)) return read(BIT_STATUS, literalValue(p, set, W_STATUS, STATUS_FIRST, STATUS_COUNT))
      if (top && is(k, n, K_DETAIL)) return read(BIT_DETAIL, detail(p, depth))
      if (top && is(k, n, K_SOURCE)) return read(BIT_SOURCE, stringValue(p))
      break
    case 8:
      if (is(k, n, K_SEVERITY)) return read(BIT_SEVERITY, literalValue(p, set, W_SEVERITY, SEVERITY_FIRST, SEVERITY_COUNT))
      if (top && is(k, n, K_FINDINGS)) return DECLINE // a page nested where a record was expected
      break
    case 9:
      if (is(k, n, K_RESOURCES)) return read(BIT_RESOURCES, resources(p, set, depth))
      break
    case 10:
      if (is(k, n, K_ARN)) return read(BIT_ARN, arn(p, set))
      break
    case 11:
      if (top && is(k, n, K_DETAIL_TYPE)) return read(BIT_DETAIL_TYPE, detailType(p))
      break
    case 12:
      if (is(k, n, K_ACCOUNT)) return read(BIT_ACCOUNT, account(p, set))
      if (is(k, n, K_FIX)) return read(BIT_FIX, literalValue(p, set, W_FIX, FIX_FIRST, FIX_COUNT))
      break
    case 16:
      if (is(k, n, K_EXPLOIT)) return read(BIT_EXPLOIT, literalValue(p, set, W_EXPLOIT, EXPLOIT_FIRST, EXPLOIT_COUNT))
      if (is(k, n, K_PIPELINE)) return read(BIT_PIPELINE, keyString(p, set, W_PIPELINE))
      break
    case 20:
      if (is(k, n, K_BUILD)) return read(BIT_BUILD, keyString(p, set, W_BUILD))
      break
    case 27:
      if (is(k, n, K_PVD)) return read(BIT_PVD, vulnerabilityDetails(p, set, depth))
      break
  }
  return skip(p, depth)
}

// The member readers: each reads its member's value at p into `set` and returns the address
// after it (`member` sets the member's bit).

// `detail`: the event's finding, an object walked into the detail's own slot set.
@inline function detail(p: i32, depth: i32): i32 {
  p = next(p)
  if (p < 0) return p
  if (load<u8>(p) != 0x7b) return DECLINE
  return object(p, DETAIL_SET, depth + 1, false)
}

// `findingArn`: its bytes and whether they are ASCII (a counted finding's is fingerprinted in `inspector`).
@inline function arn(p: i32, set: i32): i32 {
  p = stringValue(p)
  if (p < 0) return p
  put(set, W_ARN, vs)
  put(set, W_ARN + 1, ve)
  put(set, W_ARN + 2, vascii)
  return p
}

// `detail-type`: whether it is an Inspector finding's.
@inline function detailType(p: i32): i32 {
  p = stringValue(p)
  if (p >= 0) store<i32>(result(R_DETAIL_TYPE_OK), is(vs, ve - vs, K_INSPECTOR2_FINDING) ? 1 : 0)
  return p
}

// `awsAccountId`: kept (interned) when it is twelve digits, else marked invalid (-1).
@inline function account(p: i32, set: i32): i32 {
  p = stringValue(p)
  if (p < 0) return p
  let ok = ve - vs == 12
  for (let i = vs; ok && i < ve; i++) ok = isDigit(<i32>load<u8>(i))
  put(set, W_ACCOUNT, ok ? vs : -1)
  put(set, W_ACCOUNT + 1, ve)
  put(set, W_ACCOUNT + 2, ok ? keptId(vs, ve) : -1)
  return p
}

// `packageVulnerabilityDetails`: only its `vulnerabilityId` is read.
@inline function vulnerabilityDetails(p: i32, set: i32, depth: i32): i32 {
  p = onlyMember(p, depth + 1, K_VULNERABILITY_ID, -1)
  if (p >= 0 && found >= 0) keepString(set, W_VULNERABILITY_ID, found, foundEnd, foundAscii)
  return p
}

// Null, or an object (at depth `depth`) of which only the member `name` is read (given twice, it
// declines): a key string into found/foundEnd/foundAscii, or, when `inner` is a key, null or an
// object of which only the key string member `inner` is read so (found -1: absent).
function onlyMember(p: i32, depth: i32, name: i32, inner: i32): i32 {
  let seen = false
  found = -1
  p = enterOrNull(p, 0x7b)
  if (p < 0 || closed) return p
  while (true) {
    p = key(p)
    if (p < 0) return p
    if (is(vs, ve - vs, name)) {
      if (seen) return DECLINE
      seen = true
      if (inner >= 0) p = onlyMember(p, depth + 1, inner, -1)
      else {
        p = keyValue(p)
        found = vs
        foundEnd = ve
        foundAscii = vascii
      }
    } else p = skipValue(p, depth)
    if (p < 0) return p
    p = afterItem(p, 0x7d)
    if (p < 0 || closed) return p
  }
}

// `resources`: null, or an array of resources whose `tags.Ec2ImageBuilderArn` is read; an
// event envelope's array of ARN strings marks the set unfit for a finding.
function resources(p: i32, set: i32, depth: i32): i32 {
  p = enterOrNull(p, 0x5b)
  if (p < 0 || closed) return p
  while (true) {
    if (load<u8>(p) == 0x7b) {
      p = onlyMember(p, depth + 2, K_TAGS, K_EC2_IMAGE_BUILDER_ARN)
      // The first resource's tag wins, as in the plain mapping.
      if (p >= 0 && found >= 0 && load<i32>(word(set, W_TAG)) < 0) keepString(set, W_TAG, found, foundEnd, foundAscii)
    } else {
      p = stringValue(p)
      put(set, W_RESOURCES_BAD, 1)
    }
    if (p < 0) return p
    p = afterItem(p, 0x5d)
    if (p < 0 || closed) return p
  }
}

// Walks the record at p into the slot sets.
function walk(p: i32): i32 {
  reset(TOP)
  reset(DETAIL_SET)
  store<i32>(result(R_DETAIL_TYPE_OK), 1)
  p = next(p)
  if (p < 0) return p
  if (load<u8>(p) != 0x7b) return DECLINE
  return object(p, TOP, 1, true)
}

/**
 * Walks the record at `p` (an address in the input, which ends at `inputEnd`) and decides what
 * it is (see `decide`); returns the address after it, NEED or DECLINE. `complete`: no input
 * follows `inputEnd`.
 */
export function record(p: i32, inputEnd: i32, complete: bool): i32 {
  end = inputEnd
  eof = complete
  arenaTop = ARENA
  p = walk(p)
  if (p >= 0) store<i32>(result(R_OUTCOME), decide())
  return p
}

// The mapping options: a bit per allowed status (by its index), and whether findings without
// image linkage are counted.
let allowedStatuses: i32 = 0
let includeUnlinked: bool = false
// The group keys a counted finding keeps, a bit each: 1 image build, 2 pipeline, 4 vulnerability
// id. The others are checked and decided on as ever, then left absent.
let keptKeys: i32 = 7

/**
 * Sets the mapping options: a bit per allowed status, `includeUnlinked`, and the group keys kept
 * (see `keptKeys`).
 */
export function options(allowed: i32, unlinked: bool, keys: i32): void {
  allowedStatuses = allowed
  includeUnlinked = unlinked
  keptKeys = keys
}

@inline function finding(f: i32): i32 {
  return FINDING + (f << 2)
}

// Keeps the string at word w of `set` as the finding's string at its word f; a key the reader
// does not keep is left absent.
@inline function keep(set: i32, w: i32, f: i32): void {
  const from = word(set, w)
  const to = finding(f)
  if (f != F_ACCOUNT && (keptKeys & keyBit(w)) == 0) {
    store<i32>(to, -1)
    return
  }
  store<i32>(to, load<i32>(from))
  store<i32>(to, load<i32>(from, 4), 4)
  store<i32>(to, load<i32>(from, 8), 8)
  store<i32>(to, load<i32>(from, 12), 12)
}

// Keeps the account (twelve digits, so ASCII) as the finding's.
@inline function keepAccount(set: i32): void {
  keep(set, W_ACCOUNT, F_ACCOUNT)
  store<i32>(finding(F_ACCOUNT + 3), 1)
}

@inline function packed(severity: i32, fix: i32, exploit: i32): i32 {
  return (severity << PACK_SEVERITY_SHIFT) | ((fix + 1) << PACK_FIX_SHIFT) | ((exploit + 1) << PACK_EXPLOIT_SHIFT)
}

// Decides what the record just walked is, as core's `fromInspectorFinding` (a record with an
// ARN, a status or resources, or an EventBridge event's `detail`) or `fromImageScanFinding` (one
// with an account or image build) would under the options: an OUTCOME_ code. A counted
// finding's strings (the pipeline absent when the record has none, for the reader to resolve),
// packed severity, fix and exploit, ARN and ARN fingerprint (last word 0: none) are left from
// FINDING. A record that would not pass core's codec, or is not in a shape walked here, is
// declined.
function decide(): i32 {
  const seen = load<i32>(word(TOP, W_SEEN))
  if ((seen & BIT_DETAIL) != 0 && (seen & (BIT_DETAIL_TYPE | BIT_SOURCE)) != 0) {
    if ((seen & BIT_DETAIL_TYPE) != 0 && load<i32>(result(R_DETAIL_TYPE_OK)) != 1) return OUTCOME_DECLINED
    return inspector(DETAIL_SET)
  }
  if ((seen & (BIT_ARN | BIT_STATUS | BIT_RESOURCES)) != 0) return inspector(TOP)
  if ((seen & (BIT_ACCOUNT | BIT_BUILD)) != 0) return imageScan(TOP)
  return OUTCOME_DECLINED
}

function inspector(x: i32): i32 {
  const seen = load<i32>(word(x, W_SEEN))
  const severity = load<i32>(word(x, W_SEVERITY))
  const status = load<i32>(word(x, W_STATUS))
  const fix = load<i32>(word(x, W_FIX))
  const exploit = load<i32>(word(x, W_EXPLOIT))
  if (load<i32>(word(x, W_ACCOUNT)) < 0 || severity < 0 || status < 0) return OUTCOME_DECLINED
  if (load<i32>(word(x, W_RESOURCES_BAD)) != 0) return OUTCOME_DECLINED
  const arnStart = load<i32>(word(x, W_ARN))
  const arnEnd = load<i32>(word(x, W_ARN + 1))
  if ((seen & BIT_ARN) != 0) {
    const n = arnEnd - arnStart
    if (load<i32>(word(x, W_ARN + 2)) != 1 || n < 1 || n > 1024) return OUTCOME_DECLINED
  }
  if (((seen & BIT_FIX) != 0 && fix < 0) || ((seen & BIT_EXPLOIT) != 0 && exploit < 0)) return OUTCOME_DECLINED
  if (((allowedStatuses >> status) & 1) == 0) return OUTCOME_NOT_ACTIVE
  // The image build is the first resource's `Ec2ImageBuilderArn` tag.
  if (load<i32>(word(x, W_TAG)) < 0 && !includeUnlinked) return OUTCOME_NO_IMAGE_LINKAGE
  keepAccount(x)
  keep(x, W_TAG, F_BUILD)
  store<i32>(finding(F_PIPELINE), -1)
  keep(x, W_VULNERABILITY_ID, F_VULNERABILITY_ID)
  store<i32>(finding(F_PACKED), packed(severity, fix, exploit))
  if ((seen & BIT_ARN) != 0) {
    store<i32>(finding(F_ARN), arnStart)
    store<i32>(finding(F_ARN + 1), arnEnd)
    // Fingerprinted only now, for a counted finding: a fifth of the records are not counted.
    fingerprint(arnStart, arnEnd, FINDING, F_PRINT)
  } else {
    store<i32>(finding(F_ARN), -1)
    store<i32>(finding(F_PRINT + 3), 0)
  }
  return OUTCOME_COUNTED
}

function imageScan(x: i32): i32 {
  const seen = load<i32>(word(x, W_SEEN))
  const severity = load<i32>(word(x, W_SEVERITY))
  const fix = load<i32>(word(x, W_FIX))
  if (load<i32>(word(x, W_ACCOUNT)) < 0 || severity < 0) return OUTCOME_DECLINED
  if ((seen & BIT_FIX) != 0 && fix < 0) return OUTCOME_DECLINED
  if (load<i32>(word(x, W_BUILD)) < 0 && !includeUnlinked) return OUTCOME_NO_IMAGE_LINKAGE
  keepAccount(x)
  keep(x, W_BUILD, F_BUILD)
  keep(x, W_PIPELINE, F_PIPELINE)
  keep(x, W_VULNERABILITY_ID, F_VULNERABILITY_ID)
  store<i32>(finding(F_PACKED), packed(severity, fix, -1))
  store<i32>(finding(F_ARN), -1)
  store<i32>(finding(F_PRINT + 3), 0)
  return OUTCOME_COUNTED
}

// The interned id of the finding's string at its word f, for a run, interned now if the walk
// deferred it: -1 when absent, -2 when present but not interned (then the run stops there, and
// the record goes the way that decodes it).
@inline function keyId(f: i32): i32 {
  const s = load<i32>(finding(f))
  if (s < 0) return -1
  let id = load<i32>(finding(f + 2))
  if (id == NOT_INTERNED) id = intern(s, load<i32>(finding(f + 1)))
  return id < 0 ? -2 : id
}

// Whether the object at p may be a page wrapper rather than a record, as the reader's probe
// would see it: its first key is eight or nine bytes long (`findings`, `nextToken`,
// `requestId`) or escaped, or it has no first key. The reader's own way reads those.
function mayBeWrapper(p: i32): bool {
  p = next(p + 1)
  if (p < 0 || load<u8>(p) != 0x22) return true
  for (let i = p + 1; i < end; i++) {
    const c = load<u8>(i)
    if (c == 0x5c) return true
    if (c == 0x22) return i - p - 1 == 8 || i - p - 1 == 9
  }
  return true
}

/** Sets the mapping options `run` uses: a bit per allowed status, and `includeUnlinked`. */

/**
 * Reads a run of records from `p` (at or before a value's start, in the input that ends at
 * `inputEnd`), at the top level or (`inArray`) after a comma in an array, deciding each and
 * writing the counted ones from RUN (RUN_WORDS each: the ids of their strings, packed severity,
 * fix and exploit, ARN fingerprint, and the addresses the record starts and ends at); it stops before a value at or after `stopAt`, before
 * anything but a record it decides itself with interned strings, at the end of the input, or
 * when RUN is full, and returns where: a value's start, or (R_RUN_AFTER_RECORD set) right after
 * a record in an array.
 */
export function run(p: i32, inputEnd: i32, complete: bool, stopAt: i32, inArray: bool): i32 {
  end = inputEnd
  eof = complete
  arenaTop = ARENA
  deferInterning = true
  let counted = 0
  let read = 0
  let notActive = 0
  let noLinkage = 0
  let after = 0
  while (counted < RUN_MAX) {
    const q = next(p)
    if (q < 0 || q >= stopAt || load<u8>(q) != 0x7b || (!inArray && mayBeWrapper(q))) {
      if (q >= 0) p = q
      break
    }
    const r = walk(q)
    if (r < 0) {
      p = q
      break
    }
    const o = decide()
    if (o == OUTCOME_COUNTED) {
      const account = keyId(F_ACCOUNT)
      const build = keyId(F_BUILD)
      const pipeline = keyId(F_PIPELINE)
      const vulnerabilityId = keyId(F_VULNERABILITY_ID)
      if (account == -2 || build == -2 || pipeline == -2 || vulnerabilityId == -2) {
        p = q
        break
      }
      const out = RUN + ((counted * RUN_WORDS) << 2)
      store<i32>(out + (RUN_ACCOUNT << 2), account)
      store<i32>(out + (RUN_BUILD << 2), build)
      store<i32>(out + (RUN_PIPELINE << 2), pipeline)
      store<i32>(out + (RUN_VULNERABILITY_ID << 2), vulnerabilityId)
      store<i32>(out + (RUN_PACKED << 2), load<i32>(finding(F_PACKED)))
      memory.copy(out + (RUN_PRINT << 2), finding(F_PRINT), 16)
      store<i32>(out + (RUN_START << 2), q)
      store<i32>(out + (RUN_END << 2), r)
      counted++
    } else if (o == OUTCOME_NOT_ACTIVE) notActive++
    else if (o == OUTCOME_NO_IMAGE_LINKAGE) noLinkage++
    else {
      p = q
      break
    }
    read++
    p = r
    if (inArray) {
      const c = next(r)
      if (c < 0 || load<u8>(c) != 0x2c) {
        after = 1
        break
      }
      p = c + 1
    }
  }
  store<i32>(result(R_RUN_READ), read)
  store<i32>(result(R_RUN_NOT_ACTIVE), notActive)
  store<i32>(result(R_RUN_NO_LINKAGE), noLinkage)
  store<i32>(result(R_RUN_AFTER_RECORD), after)
  store<i32>(result(R_RUN_COUNTED), counted)
  deferInterning = false
  return p
}

/**
 * Counts the newlines in [p, q) with vector compares, for a reader's line numbers; leaves
 * the address of the last one (or -1) in R_LAST_NEWLINE.
 */
export function newlines(p: i32, q: i32): i32 {
  let count = 0
  let last = -1
  const newline = i8x16.splat(0x0a)
  // Newlines are rare (one a record in NDJSON): 64 bytes are tested at once, then looked into.
  while (p + 64 <= q) {
    const a = i8x16.eq(v128.load(p), newline)
    const b = i8x16.eq(v128.load(p, 16), newline)
    const c = i8x16.eq(v128.load(p, 32), newline)
    const d = i8x16.eq(v128.load(p, 48), newline)
    if (v128.any_true(v128.or(v128.or(a, b), v128.or(c, d)))) {
      const m = <u64>i8x16.bitmask(a) | (<u64>i8x16.bitmask(b) << 16) | (<u64>i8x16.bitmask(c) << 32) | (<u64>i8x16.bitmask(d) << 48)
      count += <i32>popcnt(m)
      last = p + 63 - <i32>clz(m)
    }
    p += 64
  }
  while (p < q) {
    if (load<u8>(p) == 0x0a) {
      count++
      last = p
    }
    p++
  }
  store<i32>(result(R_LAST_NEWLINE), last)
  return count
}
