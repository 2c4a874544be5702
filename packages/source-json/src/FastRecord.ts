/**
 * The fast path of reading a record: the members the engine needs are found by comparing key
 * bytes, their values checked and interned on the bytes, and everything else skipped by the
 * scanner's byte loop, so a record costs no object and no string but the finding's own.
 *
 * It handles the shapes exports actually have. Anything else (an escaped key or value, a
 * duplicate member, a value of an unexpected type, a record that fails validation, malformed
 * JSON) makes it decline, and the caller reads that record again on the plain path, which then
 * gives exactly the plain path's finding, reason or syntax error.
 *
 * @module
 */
import {
  type Classified,
  type Finding,
  findingStatuses,
  type InspectorMappingOptions,
  KeyString,
  severities,
} from '@scantally/core'
import { fingerprintInto } from './FindingArnSet.js'
import { type JsonScanner, needMore } from './JsonScanner.js'
import { decline } from './RecordReader.js'
import { inputBase, NEED, WasmRecord } from './WasmRecord.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

// Bits of the members seen in one object.
const ACCOUNT = 1
const SEVERITY = 2
const STATUS = 4
const ARN = 8
const FIX = 16
const EXPLOIT = 32
const BUILD = 64
const PIPELINE = 128
const PVD = 256
const RESOURCES = 512
const DETAIL = 1024
const DETAIL_TYPE = 2048
const SOURCE = 4096

const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'))

const K = {
  awsAccountId: bytes('awsAccountId'),
  severity: bytes('severity'),
  status: bytes('status'),
  findingArn: bytes('findingArn'),
  fixAvailable: bytes('fixAvailable'),
  exploitAvailable: bytes('exploitAvailable'),
  imageBuildVersionArn: bytes('imageBuildVersionArn'),
  imagePipelineArn: bytes('imagePipelineArn'),
  packageVulnerabilityDetails: bytes('packageVulnerabilityDetails'),
  resources: bytes('resources'),
  detail: bytes('detail'),
  detailType: bytes('detail-type'),
  source: bytes('source'),
  findings: bytes('findings'),
  vulnerabilityId: bytes('vulnerabilityId'),
  tags: bytes('tags'),
  Ec2ImageBuilderArn: bytes('Ec2ImageBuilderArn'),
}

const severityBytes = severities.map(bytes)
const statusBytes = findingStatuses.map(bytes)
const fixValues = ['YES', 'NO', 'PARTIAL'] as const
const fixBytes = fixValues.map(bytes)
const exploitValues = ['YES', 'NO'] as const
const exploitBytes = exploitValues.map(bytes)
const inspector2Finding = [bytes('Inspector2 Finding')]

// The members of one finding object (a record, or an event's `detail`) as read.
class Slots {
  seen = 0
  account: string | undefined = undefined
  severity = -1
  status = -1
  arnStart = 0
  arnEnd = 0
  arnAscii = true
  fix = -1
  exploit = -1
  build: string | undefined = undefined
  pipeline: string | undefined = undefined
  vulnerabilityId: string | undefined = undefined
  /** The `Ec2ImageBuilderArn` of the first resource that has one. */
  tag: string | undefined = undefined
  /** Whether `resources` holds anything an Inspector finding may not (it may in an event envelope). */
  resourcesBad = false

  reset(): void {
    this.seen = 0
    this.account = undefined
    this.severity = -1
    this.status = -1
    this.fix = -1
    this.exploit = -1
    this.build = undefined
    this.pipeline = undefined
    this.vulnerabilityId = undefined
    this.tag = undefined
    this.resourcesBad = false
  }
}

// -------------------------------------------------------------------------------------
// interning
// -------------------------------------------------------------------------------------

// Group keys repeat (accounts, builds, CVEs): they are decoded once and found again by their
// bytes, in an open-addressing table of typed arrays (a Map keyed by a 32-bit hash would box
// the hash on every lookup). Bounded, so that an export of ever-new values costs a decode each,
// never memory; values crafted to share a hash are decoded each time, never searched for long.
const maxInterned = 100_000
const maxProbes = 8

class Interner {
  private slots: Int32Array = new Int32Array(1 << 10) // entry + 1, or 0 when empty
  private hashes: Int32Array = new Int32Array(1 << 9)
  private readonly bytes: Array<Uint8Array> = []
  private readonly values: Array<string> = []

