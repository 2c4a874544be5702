/**
 * Inspector's findings report in CSV (`CreateFindingsReport` with `reportFormat: CSV`): rows
 * read streaming (split by `CsvSplitter`, and by `csv-parse` from the first irregular one on),
 * and each turned into the raw Inspector v2 finding it stands for, so core's one Inspector
 * mapping decides it exactly as it decides the JSON report's record. Columns are found by their
 * header names, in any order; a column the mapping does not need may be missing.
 *
 * | column | member of the Inspector finding |
 * | --- | --- |
 * | `AWS Account Id` | `awsAccountId` |
 * | `Severity` | `severity` |
 * | `Status` | `status` |
 * | `Finding ARN` | `findingArn` |
 * | `Fix Available` | `fixAvailable` |
 * | `Exploit Available` | `exploitAvailable` |
 * | `Vulnerability Id` | `packageVulnerabilityDetails.vulnerabilityId` |
 * | `Resource ID`, `Resource Type`, `Resource Tags` | `resources[0].id`, `.type`, `.tags` |
 *
 * An empty cell is an absent member; other cells are taken as they are. The closed vocabularies (severity, status, fix and exploit
 * availability) are read regardless of case. `Resource Tags` is read in every encoding seen or
 * plausible (see {@link parseResourceTags} and docs/sources.md).
 *
 * @module
 */
import { CsvError, type Parser, parse } from 'csv-parse'
import { CsvSplitter, type SplitStop } from './CsvSplitter.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One data row of a report as the raw Inspector finding it stands for, with where it starts:
 * its byte offset (in the decompressed stream) and 1-based line.
 *
 * @category model
 */
export interface CsvRecord {
  readonly record: Readonly<Record<string, unknown>>
  readonly offset: number
  readonly line: number
}

/**
 * A CSV syntax problem: the line where it was found and what it is.
 *
 * @category model
 */
export interface CsvProblem {
  readonly line: number
  readonly message: string
}

/**
 * What reading a chunk of a report gave, in order: records and (when problems are skipped)
 * the problems between them.
 *
 * @category model
 */
export type CsvItem = CsvRecord | CsvProblem

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The tags a `Resource Tags` cell holds, whatever its encoding: a JSON object (`{"k":"v"}`), a
 * JSON array of `{key, value}` (or `{Key, Value}`) pairs, or `k=v` (or `k:v`) pairs separated by
 * `,`, `;`, `|` or line breaks. `undefined` for an empty cell.
 *
 * @category utils
 */
export const parseResourceTags = (cell: string): Readonly<Record<string, string>> | undefined => {
  const s = cell.trim()
  if (s === '') return undefined
  const tags: Record<string, string> = {}
  if (s.startsWith('{') || s.startsWith('[')) {
    try {
      const u: unknown = JSON.parse(s)
      const pairs = Array.isArray(u)
        ? u.map((p) => (isObject(p) ? [p.key ?? p.Key, p.value ?? p.Value] : []))
        : isObject(u)
          ? Object.entries(u)
          : []
      for (const [k, v] of pairs) if (typeof k === 'string' && typeof v === 'string') tags[k] = v
      return tags
    } catch {
      // Not JSON after all: read as pairs.
    }
  }
  for (const pair of s.split(/[,;|\r\n]+/)) {
    const at = pair.search(/[=:]/)
    if (at > 0) tags[pair.slice(0, at).trim()] = pair.slice(at + 1).trim()
  }
  return tags
}

const isObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

// The columns read, and the member of the raw finding each becomes.
const columns = {
  awsAccountId: 'AWS Account Id',
  severity: 'Severity',
  status: 'Status',
  findingArn: 'Finding ARN',
  fixAvailable: 'Fix Available',
  exploitAvailable: 'Exploit Available',
  vulnerabilityId: 'Vulnerability Id',
  resourceId: 'Resource ID',
  resourceType: 'Resource Type',
  resourceTags: 'Resource Tags',
} as const

