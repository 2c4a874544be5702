/**
 * The fast path of reading a record: the compiled walker (see `WasmRecord.ts`) finds the
 * members the engine needs by comparing key bytes, checks and interns their values on the
 * bytes, skips everything else with the scanner's grammar and decides what the record is, as
 * core's mapping would; this module only turns a counted finding's words into a finding, so a
 * record costs no object and no string but the finding's own.
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
  type GroupKey,
  type InspectorMappingOptions,
  severities,
} from '@scantally/core'
import { KeyString } from '@scantally/core/internal'
import { type JsonScanner, needMore } from './JsonScanner.js'
import {
  exploitValues,
  F_ACCOUNT,
  F_ARN,
  F_BUILD,
  F_PACKED,
  F_PIPELINE,
  F_PRINT,
  F_VULNERABILITY_ID,
  fixValues,
  NEED,
  outcomes,
  PACK_EXPLOIT_MASK,
  PACK_EXPLOIT_SHIFT,
  PACK_FIX_MASK,
  PACK_FIX_SHIFT,
  PACK_SEVERITY_MASK,
  PACK_SEVERITY_SHIFT,
  R_FINDING,
  R_OUTCOME,
  RUN_ACCOUNT,
  RUN_BUILD,
  RUN_PACKED,
  RUN_PIPELINE,
  RUN_PRINT,
  RUN_VULNERABILITY_ID,
  RUN_WORDS,
} from './RecordLayout.js'
import { decline, type NewlineCounter } from './RecordReader.js'
import { type RunCounts, WasmRecord } from './WasmRecord.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export { outcomes }

const notActive: Classified = { _tag: 'Excluded', reason: 'notActive' }
const noImageLinkage: Classified = { _tag: 'Excluded', reason: 'noImageLinkage' }

/**
 * A counted finding in parts, as {@link FastRecord.outcome} leaves it: strings, and indexes into
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

// The words of the finding the walker leaves for one record.
const ACCOUNT = R_FINDING + F_ACCOUNT
const BUILD = R_FINDING + F_BUILD
const PIPELINE = R_FINDING + F_PIPELINE
const VULNERABILITY_ID = R_FINDING + F_VULNERABILITY_ID
const PACKED = R_FINDING + F_PACKED
const ARN = R_FINDING + F_ARN
const PRINT = R_FINDING + F_PRINT

// -------------------------------------------------------------------------------------
// reader
// -------------------------------------------------------------------------------------

/**
 * The fast record reader: {@link FastRecord.read} walks one record at the scanner's position,
 * where the walker decides what it is, as `fromInspectorFinding` / `fromImageScanFinding` would,
 * or declines; {@link FastRecord.classify} or {@link FastRecord.outcome} then give that
 * decision. One instance serves a whole read; it holds only interned group keys.
 *
 * @category reader
 */