  get(b: Buffer, start: number, end: number, ascii: boolean, hash: number): string {
    const n = end - start
    const slots = this.slots
    const mask = slots.length - 1
    let i = hash & mask
    for (let probes = 0; ; probes++, i = (i + 1) & mask) {
      const e = (slots[i] as number) - 1
      if (e < 0) break
      if (probes === maxProbes) return b.toString(ascii ? 'latin1' : 'utf8', start, end)
      const x = this.bytes[e] as Uint8Array
      if (this.hashes[e] !== hash || x.length !== n) continue
      // From the end: group keys that differ (builds, versions, CVE ids) mostly differ there.
      let k = n - 1
      while (k >= 0 && x[k] === b[start + k]) k--
      if (k < 0) return this.values[e] as string
    }
    // As the plain scanner decodes: latin1 when every byte is ASCII, else UTF-8.
    const value = b.toString(ascii ? 'latin1' : 'utf8', start, end)
    const e = this.values.length
    if (e >= maxInterned) return value
    if (e === this.hashes.length) this.hashes = grown(this.hashes)
    this.hashes[e] = hash
    this.bytes.push(Uint8Array.prototype.slice.call(b, start, end))
    this.values.push(value)
    slots[i] = e + 1
    // Kept at most half full, so probe runs stay short.
    if ((e + 1) * 2 > slots.length) this.rehash()
    return value
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2)
    const mask = slots.length - 1
    for (let e = 0; e < this.values.length; e++) {
      let i = (this.hashes[e] as number) & mask
      while (slots[i] !== 0) i = (i + 1) & mask
      slots[i] = e + 1
    }
    this.slots = slots
  }
}

// The array twice as long, with the same first half.
const grown = (a: Int32Array): Int32Array => {
  const b = new Int32Array(a.length * 2)
  b.set(a)
  return b
}

// -------------------------------------------------------------------------------------
// reader
// -------------------------------------------------------------------------------------

const keyIs = (b: Buffer, start: number, key: Uint8Array): boolean => {
  for (let i = 0; i < key.length; i++) if (b[start + i] !== key[i]) return false
  return true
}

const literalIndex = (b: Buffer, start: number, end: number, literals: ReadonlyArray<Uint8Array>): number => {
  for (let k = 0; k < literals.length; k++) {
    const l = literals[k] as Uint8Array
    if (l.length === end - start && keyIs(b, start, l)) return k
  }
  return -1
}

/**
 * The fast record reader: {@link FastRecord.read} walks one record at the scanner's position,
 * then {@link FastRecord.classify} maps it, as `fromInspectorFinding` / `fromImageScanFinding`
 * would, or declines. One instance serves a whole read; it holds only interned group keys.
 *
 * @category reader
 */
export class FastRecord {
  private readonly top = new Slots()
  private readonly detail = new Slots()
  private readonly interner = new Interner()
  private readonly walker = new WasmRecord()
  private buf: Buffer = Buffer.alloc(0)
  private detailTypeOk = true
  // The string value just read: its bytes, whether all ASCII, and a hash of them.
  private vs = 0
  private ve = 0
  private vascii = true
  private vhash = 0
  private readonly allowed: ReadonlyArray<boolean>
  private readonly resolvePipeline: InspectorMappingOptions['resolvePipeline']
  private readonly includeUnlinked: boolean
  private readonly arns: boolean
  /**
   * The fingerprint of the last counted finding's ARN (see `fingerprintInto`), when findings are
   * classified without their ARN strings and it had one; else its last word is 0.
   */
  readonly print = new Uint32Array(4)

  /**
   * `findingArns: false` leaves ARNs off the findings (they are fingerprinted on their bytes
   * into {@link FastRecord.print} instead): a read that only counts never decodes one.
   */
  constructor(options: InspectorMappingOptions & { readonly findingArns?: boolean }) {
    const statuses = options.statuses ?? ['ACTIVE']
    this.allowed = findingStatuses.map((s) => statuses.includes(s))
    this.resolvePipeline = options.resolvePipeline
    this.includeUnlinked = options.includeUnlinked === true
    this.arns = options.findingArns !== false
  }

  /**
   * Reads the record at the scanner's position (an object) up to its end. Throws `decline`
   * for the plain path, or what the scanner throws (more input needed, a syntax error: the
   * caller reads the record again on the plain path for its exact error).
   */
  read(s: JsonScanner): void {
    this.buf = s.buf
    const w = this.walker
    const end = w.walk(s)
    if (end < 0) throw end === NEED && !s.eof ? needMore : decline
    s.pos = end - inputBase
    this.fill(this.top, 0)
    if ((this.top.seen & DETAIL) !== 0) {
      this.fill(this.detail, 32)
      this.detailTypeOk = w.words[63] === 1
    } else this.detail.reset()
  }

