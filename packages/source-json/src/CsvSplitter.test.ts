// The CSV report's records split fast (`CsvSplitter`, with `csv-parse` from the first irregular
// record on) are exactly those `csv-parse` alone gives: the same records, offsets, lines,
// problems and errors, on regular and damaged texts cut into any chunks, under either policy.
import { testProp } from '@fast-check/ava'
import type { CsvError } from 'csv-parse'
import fc from 'fast-check'
import { type CsvItem, csvParser, csvReportItems, isCsvProblem, parseResourceTags } from './CsvReport.js'

// The reference: every byte read by `csv-parse` (configured as the report reads it), as the report
// was read before the splitter.
async function* referenceItems(bytes: AsyncIterable<Buffer>, skipBad: boolean): AsyncGenerator<CsvItem> {
  const queue: Array<CsvItem | { readonly header: ReadonlyArray<string> }> = []
  let header: ReadonlyArray<string> | undefined
  let last = 0
  const problemOf = (e: CsvError) => ({ line: (e as { lines?: number }).lines ?? 0, message: e.message })
  const parser = csvParser(
    skipBad,
    (problem) => queue.push(problem),
    (cells, info) => {
      const offset = last
      last = info.bytes
      if (header === undefined) header = cells
      else queue.push({ record: recordFor(header, cells), offset, line: info.lines })
    },
  )
  let failed: unknown
  parser.on('error', (e) => {
    failed ??= e
  })
  const settle = (e: unknown) => {
    if (e !== undefined && e !== null)
      throw typeof e === 'object' && 'code' in e ? problemOf(e as CsvError) : e
  }
  try {
    for await (const chunk of bytes) {
      settle(await new Promise<unknown>((resolve) => parser.write(chunk, resolve)))
      settle(failed)
      yield* queue.splice(0) as Array<CsvItem>
    }
    settle(await new Promise<unknown>((resolve) => parser.end(resolve)))
    settle(failed)
    yield* queue.splice(0) as Array<CsvItem>
  } catch (e) {
    yield* queue.splice(0) as Array<CsvItem>
    throw e
  } finally {
    parser.destroy()
  }
}

// The columns the report's records are made of, and others: the reference keeps the cells of
// the former as the raw finding's members, found by name, as `CsvReport` does.
const known = ['AWS Account Id', 'Severity', 'Status', 'Finding ARN', 'Vulnerability Id', 'Resource Tags']
const recordFor = (header: ReadonlyArray<string>, cells: ReadonlyArray<string>) => {
  const cell = (name: string) => {
    const i = header.findIndex((h) => h.trim() === name)
    const v = i < 0 ? undefined : cells[i]
    if (v === undefined || v === '') return undefined
    if (name === 'Severity' || name === 'Status') return v.toUpperCase()
    return name === 'Resource Tags' ? parseResourceTags(v) : v
  }
  return Object.fromEntries(known.map((k) => [k, cell(k)]).filter(([, v]) => v !== undefined))
}

// What `csvReportItems` gives, in the reference's terms: the records' cells by column name.
const comparable = (item: CsvItem) =>
  'record' in item
    ? {
        offset: item.offset,
        line: item.line,
        record: Object.fromEntries(
          Object.entries({
            'AWS Account Id': item.record.awsAccountId,
            Severity: item.record.severity,
            Status: item.record.status,
            'Finding ARN': item.record.findingArn,
            'Vulnerability Id': (
              item.record.packageVulnerabilityDetails as { vulnerabilityId?: string } | undefined
            )?.vulnerabilityId,
            'Resource Tags': (item.record.resources as Array<{ tags?: unknown }> | undefined)?.[0]?.tags,
          }).filter(([, v]) => v !== undefined),
        ),
      }
    : item

// All of a reader's items, and the problem it ended with, if any.
const collect = async (items: AsyncIterable<CsvItem | ReadonlyArray<CsvItem>>) => {
  const out: Array<unknown> = []
  try {
    for await (const x of items) for (const item of Array.isArray(x) ? x : [x]) out.push(item)
    return { out, error: undefined }
  } catch (e) {
    if (!isCsvProblem(e)) throw e
    return { out, error: e }
  }
}

// A cell: plain, or quoted because it holds a comma, a quote or a line end (or for no reason).
const cellArb = fc.oneof(
  fc.constantFrom('', 'HIGH', 'ACTIVE', '111122223333', 'CVE-2024-1', 'é 😀', 'a b'),
  fc.string({
    unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', '\r\n', '\r', 'é', '=', ';'),
    maxLength: 8,
  }),
)
const quoted = (c: string) => `"${c.replaceAll('"', '""')}"`
const written = (c: string, quoteAnyway: boolean) => (quoteAnyway || /[",\r\n]/.test(c) ? quoted(c) : c)

// Damage of one line, or none.
const damages = [
  'none',
  'extra cell',
  'missing cell',
  'stray quote',
  'bare CR',
  'space before quote',
  'empty line',
  'unclosed quote',
] as const

const textArb = fc
  .record({
    header: fc.shuffledSubarray([...known, 'Title', 'Description', 'Region', 'Platform'], { minLength: 1 }),
    rows: fc.array(fc.array(cellArb, { minLength: 10, maxLength: 10 }), { maxLength: 12 }),
    quoteAll: fc.boolean(),
    crlf: fc.boolean(),
    bom: fc.boolean(),
    finalNewline: fc.boolean(),
    damage: fc.constantFrom(...damages, 'none', 'none', 'none'),
    damageAt: fc.nat(),
  })
  .map(({ header, rows, quoteAll, crlf, bom, finalNewline, damage, damageAt }) => {
    const eol = crlf ? '\r\n' : '\n'
    const lines = [header.map((h) => written(h, quoteAll)).join(',')]
    for (const row of rows)
      lines.push(
        row
          .slice(0, header.length)
          .map((c) => written(c, quoteAll))
          .join(','),
      )
    if (damage !== 'none' && lines.length > 0) {
      const i = damageAt % lines.length
      const line = lines[i] as string
      lines[i] =
        damage === 'extra cell'
          ? `${line},x`
          : damage === 'missing cell'
            ? line.slice(0, Math.max(0, line.lastIndexOf(',')))
            : damage === 'stray quote'
              ? `${line}x"y`
              : damage === 'bare CR'
                ? `${line}\rz`
                : damage === 'space before quote'
                  ? ` "q",${line}`
                  : damage === 'empty line'
                    ? `${line}${eol}`
                    : `${line},"open`
    }
    return `${bom ? '\ufeff' : ''}${lines.join(eol)}${finalNewline ? eol : ''}`
  })

testProp(
  'split fast, then by csv-parse from the first irregular record: the records, offsets, lines, problems and errors of csv-parse alone, in any chunks, under either policy',
  [textArb, fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }), fc.boolean()],
  async (t, text, cuts, skipBad) => {
    const bytes = Buffer.from(text)
    async function* chunks(): AsyncGenerator<Buffer> {
      let at = 0
      for (let i = 0; at < bytes.length; i++) {
        const n = cuts[i % cuts.length] as number
        yield Buffer.from(bytes.subarray(at, at + n))
        at += n
      }
    }
    const want = await collect(referenceItems(chunks(), skipBad))
    const got = await collect(csvReportItems(chunks(), skipBad))
    t.deepEqual(
      { out: got.out.map((i) => comparable(i as CsvItem)), error: got.error },
      { out: want.out, error: want.error },
      JSON.stringify(text),
    )
  },
  { numRuns: 400 },
)
