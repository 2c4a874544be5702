/**
 * The format of an input, told once from its first bytes (after gunzipping), never from its
 * name: JSON (every JSON export: pages, arrays, NDJSON, events, ASFF; what each record is, the
 * reader tells from its members), or Inspector's findings report in CSV (its header names
 * `AWS Account Id` and `Severity`), or combination rows (`CombinationRows`). Anything else is in no
 * known format.
 *
 * @module
 */
import { closeSync, openSync, readSync } from 'node:fs'
import { parse } from 'csv-parse/sync'
import { bomLength, otherEncoding } from './ByteOrderMarks.js'
import { firstLineIsRow, namesCombinationRow } from './CombinationRows.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The formats an input may be in.
 *
 * @category model
 */
export type Format = 'json' | 'inspectorCsv' | 'rowsNdjson' | 'rowsCsv'

/**
 * What the formats tried are, in words, for the error of an input in none of them.
 *
 * @category model
 */
export const formatsTried =
  'JSON (Image Builder ListImageScanFindings, Inspector v2 ListFindings or findings report, NDJSON, EventBridge events, Security Hub ASFF findings), the Inspector findings report in CSV, and combination rows (NDJSON or CSV with awsAccountId and count)'

/**
 * The columns whose presence in a CSV header makes it an Inspector findings report.
 *
 * @category model
 */
export const inspectorCsvMarkers: ReadonlyArray<string> = ['AWS Account Id', 'Severity']

// The most bytes looked at for a header line: a longer first line is no known header.
const maxHead = 64 << 10

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The format of an input from its first bytes: `undefined` while more bytes are needed to tell
 * (and `complete` is false), `'unknown'` when it is in no known format. An input with nothing
 * but whitespace is `json` (the JSON reader then reports it empty).
 *
 * @category utils
 */
export const sniffFormat = (head: Uint8Array, complete: boolean): Format | 'unknown' | undefined => {
  let i = bomLength(head)
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d))
    i++
  if (i === head.length) return complete || head.length >= maxHead ? 'json' : undefined
  const c = head[i]
  if (c === 0x5b) return 'json'
  if (c === 0x7b) {
    const row = firstLineIsRow(head, i, complete || head.length >= maxHead)
    return row === undefined ? undefined : row ? 'rowsNdjson' : 'json'
  }
  let end = head.indexOf(0x0a, i)
  if (end < 0) {
    if (!complete && head.length < maxHead) return undefined
    end = head.length
  }
  const header = headerCells(Buffer.from(head.buffer, head.byteOffset + i, end - i).toString('utf8'))
  if (header === undefined) return 'unknown'
  if (namesCombinationRow(header)) return 'rowsCsv'
  return inspectorCsvMarkers.every((m) => header.includes(m)) ? 'inspectorCsv' : 'unknown'
}

/**
 * The cells of a CSV header line, trimmed, or `undefined` when the line is not CSV.
 *
 * @category utils
 */
export const headerCells = (line: string): ReadonlyArray<string> | undefined => {
  try {
    const rows = parse(line, { relax_column_count: true }) as ReadonlyArray<ReadonlyArray<string>>
    return rows[0]?.map((c) => c.trim())
  } catch {
    return undefined
  }
}

/**
 * The format of a regular, uncompressed file from its first bytes (read here, synchronously):
 * for a large file about to be split between threads, which only JSON is.
 *
 * @category utils
 */
export const fileFormat = (path: string): Format | 'unknown' => {
  const fd = openSync(path, 'r')
  try {
    const head = Buffer.alloc(maxHead)
    const n = readSync(fd, head, 0, maxHead, 0)
    return sniffFormat(head.subarray(0, n), true) ?? 'unknown'
  } finally {
    closeSync(fd)
  }
}

/**
 * The format of a stream of decoded bytes, told from as few of its first chunks as needed, and
 * the whole stream again (those chunks, then the rest). A stream in no known format is closed.
 *
 * @category utils
 */
export const sniffStream = async (
  bytes: AsyncIterable<Buffer>,
): Promise<{
  readonly format: Format | 'unknown'
  readonly bytes: AsyncIterable<Buffer>
  readonly encoding?: string | undefined
}> => {
  const it = bytes[Symbol.asyncIterator]()
  const head: Array<Buffer> = []
  let size = 0
  let done = false
  let format: Format | 'unknown' | undefined
  while (format === undefined) {
    const r = await it.next()
    if (r.done === true) done = true
    else {
      head.push(r.value)
      size += r.value.length
    }
    format = sniffFormat(head.length === 1 ? (head[0] as Buffer) : Buffer.concat(head, size), done)
  }
  if (format === 'unknown') {
    if (!done) await it.return?.()
    return { format, bytes: nothing(), encoding: otherEncoding(Buffer.concat(head, Math.min(size, 4))) }
  }
  async function* again(): AsyncGenerator<Buffer> {
    // A reader that stops early, even within the first chunks, closes the input.
    try {
      yield* head
      if (done) return
      for (let r = await it.next(); r.done !== true; r = await it.next()) yield r.value
    } finally {
      if (!done) await it.return?.()
    }
  }
  return { format, bytes: again() }
}

async function* nothing(): AsyncGenerator<Buffer> {}
