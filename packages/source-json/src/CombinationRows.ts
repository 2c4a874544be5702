/**
 * Combination rows as files: pre-aggregated counts (core's `CombinationRow`) as NDJSON, one
 * object a line, or as CSV with a header naming the members. Both are told from content: a first
 * line that is a JSON object with members `awsAccountId` and `count`, or a CSV header with those
 * two columns. Member names are matched regardless of case, since Athena (Trino) writes its column
 * names in lower case; an empty CSV cell or a JSON `null` is an absent member.
 *
 * @module
 */
import { combinationRowMembers } from '@scantally/core/internal'
import { type CsvError, parse } from 'csv-parse'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One row as read, before validation: its members under their canonical names, where it
 * starts (byte offset in the decompressed stream) and its 1-based line.
 *
 * @category model
 */
export interface RawRow {
  readonly row: Readonly<Record<string, unknown>>
  readonly offset: number
  readonly line: number
}

/**
 * A line that is not a row at all (malformed JSON, a broken CSV row): where, and why.
 *
 * @category model
 */
export interface RowProblem {
  readonly line: number
  readonly offset: number
  readonly message: string
}

/**
 * What reading a chunk of rows gave, in order.
 *
 * @category model
 */
export type RowItem = RawRow | RowProblem

// The canonical member name of each name regardless of case.
const canonical = new Map<string, string>(combinationRowMembers.map((m) => [m.toLowerCase(), m]))

// A row line is a few ARNs long at most: a first line longer than this is no row.
const maxRowLine = 8 << 10

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Whether member names (a CSV header, a JSON object's keys) are those of combination rows:
 * `awsAccountId` and `count` are among them, regardless of case.
 *
 * @category utils
 */
export const namesCombinationRow = (names: ReadonlyArray<string>): boolean => {
  const lower = new Set(names.map((n) => n.trim().toLowerCase()))
  return lower.has('awsaccountid') && lower.has('count')
}

/**
 * Whether the first line of a JSON input (from `start`, its first non-blank byte) is a
 * combination row: `undefined` while more bytes are needed to tell.
 *
 * @category utils
 */
export const firstLineIsRow = (head: Uint8Array, start: number, complete: boolean): boolean | undefined => {
  let end = head.indexOf(0x0a, start)
  if (end < 0 || end - start > maxRowLine) {
    if (head.length - start > maxRowLine) return false
    if (!complete) return undefined
    end = head.length
  }
  try {
    const u: unknown = JSON.parse(
      Buffer.from(head.buffer, head.byteOffset + start, end - start).toString('utf8'),
    )
    return isObject(u) && namesCombinationRow(Object.keys(u))
  } catch {
    return false
  }
}

/**
 * Whether an item of {@link rowItems} is a row (else a problem).
 *
 * @category utils
 */
export const isRawRow = (i: RowItem): i is RawRow => 'row' in i

/**
 * Reads combination rows as NDJSON: yields, for each chunk, the rows (and the lines that are not
 * JSON objects, as problems) it completed, in order. Blank lines are passed over.
 *
 * @category utils
 */
export async function* ndjsonRowItems(
  bytes: AsyncIterable<Buffer>,
): AsyncGenerator<ReadonlyArray<RowItem>, void> {
  let rest: Buffer = Buffer.alloc(0)
  let offset = 0
  let line = 0
  const take = (text: Buffer, out: Array<RowItem>): void => {
    line++
    const at = offset
    offset += text.length + 1
    const s = text.toString('utf8').trim()
    if (s === '') return
    try {
      const u: unknown = JSON.parse(s)
      out.push(
        isObject(u)
          ? { row: canonicalMembers(Object.entries(u)), offset: at, line }
          : { line, offset: at, message: 'not a JSON object' },
      )
    } catch (e) {
      out.push({ line, offset: at, message: `malformed JSON: ${(e as Error).message}` })
    }
  }
  for await (const chunk of bytes) {
    const buf = rest.length === 0 ? chunk : Buffer.concat([rest, chunk])
    const out: Array<RowItem> = []
    let from = 0
    for (let nl = buf.indexOf(0x0a, from); nl >= 0; nl = buf.indexOf(0x0a, from)) {
      take(buf.subarray(from, nl), out)
      from = nl + 1
    }
    rest = Buffer.from(buf.subarray(from))
    if (out.length > 0) yield out
  }
  const out: Array<RowItem> = []
  if (rest.length > 0) take(rest, out)
  if (out.length > 0) yield out
}

/**
 * Reads combination rows as CSV (`csv-parse`, streaming): the first row is the header; each
 * data row becomes its members (an empty cell absent, `count` a number when it is all digits).
 * A broken row is a problem, and reading goes on (the caller's policy decides what it means).
 *
 * @category utils
 */
export async function* csvRowItems(
  bytes: AsyncIterable<Buffer>,
): AsyncGenerator<ReadonlyArray<RowItem>, void> {
  const queue: Array<RowItem> = []
  let header: ReadonlyArray<string> | undefined
  let last = 0
  const parser = parse({
    bom: true,
    record_delimiter: ['\r\n', '\n'],
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (e: CsvError | undefined) => {
      if (e !== undefined)
        queue.push({ line: lineOf(e), offset: last, message: `malformed CSV: ${e.message}` })
    },
    on_record: (cells: ReadonlyArray<string>, info: { readonly lines: number; readonly bytes: number }) => {
      const offset = last
      last = info.bytes
      if (header === undefined) header = cells
      else
        queue.push({
          row: canonicalMembers(
            cells.map((c, i) => [header?.[i] ?? `column ${i + 1}`, cellValue(header?.[i], c)]),
          ),
          offset,
          line: info.lines,
        })
      return null
    },
  })
  try {
    for await (const chunk of bytes) {
      const failed = await new Promise<unknown>((resolve) => parser.write(chunk, resolve))
      if (failed !== undefined && failed !== null) throw failed
      if (queue.length > 0) yield queue.splice(0)
    }
    const failed = await new Promise<unknown>((resolve) => parser.end(resolve))
    if (failed !== undefined && failed !== null) throw failed
    if (queue.length > 0) yield queue.splice(0)
  } finally {
    parser.destroy()
  }
}

// Members under their canonical names (an unknown name is kept as it is, for the codec to name).
const canonicalMembers = (entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of entries) out[canonical.get(k.trim().toLowerCase()) ?? k] = v
  return out
}

// A CSV cell as a member's value: empty is absent, `count` a number when it is all digits.
const cellValue = (name: string | undefined, cell: string): unknown => {
  const s = cell.trim()
  if (s === '') return null
  return name?.trim().toLowerCase() === 'count' && /^[0-9]{1,15}$/.test(s) ? Number(s) : s
}

const lineOf = (e: CsvError): number => {
  const lines: unknown = (e as { lines?: unknown }).lines
  return typeof lines === 'number' ? lines : 0
}

const isObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)
