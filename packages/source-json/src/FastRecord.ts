/**
 * The fast path of reading a record: the compiled walker (see {@link WasmRecord}) finds the
 * members the engine needs by comparing key bytes, checks and interns their values on the
 * bytes and skips everything else with the scanner's grammar; this module turns what it found
 * into a finding, so a record costs no object and no string but the finding's own.
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
import { type JsonScanner, needMore } from './JsonScanner.js'
import { decline } from './RecordReader.js'
import { exploitValues, fixValues, NEED, WasmRecord } from './WasmRecord.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

// Bits of the members seen in one object (as in assembly/record.ts).
const ACCOUNT = 1
const STATUS = 4
const ARN = 8
const FIX = 16
const EXPLOIT = 32
const BUILD = 64
const RESOURCES = 512
const DETAIL = 1024
const DETAIL_TYPE = 2048
const SOURCE = 4096

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
  /** The word of the walker's results this object's fingerprint starts at. */
  print = 0
  /** The walker's interned ids of account, build, pipeline, vulnerability id and tag (-1: none). */
  readonly ids = new Int32Array(5)
}

// Words of one object in the walker's results (see assembly/record.ts).
const W_SEEN = 0
const W_ACCOUNT = 1
const W_SEVERITY = 4
const W_STATUS = 5
const W_FIX = 6
const W_EXPLOIT = 7
const W_ARN = 8
const W_BUILD = 11
const W_PIPELINE = 15
const W_VULNERABILITY_ID = 19
const W_TAG = 23
const W_RESOURCES_BAD = 27
const W_PRINT = 28
const DETAIL_WORDS = 32
const W_DETAIL_TYPE_OK = 63

// -------------------------------------------------------------------------------------
// reader
// -------------------------------------------------------------------------------------

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
  private readonly walker = new WasmRecord()
  // Interned group keys by the walker's id, decoded once each.
  private readonly interned: Array<string | undefined> = []
  private buf: Buffer = Buffer.alloc(0)
  private detailTypeOk = true
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
   * Ids of the last counted finding's account, image build, pipeline and vulnerability id, one
   * per distinct string for the whole read (-1: absent, or a string that has none).
   */
  readonly ids = new Int32Array(4)

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
   * for the plain path, or `needMore` when the buffer ends first and more input may follow.
   */
  read(s: JsonScanner): void {
    this.buf = s.buf
    const w = this.walker
    const end = w.walk(s)
    // At the end of the input, a record cut short is the plain path's to report.
    if (end < 0) throw end === NEED && !s.eof ? needMore : decline
    s.pos = end - w.base
    this.fill(this.top, 0)
    if ((this.top.seen & DETAIL) !== 0) {
      this.fill(this.detail, DETAIL_WORDS)
      this.detailTypeOk = w.words[W_DETAIL_TYPE_OK] === 1
    }
  }

  // The slots of one object from the walker's words from `at`.
  private fill(x: Slots, at: number): void {
    const w = this.walker.words
    const base = this.walker.base
    x.seen = w[at + W_SEEN] as number
    x.account = this.string(at + W_ACCOUNT, true)
    x.severity = w[at + W_SEVERITY] as number
    x.status = w[at + W_STATUS] as number
    x.fix = w[at + W_FIX] as number
    x.exploit = w[at + W_EXPLOIT] as number
    x.arnStart = (w[at + W_ARN] as number) - base
    x.arnEnd = (w[at + W_ARN + 1] as number) - base
    x.arnAscii = w[at + W_ARN + 2] === 1
    x.build = this.string(at + W_BUILD, false)
    x.pipeline = this.string(at + W_PIPELINE, false)
    x.vulnerabilityId = this.string(at + W_VULNERABILITY_ID, false)
    x.tag = this.string(at + W_TAG, false)
    x.resourcesBad = w[at + W_RESOURCES_BAD] === 1
    x.print = at + W_PRINT
    x.ids[0] = this.id(at + W_ACCOUNT)
    x.ids[1] = this.id(at + W_BUILD)
    x.ids[2] = this.id(at + W_PIPELINE)
    x.ids[3] = this.id(at + W_VULNERABILITY_ID)
    x.ids[4] = this.id(at + W_TAG)
  }

  private id(at: number): number {
    const w = this.walker.words
    return (w[at] as number) < 0 ? -1 : (w[at + 2] as number)
  }

  // The string at word `at`: start (-1: none), end, interned id (-1: not interned) and, unless
  // it is all digits, whether ASCII. Decoded as the plain scanner decodes: latin1 when every
  // byte is ASCII, else UTF-8.
  private string(at: number, digits: boolean): string | undefined {
    const w = this.walker.words
    const start = w[at] as number
    if (start < 0) return undefined
    const id = w[at + 2] as number
    if (id >= 0) {
      const known = this.interned[id]
      if (known !== undefined) return known
    }
    const base = this.walker.base
    const value = this.buf.toString(
      digits || w[at + 3] === 1 ? 'latin1' : 'utf8',
      start - base,
      (w[at + 1] as number) - base,
    )
    if (id >= 0) this.interned[id] = value
    return value
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
    this.setIds(x.ids[0] as number, x.ids[4] as number, -1, x.ids[3] as number)
    const f: { -readonly [K in keyof Finding]: Finding[K] } = {
      awsAccountId: x.account as Finding['awsAccountId'],
      severity: severities[x.severity] as Finding['severity'],
    }
    if (build !== undefined) f.imageBuildVersionArn = build as KeyString
    if (pipeline !== undefined && KeyString.is(pipeline)) f.imagePipelineArn = pipeline
    if (x.vulnerabilityId !== undefined) f.vulnerabilityId = x.vulnerabilityId as KeyString
    if ((x.seen & ARN) !== 0) {
      if (this.arns) f.findingArn = this.buf.toString('latin1', x.arnStart, x.arnEnd) as KeyString
      else this.print.set(this.walker.prints.subarray(x.print, x.print + 4))
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
    this.setIds(x.ids[0] as number, x.ids[1] as number, x.pipeline === undefined ? -1 : (x.ids[2] as number), x.ids[3] as number)
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

  private setIds(account: number, build: number, pipeline: number, vulnerabilityId: number): void {
    this.ids[0] = account
    this.ids[1] = build
    this.ids[2] = pipeline
    this.ids[3] = vulnerabilityId
  }
}