  // The slots of one object from the walker's words at `at` (see assembly/record.ts).
  private fill(x: Slots, at: number): void {
    const w = this.walker.words
    x.seen = w[at] as number
    x.account = this.wordString(at + 1, true)
    x.severity = w[at + 4] as number
    x.status = w[at + 5] as number
    x.fix = w[at + 6] as number
    x.exploit = w[at + 7] as number
    x.arnStart = (w[at + 8] as number) - inputBase
    x.arnEnd = (w[at + 9] as number) - inputBase
    x.arnAscii = w[at + 10] === 1
    x.build = this.wordString(at + 11, false)
    x.pipeline = this.wordString(at + 15, false)
    x.vulnerabilityId = this.wordString(at + 19, false)
    x.tag = this.wordString(at + 23, false)
    x.resourcesBad = w[at + 27] === 1
  }

  // The interned string whose start, end, hash (and ascii flag, unless `digits`) are at word `at`.
  private wordString(at: number, digits: boolean): string | undefined {
    const w = this.walker.words
    const start = w[at] as number
    if (start < 0) return undefined
    const ascii = digits || w[at + 3] === 1
    return this.interner.get(this.buf, start - inputBase, (w[at + 1] as number) - inputBase, ascii, w[at + 2] as number)
  }

  readJs(s: JsonScanner): void {
    this.buf = s.buf
    this.top.reset()
    this.detail.reset()
    this.detailTypeOk = true
    if (s.next() !== 0x7b) throw decline
    this.object(s, this.top, 1, true)
  }

  /**
   * Maps the record just read: a counted finding or an exclusion, or `undefined` to decline
   * (the record is invalid, or not in a shape this path maps).
   */
  classify(): Classified | undefined {
    this.print[3] = 0
    const t = this.top
    if ((t.seen & DETAIL) !== 0 && (t.seen & (DETAIL_TYPE | SOURCE)) !== 0)
      return (t.seen & DETAIL_TYPE) !== 0 && !this.detailTypeOk ? undefined : this.inspector(this.detail)
    if ((t.seen & (ARN | STATUS | RESOURCES)) !== 0) return this.inspector(t)
    if ((t.seen & (ACCOUNT | BUILD)) !== 0) return this.imageScan(t)
    return undefined
  }

  private inspector(x: Slots): Classified | undefined {
    if (x.account === undefined || x.severity < 0 || x.status < 0 || x.resourcesBad) return undefined
    if ((x.seen & ARN) !== 0 && (!x.arnAscii || x.arnEnd - x.arnStart < 1 || x.arnEnd - x.arnStart > 1024))
      return undefined
    if (((x.seen & FIX) !== 0 && x.fix < 0) || ((x.seen & EXPLOIT) !== 0 && x.exploit < 0)) return undefined
    if (!this.allowed[x.status]) return { _tag: 'Excluded', reason: 'notActive' }
    const build = x.tag
    if (build === undefined && !this.includeUnlinked) return { _tag: 'Excluded', reason: 'noImageLinkage' }
    const pipeline = build === undefined ? undefined : this.resolvePipeline?.(build)
    const f: { -readonly [K in keyof Finding]: Finding[K] } = {
      awsAccountId: x.account as Finding['awsAccountId'],
      severity: severities[x.severity] as Finding['severity'],
    }
    if (build !== undefined) f.imageBuildVersionArn = build as KeyString
    if (pipeline !== undefined && KeyString.is(pipeline)) f.imagePipelineArn = pipeline
    if (x.vulnerabilityId !== undefined) f.vulnerabilityId = x.vulnerabilityId as KeyString
    if ((x.seen & ARN) !== 0) {
      if (this.arns) f.findingArn = this.buf.toString('latin1', x.arnStart, x.arnEnd) as KeyString
      else fingerprintInto(this.buf, this.print, 0, x.arnStart, x.arnEnd)
    }
    if (x.fix >= 0) f.fixAvailable = fixValues[x.fix] as (typeof fixValues)[number]
    if (x.exploit >= 0) f.exploitAvailable = exploitValues[x.exploit] as (typeof exploitValues)[number]
    return { _tag: 'Counted', finding: f }
  }