type Column = keyof typeof columns
type Columns = { readonly [K in Column]: number }

const upperCased: ReadonlySet<Column> = new Set(['severity', 'status', 'fixAvailable', 'exploitAvailable'])

const columnsOf = (header: ReadonlyArray<string>): Columns => {
  const trimmed = header.map((h) => h.trim())
  const out = {} as { [K in Column]: number }
  for (const k of Object.keys(columns) as Array<Column>) out[k] = trimmed.indexOf(columns[k])
  return out
}

// The columns that are top-level members of an Inspector finding, as they are; the others
// are nested (the vulnerability's id, the resource).
const nestedColumns: ReadonlySet<Column> = new Set([
  'vulnerabilityId',
  'resourceId',
  'resourceType',
  'resourceTags',
])
const topLevelColumns = (Object.keys(columns) as Array<Column>).filter((k) => !nestedColumns.has(k))

/**
 * The raw Inspector v2 finding a report row stands for, given where each column is.
 *
 * @category utils
 */
const recordOf = (at: Columns, cells: ReadonlyArray<string | undefined>): Record<string, unknown> => {
  const cell = (k: Column): string | undefined => {
    const v = at[k] < 0 ? undefined : cells[at[k]]
    return v === undefined || v === '' ? undefined : upperCased.has(k) ? v.toUpperCase() : v
  }
  const r: Record<string, unknown> = {}
  for (const k of topLevelColumns) {
    const v = cell(k)
    if (v !== undefined) r[k] = v
  }
  const vulnerabilityId = cell('vulnerabilityId')
  if (vulnerabilityId !== undefined) r.packageVulnerabilityDetails = { vulnerabilityId }
  const resource: Record<string, unknown> = {}
  const id = cell('resourceId')
  const type = cell('resourceType')
  const tags = parseResourceTags(cell('resourceTags') ?? '')
  if (id !== undefined) resource.id = id
  if (type !== undefined) resource.type = type
  if (tags !== undefined) resource.tags = tags
  if (Object.keys(resource).length > 0) r.resources = [resource]
  return r
}

/**
 * Reads a report's decoded bytes: yields, for each chunk, the records (and, when `skipBad`, the
 * problems) it completed, in order; the first row is the header. A syntax problem is thrown as
 * a {@link CsvProblem} unless `skipBad`, when the broken row is skipped and reading goes on.
 * Errors of the bytes themselves are thrown as they are.
 *
 * @category utils
 */