export class FastRecord {
  private readonly walker = new WasmRecord()
  // Interned group keys by the walker's id, decoded once each.
  private readonly interned: Array<string | undefined> = []
  private readonly resolvePipeline: InspectorMappingOptions['resolvePipeline']
  private readonly arns: boolean
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
  /** The last counted finding (see {@link FastRecord.outcome}). */
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
   * into {@link FastRecord.print} either way): a read that only counts never decodes one. The
   * walker decides with the statuses and `includeUnlinked`; a pipeline resolver, a function,
   * stays here and resolves the pipeline of a counted finding that has none of its own.
   * `keys` (default: every one) are the group keys findings keep; the others are left absent.
   */
  constructor(
    options: InspectorMappingOptions & {
      readonly findingArns?: boolean
      readonly keys?: ReadonlyArray<GroupKey> | undefined
    },
  ) {
    const statuses = options.statuses ?? ['ACTIVE']
    const keys = options.keys
    const kept = (k: GroupKey) => keys === undefined || keys.includes(k)
    this.walker.options(
      findingStatuses.map((s) => statuses.includes(s)),
      options.includeUnlinked === true,
      {
        // A pipeline is resolved from the image build when the record has none.
        build: kept('imageBuildVersionArn') || kept('imagePipelineArn'),
        pipeline: kept('imagePipelineArn'),
        vulnerabilityId: kept('vulnerabilityId'),
      },
    )
    // Resolved only for findings that keep their pipeline.
    this.resolvePipeline = kept('imagePipelineArn') ? options.resolvePipeline : undefined
    this.arns = options.findingArns !== false
  }

  /**
   * Reads the record at the scanner's position (an object) up to its end. Throws `decline`
   * for the plain path, or `needMore` when the buffer ends first and more input may follow.
   */
  read(s: JsonScanner): void {
    const w = this.walker
    const end = w.walk(s)
    // At the end of the input, a record cut short is the plain path's to report.
    if (end < 0) throw end === NEED && !s.eof ? needMore : decline
    s.pos = end - w.at
  }

  /**
   * Reads a run of records at once (see `WasmRecord.run`), decided with this reader's options;
   * only for a reader without a pipeline resolver, whose findings need no ARN.
   */
  run(s: JsonScanner, inArray: boolean, stopAt: number): RunCounts {
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

  /**
   * The address in the walker's memory of the first byte of the last run's input: a finding's
   * record starts and ends (its `RUN_START` and `RUN_END` words) that far from the input's start.
   */
  get runInput(): number {
    return this.walker.at
  }

  /**
   * The group key the walker interned as `id`, decoded once: on first use, `id` must be one the
   * last `run` gave (see `WasmRecord.internedString`).
   */
  internedString(id: number): string {
    let s = this.interned[id]
    if (s === undefined) {
      s = this.walker.internedString(id)
      this.interned[id] = s
    }
    return s
  }

  /** The group key the walker interned as `id`, decoded anew and not kept (see `internedString`). */
  decodeInterned(id: number): string {
    return this.interned[id] ?? this.walker.internedString(id)
  }

  /** The first hash the walker keeps of interned key `id` (see `WasmRecord.internedHash`). */
  internedHash(id: number): bigint {
    return this.walker.internedHash(id)
  }

  /** A buffer in the walker's memory, for a reader that fills its own (see `WasmRecord.region`). */
  region(k: 0 | 1, size: number): Buffer | undefined {
    return this.walker.region(k, size)
  }

  /** Counts newlines for a {@link RecordReader} (see its `newlines`). */
  readonly newlines: NewlineCounter = (s, from, end) => this.walker.newlines(s, from, end)

  // The id of the finding's string at word `at` (-1: absent, or not interned).
  private id(at: number): number {
    const w = this.walker.words
    return (w[at] as number) < 0 ? -1 : (w[at + 2] as number)
  }

  // The finding's string at word `at`: start (-1: none), end (addresses of the walker's memory:
  // in the input, or in its arena when written with escapes), interned id (-1: not interned) and
  // whether ASCII.
  private string(at: number): string | undefined {
    const w = this.walker.words
    const start = w[at] as number
    if (start < 0) return undefined
    const id = w[at + 2] as number
    if (id >= 0) {
      const known = this.interned[id]
      if (known !== undefined) return known
    }
    const value = this.walker.text(start, w[at + 1] as number, w[at + 3] === 1)
    if (id >= 0) this.interned[id] = value
    return value
  }

  /**
   * The walker's decision on the record just read: a counted finding or an exclusion, or
   * `undefined` to decline (the record is invalid, or not in a shape the walker maps).
   */
  classify(): Classified | undefined {
    switch (this.outcome()) {
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
   * The walker's decision on the record just read, as {@link FastRecord.classify} gives it but
   * without making objects: one of {@link outcomes}; for a counted finding, its parts are left in
   * {@link FastRecord.parts}, {@link FastRecord.ids} and {@link FastRecord.print}, its pipeline
   * resolved when it has none of its own.
   */
  outcome(): number {
    const w = this.walker.words
    const o = w[R_OUTCOME] as number
    if (o !== outcomes.counted) return o
    const p = this.parts
    p.account = this.string(ACCOUNT) as string
    p.build = this.string(BUILD)
    const own = this.string(PIPELINE) as KeyString | undefined
    p.vulnerabilityId = this.string(VULNERABILITY_ID)
    this.pipelineAndPacked(own, w[PACKED] as number)
    const ids = this.ids
    ids[0] = this.id(ACCOUNT)
    ids[1] = this.id(BUILD)
    ids[2] = own === undefined ? -1 : this.id(PIPELINE)
    ids[3] = this.id(VULNERABILITY_ID)
    const arnStart = w[ARN] as number
    // An ARN the walker fingerprinted is ASCII.
    p.findingArn =
      arnStart >= 0 && this.arns ? this.walker.text(arnStart, w[ARN + 1] as number, true) : undefined
    const from = this.walker.prints
    const to = this.print
    to[0] = from[PRINT] as number
    to[1] = from[PRINT + 1] as number
    to[2] = from[PRINT + 2] as number
    to[3] = from[PRINT + 3] as number
    return o
  }

  /**
   * Leaves the `i`th counted finding of the last run in {@link FastRecord.parts} and
   * {@link FastRecord.print}, as {@link FastRecord.outcome} leaves a record read alone (runs
   * send no ARN), its pipeline resolved when it has none of its own.
   */
  runParts(i: number): void {
    const w = this.walker.runWords
    const at = this.walker.runAt + i * RUN_WORDS
    const p = this.parts
    p.account = this.internedString(w[at + RUN_ACCOUNT] as number)
    p.build = this.runString(w[at + RUN_BUILD] as number)
    p.vulnerabilityId = this.runString(w[at + RUN_VULNERABILITY_ID] as number)
    this.pipelineAndPacked(
      this.runString(w[at + RUN_PIPELINE] as number) as KeyString | undefined,
      w[at + RUN_PACKED] as number,
    )
    p.findingArn = undefined
    this.print.set(w.subarray(at + RUN_PRINT, at + RUN_PRINT + 4))
  }

  // The parts' pipeline (its own, else resolved from the image build) and packed severity, fix
  // and exploit.
  private pipelineAndPacked(own: KeyString | undefined, small: number): void {
    const p = this.parts
    const resolved = own ?? (p.build === undefined ? undefined : this.resolvePipeline?.(p.build))
    p.pipeline = resolved !== undefined && KeyString.is(resolved) ? resolved : undefined
    p.severity = (small >>> PACK_SEVERITY_SHIFT) & PACK_SEVERITY_MASK
    p.fix = ((small >>> PACK_FIX_SHIFT) & PACK_FIX_MASK) - 1
    p.exploit = ((small >>> PACK_EXPLOIT_SHIFT) & PACK_EXPLOIT_MASK) - 1
  }

  // The interned string of a run's word (0xffffffff: absent).
  private runString(id: number): string | undefined {
    return id === 0xffffffff ? undefined : this.internedString(id)
  }

  /** The counted finding {@link FastRecord.outcome} left in {@link FastRecord.parts}. */
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
}