  private imageScan(x: Slots): Classified | undefined {
    if (x.account === undefined || x.severity < 0) return undefined
    if ((x.seen & FIX) !== 0 && x.fix < 0) return undefined
    const build = x.build
    if (build === undefined && !this.includeUnlinked) return { _tag: 'Excluded', reason: 'noImageLinkage' }
    const resolved = x.pipeline ?? (build === undefined ? undefined : this.resolvePipeline?.(build))
    const f: { -readonly [K in keyof Finding]: Finding[K] } = {
      awsAccountId: x.account as Finding['awsAccountId'],
      severity: severities[x.severity] as Finding['severity'],
    }
    if (build !== undefined) f.imageBuildVersionArn = build as KeyString
    if (resolved !== undefined && KeyString.is(resolved)) f.imagePipelineArn = resolved
    if (x.vulnerabilityId !== undefined) f.vulnerabilityId = x.vulnerabilityId as KeyString
    if (x.fix >= 0) f.fixAvailable = fixValues[x.fix] as (typeof fixValues)[number]
    return { _tag: 'Counted', finding: f }
  }

  // Reads the key at the position (its opening quote) and the ':' after it; returns where the
  // key's bytes end. Escapes and control characters decline: only the plain path decodes them.
  private key(s: JsonScanner): number {
    const b = this.buf
    const start = s.pos + 1
    const q = b.indexOf(0x22, start)
    if (q < 0) s.more()
    for (let p = start; p < q; p++) {
      const c = b[p] as number
      if (c === 0x5c || c < 0x20) throw decline
    }
    s.pos = q + 1
    if (s.next() !== 0x3a) throw decline
    s.pos++
    return q
  }

  // Reads a string value as the plain path materializes it; anything but a plain string declines.
  // The closing quote is found natively; a backslash before it means an escape, which declines.
  private string(s: JsonScanner): void {
    if (s.next() !== 0x22) throw decline
    const b = this.buf
    const start = s.pos + 1
    const q = b.indexOf(0x22, start)
    if (q < 0) s.more()
    let ascii = true
    let h = 0x811c9dc5
    for (let p = start; p < q; p++) {
      const c = b[p] as number
      if (c === 0x5c || c < 0x20) throw decline
      if (c >= 0x80) ascii = false
      h = Math.imul(h ^ c, 0x01000193)
    }
    s.pos = q + 1
    this.vs = start
    this.ve = q
    this.vascii = ascii
    this.vhash = h
  }

  private interned(): string {
    return this.interner.get(this.buf, this.vs, this.ve, this.vascii, this.vhash)
  }

  // A key string value (1 to 1024 UTF-16 units), interned; declines when it is not one.
  private keyString(s: JsonScanner): string {
    this.string(s)
    const v = this.interned()
    if (v.length < 1 || v.length > 1024) throw decline
    return v
  }

  // Walks an object at the position whose own depth is `depth`, one member at a time.
  private object(s: JsonScanner, x: Slots, depth: number, top: boolean): void {
    const b = this.buf
    s.pos++
    let c = s.next()
    if (c === 0x7d) {
      s.pos++
      return
    }
    for (;;) {
      if (c !== 0x22) throw decline
      const start = s.pos + 1
      const end = this.key(s)
      const bit = this.member(s, x, depth, top, b, start, end - start)
      if (bit !== 0) {
        if ((x.seen & bit) !== 0) throw decline // a repeated member: the plain path keeps the last
        x.seen |= bit
      }
      c = s.next()
      if (c === 0x2c) {
        s.pos++
        c = s.next()
      } else if (c === 0x7d) {
        s.pos++
        return
      } else throw decline
    }
  }

  // Reads or skips the value of one member; returns the member's bit (0 for one skipped).
  private member(
    s: JsonScanner,
    x: Slots,
    depth: number,
    top: boolean,
    b: Buffer,
    k: number,
    len: number,
  ): number {
    switch (len) {
      case 6:
        if (keyIs(b, k, K.status)) {
          this.string(s)
          x.status = literalIndex(b, this.vs, this.ve, statusBytes)
          return STATUS
        }
        if (top && keyIs(b, k, K.detail)) {
          if (s.next() !== 0x7b) throw decline
          this.object(s, this.detail, depth + 1, false)
          return DETAIL
        }
        if (top && keyIs(b, k, K.source)) {
          this.string(s)
          return SOURCE
        }
        break
      case 8:
        if (keyIs(b, k, K.severity)) {
          this.string(s)
          x.severity = literalIndex(b, this.vs, this.ve, severityBytes)
          return SEVERITY
        }
        if (top && keyIs(b, k, K.findings)) throw decline // a page nested where a record was expected
        break
      case 9:
        if (keyIs(b, k, K.resources)) {
          this.resources(s, x, depth)
          return RESOURCES
        }
        break
      case 10:
        if (keyIs(b, k, K.findingArn)) {
          this.string(s)
          x.arnStart = this.vs
          x.arnEnd = this.ve
          x.arnAscii = this.vascii
          return ARN
        }
        break
      case 11:
        if (top && keyIs(b, k, K.detailType)) {
          this.string(s)
          this.detailTypeOk = literalIndex(b, this.vs, this.ve, inspector2Finding) === 0
          return DETAIL_TYPE
        }
        break
      case 12:
        if (keyIs(b, k, K.awsAccountId)) {
          this.string(s)
          let ok = this.ve - this.vs === 12
          for (let i = this.vs; ok && i < this.ve; i++)
            ok = (b[i] as number) >= 0x30 && (b[i] as number) <= 0x39
          x.account = ok ? this.interned() : undefined
          return ACCOUNT
        }
        if (keyIs(b, k, K.fixAvailable)) {
          this.string(s)
          x.fix = literalIndex(b, this.vs, this.ve, fixBytes)
          return FIX
        }
        break
      case 16:
        if (keyIs(b, k, K.exploitAvailable)) {
          this.string(s)
          x.exploit = literalIndex(b, this.vs, this.ve, exploitBytes)
          return EXPLOIT
        }
        if (keyIs(b, k, K.imagePipelineArn)) {
          x.pipeline = this.keyString(s)
          return PIPELINE
        }
        break
      case 20:
        if (keyIs(b, k, K.imageBuildVersionArn)) {
          x.build = this.keyString(s)
          return BUILD
        }
        break
      case 27:
        if (keyIs(b, k, K.packageVulnerabilityDetails)) {
          this.details(s, x, depth + 1)
          return PVD
        }
        break
    }
    s.skipAt(depth)
    return 0
  }

