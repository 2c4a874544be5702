/**
 * The descriptive members of served findings, kept out of memory: for each stored finding,
 * where its record lies (see source-json's `recordLocation`), and a page's records read back
 * when `ListImageScanFindings` answers. A record in a file that can be read again is a byte
 * range of that file (16 bytes a finding here), read back with positioned reads and checked: the
 * file must be as it was when loaded, and the record must be the finding stored at that row. A
 * record that cannot be read again (gzip, standard input, S3) is copied to a temporary file
 * (see {@link RecordSpool}) and read back from there. A finding with no located record (a CSV
 * report row, a live Inspector finding) is served with its key members only.
 *
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import type {
  Finding,
  ImageScanFindingDetail,
  ImageScanFindingWire,
  RecordedDetails,
  ScantallyError,
} from '@scantally/core'
import {
  grown,
  imageScanFindingDetail,
  inspectorFindingDetail,
  serviceException,
  trimmed,
} from '@scantally/core/internal'
import { type ExportFile, type RecordLocation, recordKind, recordLocation } from '@scantally/source-json'
import * as E from 'fp-ts/lib/Either.js'
import { RecordSpool } from './RecordSpool.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Collects where the records of stored findings lie, row by row (`add` once per stored
 * finding, in store order), then freezes into the store's {@link RecordedDetails}.
 *
 * @category model
 */
