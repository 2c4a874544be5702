/**
 * The fast path of reading a record: the compiled walker (see `WasmRecord.ts`) finds the
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
import { decline, type NewlineCounter } from './RecordReader.js'
import { exploitValues, fixValues, NEED, type RunCounts, WasmRecord } from './WasmRecord.js'

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
const W_DETAIL_TYPE_OK = 64

/**
 * What {@link FastRecord.decide} makes of a record.
 *
 * @category model
 */
export const outcomes = { declined: 0, counted: 1, notActive: 2, noImageLinkage: 3 } as const

const notActive: Classified = { _tag: 'Excluded', reason: 'notActive' }
const noImageLinkage: Classified = { _tag: 'Excluded', reason: 'noImageLinkage' }

/**
 * A counted finding in parts, as {@link FastRecord.decide} leaves it: strings, and indexes into
 * `severities`, the fix values and the exploit values (-1: absent).
 *
 * @category model
 */
export interface FindingParts {
  account: string
  severity: number
  build: string | undefined
  pipeline: KeyString | undefined
  vulnerabilityId: string | undefined
  /** Only when the reader keeps ARNs. */
  findingArn: string | undefined
  fix: number
  exploit: number
}

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
  private runReady = false
  /**
   * The fingerprint of the last counted finding's ARN (see `fingerprintInto`), made by the walker
   * on its bytes, when it had one; else its last word is 0.
   */
  readonly print = new Uint32Array(4)
  /**
   * Ids of the last counted finding's account, image build, pipeline and vulnerability id, one
   * per distinct string for the whole read (-1: absent, or a string that has none).
   */
  readonly ids = new Int32Array(4)
  /** The last counted finding (see {@link FastRecord.decide}). */
  readonly parts: FindingParts = {
    account: '',
    severity: 0,
    build: undefined,
    pipeline: undefined,
    vulnerabilityId: undefined,
    findingArn: undefined,
    fix: -1,
    exploit: -1,
  }

  /**
   * `findingArns: false` leaves ARNs off the findings (they are fingerprinted on their bytes
   * into {@link FastRecord.print} either way): a read that only counts never decodes one.
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
    s.pos = end - w.at
    this.fill(this.top, 0)
    if ((this.top.seen & DETAIL) !== 0) {
      this.fill(this.detail, DETAIL_WORDS)
      this.detailTypeOk = w.words[W_DETAIL_TYPE_OK] === 1
    }
  }

  /**
   * Reads a run of records at once (see `WasmRecord.run`), mapped with this reader's options;
   * only for a reader without a pipeline resolver, whose findings need no ARN.
   */
  run(s: JsonScanner, inArray: boolean, stopAt: number): RunCounts {
    if (!this.runReady) {
      this.walker.runOptions(this.allowed, this.includeUnlinked)
      this.runReady = true
    }
    return this.walker.run(s, inArray, stopAt)
  }

  /** The words of the last run's findings, from {@link FastRecord.runAt}. */
  get runWords(): Uint32Array {
    return this.walker.runWords
  }

  /** Where the last run's findings start in {@link FastRecord.runWords}. */
  get runAt(): number {
    return this.walker.runAt
  }

  /** The group key the walker interned as `id`, decoded once. */
  internedString(id: number): string {
    let s = this.interned[id]
    if (s === undefined) {
      s = this.walker.internedString(id)
      this.interned[id] = s
    }
    return s
  }

  /** A buffer in the walker's memory, for a reader that fills its own (see `WasmRecord.region`). */
  region(k: 0 | 1, size: number): Buffer | undefined {
    return this.walker.region(k, size)
  }

  /** Counts newlines for a {@link RecordReader} (see its `newlines`). */
  readonly newlines: NewlineCounter = (s, from, end) => this.walker.newlines(s, from, end)

  // The slots of one object from the walker's words from `at`.
  private fill(x: Slots, at: number): void {
    const w = this.walker.words
    const base = this.walker.at
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
    const base = this.walker.at
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
    switch (this.decide()) {
      case outcomes.counted:
        return { _tag: 'Counted', finding: this.finding() }
      case outcomes.notActive:
        return notActive
      case outcomes.noImageLinkage:
        return noImageLinkage
      default:
        return undefined
    }
  }

  /**
   * Maps the record just read as {@link FastRecord.classify} does, without making objects: one
   * of {@link outcomes}; for a counted finding, its parts are left in {@link FastRecord.parts},
   * {@link FastRecord.ids} and {@link FastRecord.print}.
   */
  decide(): number {
    this.print[3] = 0
    const t = this.top
    if ((t.seen & DETAIL) !== 0 && (t.seen & (DETAIL_TYPE | SOURCE)) !== 0)
      return (t.seen & DETAIL_TYPE) !== 0 && !this.detailTypeOk
        ? outcomes.declined
        : this.inspector(this.detail)
    if ((t.seen & (ARN | STATUS | RESOURCES)) !== 0) return this.inspector(t)
    if ((t.seen & (ACCOUNT | BUILD)) !== 0) return this.imageScan(t)
    return outcomes.declined
  }

  /** The counted finding {@link FastRecord.decide} left in {@link FastRecord.parts}. */
  finding(): Finding {
    const p = this.parts
    const f: { -readonly [K in keyof Finding]: Finding[K] } = {
      awsAccountId: p.account as Finding['awsAccountId'],
      severity: severities[p.severity] as Finding['severity'],
    }
    if (p.build !== undefined) f.imageBuildVersionArn = p.build as KeyString
    if (p.pipeline !== undefined) f.imagePipelineArn = p.pipeline
    if (p.vulnerabilityId !== undefined) f.vulnerabilityId = p.vulnerabilityId as KeyString
    if (p.findingArn !== undefined) f.findingArn = p.findingArn as KeyString
    if (p.fix >= 0) f.fixAvailable = fixValues[p.fix] as (typeof fixValues)[number]
    if (p.exploit >= 0) f.exploitAvailable = exploitValues[p.exploit] as (typeof exploitValues)[number]
    return f
  }

  private inspector(x: Slots): number {
    if (x.account === undefined || x.severity < 0 || x.status < 0 || x.resourcesBad) return outcomes.declined
    if ((x.seen & ARN) !== 0 && (!x.arnAscii || x.arnEnd - x.arnStart < 1 || x.arnEnd - x.arnStart > 1024))
      return outcomes.declined
    if (((x.seen & FIX) !== 0 && x.fix < 0) || ((x.seen & EXPLOIT) !== 0 && x.exploit < 0))
      return outcomes.declined
    if (!this.allowed[x.status]) return outcomes.notActive
    const build = x.tag
    if (build === undefined && !this.includeUnlinked) return outcomes.noImageLinkage
    const pipeline = build === undefined ? undefined : this.resolvePipeline?.(build)
    this.setIds(x.ids[0] as number, x.ids[4] as number, -1, x.ids[3] as number)
    const p = this.parts
    p.account = x.account
    p.severity = x.severity
    p.build = build
    p.pipeline = pipeline !== undefined && KeyString.is(pipeline) ? pipeline : undefined
    p.vulnerabilityId = x.vulnerabilityId
    p.findingArn = undefined
    if ((x.seen & ARN) !== 0) {
      if (this.arns) p.findingArn = this.buf.toString('latin1', x.arnStart, x.arnEnd)
      const from = this.walker.prints
      const to = this.print
      to[0] = from[x.print] as number
      to[1] = from[x.print + 1] as number
      to[2] = from[x.print + 2] as number
      to[3] = from[x.print + 3] as number
    }
    p.fix = x.fix
    p.exploit = x.exploit
    return outcomes.counted
  }

  private imageScan(x: Slots): number {
    if (x.account === undefined || x.severity < 0) return outcomes.declined
    if ((x.seen & FIX) !== 0 && x.fix < 0) return outcomes.declined
    const build = x.build
    if (build === undefined && !this.includeUnlinked) return outcomes.noImageLinkage
    const resolved = x.pipeline ?? (build === undefined ? undefined : this.resolvePipeline?.(build))
    const pipeline = resolved !== undefined && KeyString.is(resolved) ? resolved : undefined
    this.setIds(
      x.ids[0] as number,
      x.ids[1] as number,
      x.pipeline !== undefined && pipeline === x.pipeline ? (x.ids[2] as number) : -1,
      x.ids[3] as number,
    )
    const p = this.parts
    p.account = x.account
    p.severity = x.severity
    p.build = build
    p.pipeline = pipeline
    p.vulnerabilityId = x.vulnerabilityId
    p.findingArn = undefined
    p.fix = x.fix
    p.exploit = -1
    return outcomes.counted
  }

  private setIds(account: number, build: number, pipeline: number, vulnerabilityId: number): void {
    this.ids[0] = account
    this.ids[1] = build
    this.ids[2] = pipeline
    this.ids[3] = vulnerabilityId
  }
}