  // `packageVulnerabilityDetails`: null, or an object whose `vulnerabilityId` is read.
  private details(s: JsonScanner, x: Slots, depth: number): void {
    const id = this.onlyMember(s, depth, K.vulnerabilityId)
    if (id !== undefined) x.vulnerabilityId = id
  }

  // Null, or an object of which only the string member `name` is read (given twice: declined).
  private onlyMember(s: JsonScanner, depth: number, name: Uint8Array): string | undefined {
    const c = s.next()
    if (c === 0x6e) {
      s.skipAt(depth - 1)
      return undefined
    }
    if (c !== 0x7b) throw decline
    const b = this.buf
    let value: string | undefined
    s.pos++
    let d = s.next()
    if (d === 0x7d) {
      s.pos++
      return undefined
    }
    for (;;) {
      if (d !== 0x22) throw decline
      const start = s.pos + 1
      const end = this.key(s)
      if (end - start === name.length && keyIs(b, start, name)) {
        if (value !== undefined) throw decline
        value = this.keyString(s)
      } else s.skipAt(depth)
      d = s.next()
      if (d === 0x2c) {
        s.pos++
        d = s.next()
      } else if (d === 0x7d) {
        s.pos++
        return value
      } else throw decline
    }
  }

  // `resources`: null, or an array of resources whose `tags.Ec2ImageBuilderArn` is read. An
  // event envelope's `resources` (an array of ARN strings) is read too, and marked unfit for a
  // finding, which only matters if the record turns out to be one.
  private resources(s: JsonScanner, x: Slots, depth: number): void {
    const c = s.next()
    if (c === 0x6e) {
      s.skipAt(depth)
      return
    }
    if (c !== 0x5b) throw decline
    s.pos++
    let e = s.next()
    if (e === 0x5d) {
      s.pos++
      return
    }
    for (;;) {
      if (e === 0x7b) this.resource(s, x, depth + 2)
      else {
        this.string(s)
        x.resourcesBad = true
      }
      e = s.next()
      if (e === 0x2c) {
        s.pos++
        e = s.next()
      } else if (e === 0x5d) {
        s.pos++
        return
      } else throw decline
    }
  }

  private resource(s: JsonScanner, x: Slots, depth: number): void {
    const b = this.buf
    let seen = false
    s.pos++
    let c = s.next()
    if (c === 0x7d) {
      s.pos++
      return
    }
    for (;;) {
      if (c !== 0x22) throw decline
      const start = s.pos + 1
      const end = this.key(s)
      if (end - start === 4 && keyIs(b, start, K.tags)) {
        if (seen) throw decline
        seen = true
        this.tags(s, x, depth + 1)
      } else s.skipAt(depth)
      c = s.next()
      if (c === 0x2c) {
        s.pos++
        c = s.next()
      } else if (c === 0x7d) {
        s.pos++
        return
      } else throw decline
    }
  }

  // `tags`: the first resource's `Ec2ImageBuilderArn` wins, as in the plain mapping.
  private tags(s: JsonScanner, x: Slots, depth: number): void {
    const arn = this.onlyMember(s, depth, K.Ec2ImageBuilderArn)
    if (arn !== undefined) x.tag ??= arn
  }
}