export interface RecordDetailsBuilder {
  readonly add: (finding: Finding) => void
  /** As `add`, for a finding whose record lies at `at` (`undefined`: nowhere to read it from). */
  readonly addAt: (at: RecordLocation | undefined) => void
  /**
   * The details, or why records could not be kept (the temporary file failed): then nothing is
   * to be served.
   */
  readonly freeze: () => E.Either<string, RecordedDetails>
  /** Bytes of records copied to the temporary file. */
  readonly copiedBytes: () => number
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A new builder, copies going to a temporary file in `spool`, with room for `expected` rows
 * (it grows past them). Row `i` is the `i`th finding added.
 *
 * @category constructors
 */
export const makeRecordDetails = (
  spool: RecordSpool = new RecordSpool(),
  expected = 1024,
): RecordDetailsBuilder => {
  const files: Array<ExportFile> = []
  const fileIds = new Map<ExportFile, number>()
  // Per row: 0 none, k > 0 file k - 1, -1 the spool; the offset and length there.
  const room = Math.max(1024, expected)
  let space = new Int32Array(room)
  let offset = new Float64Array(room)
  let length = new Uint32Array(room)
  let rows = 0
  const addAt = (at: RecordLocation | undefined): void => {
    if (rows === space.length) {
      space = grown(space, new Int32Array(rows * 2))
      offset = grown(offset, new Float64Array(rows * 2))
      length = grown(length, new Uint32Array(rows * 2))
    }
    if (at?._tag === 'InFile') {
      let id = fileIds.get(at.file)
      if (id === undefined) {
        id = files.length
        files.push(at.file)
        fileIds.set(at.file, id)
      }
      space[rows] = id + 1
      offset[rows] = at.start
      length[rows] = at.end - at.start
    } else if (at?._tag === 'Copied') {
      space[rows] = -1
      offset[rows] = spool.append(at.bytes)
      length[rows] = at.bytes.length
    }
    rows++
  }
  const freeze = (): E.Either<string, RecordedDetails> => {
    spool.flush()
    if (spool.failure !== undefined) {
      spool.close()
      return E.left(spool.failure)
    }
    const frozen = {
      space: trimmed(space, rows),
      offset: trimmed(offset, rows),
      length: trimmed(length, rows),
    }
    // The growing columns share this scope with `read`: let them go, only what is kept is held.
    space = new Int32Array(0)
    offset = new Float64Array(0)
    length = new Uint32Array(0)
    fileIds.clear()
    return E.right({
      read: (wanted, expected) => {
        const open = new Map<number, number>()
        try {
          const out: Array<ImageScanFindingDetail | undefined> = []
          for (const [k, row] of wanted.entries()) {
            const s = frozen.space[row] ?? 0
            if (s === 0) {
              out.push(undefined)
              continue
            }
            const at = frozen.offset[row] as number
            const size = frozen.length[row] as number
            const where =
              s > 0 ? `${(files[s - 1] as ExportFile).path} bytes ${at}-${at + size}` : 'a temporary copy'
            const bytes =
              s > 0 ? readRange(open, s - 1, files[s - 1] as ExportFile, at, size) : spool.read(at, size)
            const detail = detailOf(bytes, expected[k] as ImageScanFindingWire)
            if (E.isLeft(detail)) return E.left(notTheRecord(where, detail.left))
            out.push(detail.right)
          }
          return E.right(out)
        } catch (e) {
          return E.left(e instanceof Changed ? serviceException(e.message) : serviceException(String(e)))
        } finally {
          for (const fd of open.values()) closeSync(fd)
        }
      },
    })
  }
  return { add: (finding) => addAt(recordLocation(finding)), addAt, freeze, copiedBytes: () => spool.size }
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The descriptive members a record's JSON bytes hold for the finding `expected` (its key
 * members as stored): an Image Builder finding's as they are, an Inspector finding's (or the
 * one an EventBridge event holds) as Image Builder maps them, none for a Security Hub finding.
 * `Left` when the bytes are not that finding's record.
 *
 * @category utils
 */
export const detailOf = (
  bytes: Uint8Array,
  expected: ImageScanFindingWire,
): E.Either<string, ImageScanFindingDetail | undefined> => {
  let u: unknown
  try {
    u = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'))
  } catch (e) {
    return E.left(`not JSON (${(e as Error).message})`)
  }
  const kind = recordKind(u)
  const record = (kind === 'eventBridgeEvent' ? (u as { detail: unknown }).detail : u) as Readonly<
    Record<string, unknown>
  >
  if (kind === 'asffFinding')
    return record.AwsAccountId === expected.awsAccountId ? E.right(undefined) : E.left('another account')
  if (kind === undefined) return E.left('not a finding')
  const details = record.packageVulnerabilityDetails as { readonly vulnerabilityId?: unknown } | undefined
  if (
    record.awsAccountId !== expected.awsAccountId ||
    record.severity !== expected.severity ||
    details?.vulnerabilityId !== expected.packageVulnerabilityDetails?.vulnerabilityId
  )
    return E.left(
      `another finding (${String(record.awsAccountId)} ${String(record.severity)} ${String(details?.vulnerabilityId)})`,
    )
  return E.right(
    kind === 'imageScanFinding' ? imageScanFindingDetail(record) : inspectorFindingDetail(record),
  )
}

class Changed extends Error {}

const notTheRecord = (where: string, why: string): ScantallyError =>
  serviceException(
    `the record of a served finding (${where}) is not the one loaded: ${why}; its export changed since scantally serve loaded it, restart it to serve the export as it is now`,
  )

// Bytes `at` to `at + size` of a file, which must be as it was when loaded.
const readRange = (
  open: Map<number, number>,
  id: number,
  file: ExportFile,
  at: number,
  size: number,
): Buffer => {
  let fd = open.get(id)
  if (fd === undefined) {
    try {
      fd = openSync(file.path, 'r')
    } catch (e) {
      throw new Changed(
        `${file.path} cannot be read any more (${(e as Error).message}); restart scantally serve`,
      )
    }
    open.set(id, fd)
    const now = fstatSync(fd, { bigint: true })
    if (now.size !== file.size || now.mtimeNs !== file.mtimeNs)
      throw new Changed(
        `${file.path} changed since scantally serve loaded it (size ${file.size}, now ${now.size}${now.mtimeNs === file.mtimeNs ? '' : ', modified since'}): its findings are not served from a changed file; restart scantally serve to load it again`,
      )
  }
  const buf = Buffer.alloc(size)
  const n = readSync(fd, buf, 0, size, at)
  if (n !== size) throw new Changed(`${file.path}: ${n} of ${size} bytes read at offset ${at}`)
  return buf
}
