/**
 * A byte-level JSON scanner over a `Buffer` that may end in the middle of a value. It
 * materializes a value (optionally only the keys a {@link Projection} names, skipping the rest
 * without allocating) or skips it, validating the JSON grammar either way.
 *
 * Reaching the end of the buffer mid-value throws {@link needMore} unless the input is known
 * to be complete (`eof`), so a caller can rewind to where the value started, append the next
 * chunk and try again: values are small next to the chunks, so each byte is scanned about once.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Which members of an object to materialize: `true` materializes the whole value, a nested
 * projection applies to an object value (or to each element of an array value). Members not
 * named are skipped. A value whose shape differs from the projection (a string where an
 * object was projected, say) is materialized whole, so validation can say what it got.
 *
 * @category model
 */
export type Projection = { readonly [key: string]: Projection | true }

/**
 * Thrown (never returned) when the buffer ends before the value does and more input may follow.
 *
 * @category model
 */
export const needMore: { readonly _tag: 'NeedMore' } = { _tag: 'NeedMore' }

/**
 * Thrown when the input is not JSON; `at` is the index in the scanner's buffer.
 *
 * @category model
 */
export class JsonSyntaxError {
  readonly _tag = 'JsonSyntaxError'
  constructor(
    readonly at: number,
    readonly message: string,
  ) {}
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Builds a {@link Projection} from a plain object. The result has no prototype, so keys such as
 * `constructor` or `__proto__` in the input are never mistaken for projected members.
 *
 * @category constructors
 */
export const projection = (spec: { readonly [key: string]: Projection | true }): Projection =>
  Object.assign(Object.create(null) as Record<string, Projection | true>, spec)

// -------------------------------------------------------------------------------------
// scanner
// -------------------------------------------------------------------------------------

const maxDepth = 1000

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39

const describe = (c: number): string =>
  c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`

const escapes: Record<number, string> = {
  34: '"',
  92: '\\',
  47: '/',
  98: '\b',
  102: '\f',
  110: '\n',
  114: '\r',
  116: '\t',
}

const hexValue = (c: number | undefined): number =>
  c === undefined
    ? -1
    : c >= 0x30 && c <= 0x39
      ? c - 0x30
      : c >= 0x61 && c <= 0x66
        ? c - 0x57
        : c >= 0x41 && c <= 0x46
          ? c - 0x37
          : -1

const TRUE = Buffer.from('true')
const FALSE = Buffer.from('false')
const NULL = Buffer.from('null')

// `__proto__` as a plain assignment would set the prototype; JSON.parse makes it an own member.
const setMember = (o: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === '__proto__')
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true })
  else o[key] = value
}

/**
 * The scanner: a buffer, a position in it, and whether the input ends with this buffer.
 * Mutable on purpose (it is the hot loop of every export read); it never escapes the reader
 * that owns it.
 *
 * @category scanner
 */
export class JsonScanner {
  private bytes: Buffer = Buffer.alloc(0)
  /** Counts assignments of {@link JsonScanner.buf}, so that a copy of it knows when it is stale. */
  epoch = 0
  pos = 0
  eof = false
  private depth = 0

  /** The input held now; a reader may reuse one buffer for new bytes, so assigning it counts. */
  get buf(): Buffer {
    return this.bytes
  }

  set buf(b: Buffer) {
    this.bytes = b
    this.epoch++
  }

  /** Skips whitespace; returns the next byte, or -1 at the end of the buffer. */
  ws(): number {
    const b = this.buf
    const n = b.length
    let p = this.pos
    while (p < n) {
      const c = b[p] as number
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
        this.pos = p
        return c
      }
      p++
    }
    this.pos = p
    return -1
  }

  /** The next non-whitespace byte, asking for more input at the end of the buffer. */
  next(): number {
    const c = this.ws()
    return c < 0 ? this.more() : c
  }

  /** Ends the current attempt: more input may complete it, or the input is truncated. */
  more(): never {
    if (this.eof) throw new JsonSyntaxError(this.buf.length, 'unexpected end of input (truncated?)')
    throw needMore
  }

  unexpected(at: number, expected: string): JsonSyntaxError {
    const c = this.buf[at]
    return new JsonSyntaxError(
      at,
      `unexpected ${c === undefined ? 'end of input' : describe(c)}, expected ${expected}`,
    )
  }

  /** Materializes the value at the position (only the projected members, when given one). */
  value(proj?: Projection): unknown {
    this.depth = 0
    return this.any(proj)
  }

  /** Skips the value at the position, checking its grammar. */
  skip(): void {
    this.depth = 0
    this.skipAny()
  }

  /**
   * Skips the value at the position as a member of a value `depth` levels deep, so that a caller
   * walking the enclosing values itself meets the nesting limit where {@link JsonScanner.value} would.
   */
  skipAt(depth: number): void {
    this.depth = depth
    this.skipAny()
  }

  private any(proj: Projection | undefined): unknown {
    const c = this.next()
    switch (c) {
      case 0x7b:
        return this.object(proj)
      case 0x5b:
        return this.array(proj)
      case 0x22:
        return this.string()
      case 0x74:
        this.literal(TRUE)
        return true
      case 0x66:
        this.literal(FALSE)
        return false
      case 0x6e:
        this.literal(NULL)
        return null
      default:
        if (c === 0x2d || isDigit(c)) return this.number(true)
        throw this.unexpected(this.pos, 'a JSON value')
    }
  }

  /**
   * Reads the key at the position (its opening quote, else a syntax error) and the ':' after it;
   * leaves the position at the member's value.
   */
  key(): string {
    if (this.next() !== 0x22) throw this.unexpected(this.pos, 'a string key')
    const key = this.string()
    this.colon()
    return key
  }

  // Past the ':' after a key.
  private colon(): void {
    if (this.next() !== 0x3a) throw this.unexpected(this.pos, "':'")
    this.pos++
  }

  // Into the object or array whose opening bracket is at the position, one level deeper; past
  // its `close` at once, and `true`, when it is empty.
  private open(close: number): boolean {
    if (++this.depth > maxDepth) throw new JsonSyntaxError(this.pos, `nesting deeper than ${maxDepth}`)
    this.pos++
    if (this.next() !== close) return false
    this.pos++
    this.depth--
    return true
  }

  // After a member or element: past the ',' before the next one, or past the closing `close`
  // (then `true`, one level up); `expected` names both for an error.
  private close(close: number, expected: string): boolean {
    const c = this.next()
    if (c === 0x2c) {
      this.pos++
      return false
    }
    if (c !== close) throw this.unexpected(this.pos, expected)
    this.pos++
    this.depth--
    return true
  }

  private object(proj: Projection | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    if (this.open(0x7d)) return out
    do {
      const key = this.key()
      if (proj === undefined) setMember(out, key, this.any(undefined))
      else {
        const sub = proj[key]
        if (sub === undefined) this.skipAny()
        else setMember(out, key, this.any(sub === true ? undefined : sub))
      }
    } while (!this.close(0x7d, "',' or '}'"))
    return out
  }

  private array(proj: Projection | undefined): Array<unknown> {
    const out: Array<unknown> = []
    if (this.open(0x5d)) return out
    do out.push(this.any(proj))
    while (!this.close(0x5d, "',' or ']'"))
    return out
  }

  /** Materializes the string at the position (which holds its opening quote). */
  string(): string {
    const start = this.pos + 1
    let p = start
    let ascii = true
    for (;;) {
      const c = this.stringByte(p)
      if (c === 0x22) {
        this.pos = p + 1
        return this.bytes.toString(ascii ? 'latin1' : 'utf8', start, p)
      }
      if (c === 0x5c) return this.escaped(start, p)
      if (c >= 0x80) ascii = false
      p++
    }
  }

  // The byte at p inside a string, asking for more input at the end of the buffer; a control
  // character is a syntax error.
  private stringByte(p: number): number {
    const b = this.bytes
    if (p >= b.length) this.more()
    const c = b[p] as number
    if (c < 0x20) throw new JsonSyntaxError(p, 'control character in a string')
    return c
  }

  // The slow path of `string`, from the first backslash on. Segments between escapes are
  // decoded as UTF-8 whole: an escape or a quote is ASCII and never splits a multi-byte sequence.
  private escaped(start: number, first: number): string {
    const b = this.buf
    const n = b.length
    let out = b.toString('utf8', start, first)
    let p = first
    let segment = p
    for (;;) {
      const c = this.stringByte(p)
      if (c === 0x22) {
        out += b.toString('utf8', segment, p)
        this.pos = p + 1
        return out
      }
      if (c === 0x5c) {
        out += b.toString('utf8', segment, p)
        if (p + 1 >= n) this.more()
        const e = b[p + 1] as number
        if (e === 0x75) {
          if (p + 5 >= n) this.more()
          let code = 0
          for (let i = p + 2; i < p + 6; i++) {
            const h = hexValue(b[i])
            if (h < 0) throw new JsonSyntaxError(i, 'bad \\u escape in a string')
            code = code * 16 + h
          }
          // Lone surrogates stay as they are, as with JSON.parse.
          out += String.fromCharCode(code)
          p += 6
        } else {
          const s = escapes[e]
          if (s === undefined) throw new JsonSyntaxError(p + 1, `bad escape ${describe(e)} in a string`)
          out += s
          p += 2
        }
        segment = p
        continue
      }
      p++
    }
  }

  private literal(word: Buffer): void {
    const b = this.buf
    const p = this.pos
    for (let i = 0; i < word.length; i++) {
      if (p + i >= b.length) this.more()
      if (b[p + i] !== word[i]) throw this.unexpected(p + i, `'${word.toString()}'`)
    }
    this.pos = p + word.length
  }

  private number(materialize: boolean): number | undefined {
    const b = this.buf
    const n = b.length
    const start = this.pos
    let p = start
    if (b[p] === 0x2d) p++
    if (p >= n) this.more()
    if (b[p] === 0x30) p++
    else if (isDigit(b[p])) while (p < n && isDigit(b[p])) p++
    else throw this.unexpected(p, 'a digit')
    if (p < n && b[p] === 0x2e) {
      p++
      if (p >= n) this.more()
      if (!isDigit(b[p])) throw this.unexpected(p, 'a digit')
      while (p < n && isDigit(b[p])) p++
    }
    if (p < n && (b[p] === 0x65 || b[p] === 0x45)) {
      p++
      if (p < n && (b[p] === 0x2b || b[p] === 0x2d)) p++
      if (p >= n) this.more()
      if (!isDigit(b[p])) throw this.unexpected(p, 'a digit')
      while (p < n && isDigit(b[p])) p++
    }
    // At the end of the buffer the number may go on in the next chunk.
    if (p >= n) {
      if (!this.eof) throw needMore
    }
    this.pos = p
    return materialize ? Number(b.toString('latin1', start, p)) : undefined
  }

  private skipAny(): void {
    const c = this.next()
    if (c === 0x22) this.skipString()
    else if (c === 0x7b) this.skipObject()
    else if (c === 0x5b) this.skipArray()
    else if (c === 0x74) this.literal(TRUE)
    else if (c === 0x66) this.literal(FALSE)
    else if (c === 0x6e) this.literal(NULL)
    else if (c === 0x2d || isDigit(c)) this.number(false)
    else throw this.unexpected(this.pos, 'a JSON value')
  }

  // Skipped strings (descriptions, remediation text) are most of an export's bytes: jump from
  // quote to quote natively and only look back for escaping backslashes.
  private skipString(): void {
    const b = this.buf
    const start = this.pos + 1
    let p = start
    for (;;) {
      const q = b.indexOf(0x22, p)
      if (q < 0) this.more()
      let k = q - 1
      while (k >= start && b[k] === 0x5c) k--
      if ((q - 1 - k) % 2 === 0) {
        this.pos = q + 1
        return
      }
      p = q + 1
    }
  }

  private skipObject(): void {
    if (this.open(0x7d)) return
    do {
      if (this.next() !== 0x22) throw this.unexpected(this.pos, 'a string key')
      this.skipString()
      this.colon()
      this.skipAny()
    } while (!this.close(0x7d, "',' or '}'"))
  }

  private skipArray(): void {
    if (this.open(0x5d)) return
    do this.skipAny()
    while (!this.close(0x5d, "',' or ']'"))
  }
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Parses a whole, small JSON document held in memory (a pipeline map, a test fixture): one
 * value and nothing but whitespace after it. `Left` holds the byte offset and what is wrong.
 *
 * @category utils
 */
export const parseJsonDocument = (bytes: Buffer): E.Either<JsonSyntaxError, unknown> => {
  const s = new JsonScanner()
  s.buf = bytes
  s.eof = true
  try {
    const value = s.value()
    if (s.ws() >= 0) throw s.unexpected(s.pos, 'the end of input')
    return E.right(value)
  } catch (e) {
    if (e instanceof JsonSyntaxError) return E.left(e)
    throw e
  }
}
