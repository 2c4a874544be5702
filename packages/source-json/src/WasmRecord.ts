/**
 * The compiled record walker (`assembly/record.ts`, built to `dist/record.wasm`): one instance
 * per thread, holding a copy of the scanner's buffer in its memory, refreshed when the buffer
 * changes (once a chunk, since records are read from one buffer until it is used up).
 *
 * @module
 */
import { readFileSync } from 'node:fs'
import { findingStatuses, severities } from '@scantally/core'
import type { JsonScanner } from './JsonScanner.js'

// The layout of the module's memory (see assembly/record.ts).
const literalTable = 256
const literalBytes = 512
const literalEnd = 4096
/** Where the input starts in the module's memory. */
export const inputBase = 16384
const page = 65536

/** `record` returned this: the input ends before the record does. */
export const NEED = -1
/** `record` returned this: the plain path reads the record. */
export const DECLINE = -2

// In the order of the literal ids of assembly/record.ts; the value groups follow them.
const keys = [
  'awsAccountId',
  'severity',
  'status',
  'findingArn',
  'fixAvailable',
  'exploitAvailable',
  'imageBuildVersionArn',
  'imagePipelineArn',
  'packageVulnerabilityDetails',
  'resources',
  'detail',
  'detail-type',
  'source',
  'findings',
  'vulnerabilityId',
  'tags',
  'Ec2ImageBuilderArn',
  'Inspector2 Finding',
]

/** The values of `fixAvailable`, in the order the walker reports their index. */
export const fixValues = ['YES', 'NO', 'PARTIAL'] as const
/** The values of `exploitAvailable`, likewise. */
export const exploitValues = ['YES', 'NO'] as const

interface Exports {
  readonly memory: WebAssembly.Memory
  readonly init: (...groups: number[]) => void
  readonly record: (at: number, end: number, complete: number) => number
}

let compiled: WebAssembly.Module | undefined

const compile = (): WebAssembly.Module => {
  compiled ??= new WebAssembly.Module(readFileSync(new URL('./record.wasm', import.meta.url)))
  return compiled
}

/**
 * A walker instance. After {@link WasmRecord.walk}, {@link WasmRecord.words} holds what the
 * record's members were (see assembly/record.ts for the words) and {@link WasmRecord.bytes} the
 * input, at the addresses the words give.
 */
export class WasmRecord {
  private readonly exports: Exports
  words: Int32Array
  bytes: Uint8Array
  private mirrored: Buffer | undefined = undefined
  private scanner: JsonScanner | undefined = undefined
  private epoch = -1

  constructor() {
    this.exports = new WebAssembly.Instance(compile(), {}).exports as unknown as Exports
    this.words = new Int32Array(this.exports.memory.buffer, 0, 64)
    this.bytes = new Uint8Array(this.exports.memory.buffer)
    const literals = [...keys, ...severities, ...findingStatuses, ...fixValues, ...exploitValues]
    let at = literalBytes
    literals.forEach((l, i) => {
      const b = Buffer.from(l, 'latin1')
      if (at + b.length > literalEnd) throw new Error('record walker: literals do not fit')
      this.bytes.set(b, at)
      new DataView(this.exports.memory.buffer).setUint32(literalTable + 4 * i, at | (b.length << 16), true)
      at += b.length
    })
    const first = keys.length
    this.exports.init(
      first,
      severities.length,
      first + severities.length,
      findingStatuses.length,
      first + severities.length + findingStatuses.length,
      fixValues.length,
      first + severities.length + findingStatuses.length + fixValues.length,
      exploitValues.length,
    )
  }

  /**
   * Walks the record at the scanner's position: the address after it, {@link NEED} or
   * {@link DECLINE}. Addresses are the scanner's offsets plus {@link inputBase}.
   */
  walk(s: JsonScanner): number {
    const b = s.buf
    if (b !== this.mirrored || s.epoch !== this.epoch || s !== this.scanner) this.mirror(s)
    return this.exports.record(inputBase + s.pos, inputBase + b.length, s.eof ? 1 : 0)
  }

  private mirror(s: JsonScanner): void {
    const b = s.buf
    const memory = this.exports.memory
    // Sixteen bytes of slack: vector loads stop before the end, but stay inside the memory.
    const need = inputBase + b.length + 16
    if (need > memory.buffer.byteLength) {
      memory.grow(Math.ceil((need - memory.buffer.byteLength) / page))
      this.words = new Int32Array(memory.buffer, 0, 64)
      this.bytes = new Uint8Array(memory.buffer)
    }
    this.bytes.set(b, inputBase)
    this.mirrored = b
    this.scanner = s
    this.epoch = s.epoch
  }
}