export async function* csvReportItems(
  bytes: AsyncIterable<Buffer>,
  skipBad: boolean,
): AsyncGenerator<ReadonlyArray<CsvItem>, void> {
  const queue: Array<CsvItem> = []
  let at: Columns | undefined
  let last = 0
  // A record (the header first) with the absolute offset after it and the line it ends on.
  const take = (cells: ReadonlyArray<string | undefined>, end: number, line: number): void => {
    const offset = last
    last = end
    if (at !== undefined) queue.push({ record: recordOf(at, cells), offset, line })
    else at = columnsOf(cells.map((c) => c ?? ''))
  }
  // Regular records are split fast; from the first irregular one on, `csv-parse` reads.
  const splitter = new CsvSplitter((header) => wantedColumns(columnsOf(header)))
  let parser: Parser | undefined
  let failed: unknown
  const settle = (e: unknown): void => {
    if (e === undefined || e === null) return
    throw isCsvError(e) ? problemOf(e) : e
  }
  const write = (chunk: Buffer): Promise<unknown> =>
    new Promise<unknown>((resolve) => (parser as Parser).write(chunk, resolve))
  // `csv-parse` goes on where the splitter stopped, first given the header again and a record of
  // empty fields for each line after it read so far, so that its record length, line numbers
  // and offsets are those of the whole text; it takes records from there.
  const fallBack = async (stop: SplitStop): Promise<void> => {
    const header = stop.header
    const filler = header === undefined ? 0 : stop.lines - header.lines
    const primer =
      header === undefined
        ? Buffer.alloc(0)
        : Buffer.concat([header.bytes, Buffer.from(`${','.repeat(header.fields - 1)}\n`.repeat(filler))])
    let primed = header === undefined ? 0 : 1 + filler
    const shift = stop.offset - primer.length
    parser = csvParser(
      skipBad,
      (problem) => queue.push(problem),
      (cells, info) => {
        if (primed > 0) primed--
        else take(cells, info.bytes + shift, info.lines)
      },
    )
    parser.on('error', (e) => {
      failed ??= e
    })
    if (primer.length > 0) settle(await write(primer))
    settle(await write(stop.rest))
  }
  const split = async (chunk: Buffer, lastChunk: boolean): Promise<void> => {
    splitter.push(chunk, lastChunk, take)
    if (splitter.stop !== undefined) await fallBack(splitter.stop)
  }
  try {
    for await (const chunk of bytes) {
      if (parser === undefined) await split(chunk, false)
      else settle(await write(chunk))
      settle(failed)
      if (queue.length > 0) yield queue.splice(0)
    }
    if (parser === undefined) await split(Buffer.alloc(0), true)
    if (parser !== undefined) {
      const p: Parser = parser
      settle(await new Promise<unknown>((resolve) => p.end(resolve)))
      settle(failed)
    }
    if (queue.length > 0) yield queue.splice(0)
  } catch (e) {
    // Records read before the problem are handed over first, then the problem.
    if (queue.length > 0) yield queue.splice(0)
    throw e
  } finally {
    ;(parser as Parser | undefined)?.destroy()
  }
}

/**
 * A `csv-parse` parser as the report is read with: a byte order mark allowed, `\r\n` or `\n`
 * line ends; a broken record skipped and handed to `onProblem` when `skipBad`; each record
 * handed to `onRecord` in order with the problems, none left to stream out.
 *
 * @category utils
 */
export const csvParser = (
  skipBad: boolean,
  onProblem: (problem: CsvProblem) => void,
  onRecord: (cells: ReadonlyArray<string>, info: { readonly lines: number; readonly bytes: number }) => void,
): Parser =>
  parse({
    bom: true,
    record_delimiter: ['\r\n', '\n'],
    skip_records_with_error: skipBad,
    on_skip: (e: CsvError | undefined) => {
      if (e !== undefined) onProblem(problemOf(e))
    },
    on_record: (cells: ReadonlyArray<string>, info: { readonly lines: number; readonly bytes: number }) => {
      onRecord(cells, info)
      return null
    },
  })

// The columns whose cells a record's finding is made of.
const wantedColumns = (at: Columns): ReadonlyArray<boolean> => {
  const wanted: Array<boolean> = []
  for (const i of Object.values(at)) if (i >= 0) wanted[i] = true
  return wanted
}

// A syntax problem of `csv-parse` (not every one's code starts with `CSV_`: an invalid opening
// quote's does not, and was taken for a read failure).
const isCsvError = (e: unknown): e is CsvError => e instanceof CsvError

const problemOf = (e: CsvError): CsvProblem => {
  const lines: unknown = (e as { lines?: unknown }).lines
  return { line: typeof lines === 'number' ? lines : 0, message: e.message }
}

/**
 * Whether a value thrown by {@link csvReportItems} is a CSV syntax problem.
 *
 * @category utils
 */
export const isCsvProblem = (u: unknown): u is CsvProblem =>
  typeof u === 'object' && u !== null && !(u instanceof Error) && 'line' in u && 'message' in u

/**
 * Whether an item of {@link csvReportItems} is a record (else a skipped problem).
 *
 * @category utils
 */
export const isCsvRecord = (i: CsvItem): i is CsvRecord => 'record' in i
