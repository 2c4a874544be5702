/**
 * Output formats of `scantally aggregate`: `json` (exactly the API response shape), `table`
 * (readable at a glance, with totals), `markdown` (the table for pull requests and chat) and `csv`.
 *
 * @module
 */
import type { ExtendedCounts, Group, GroupKey } from '@scantally/core'
import { awsCountFields, countFields } from '@scantally/core/internal'
import { indentedJson } from './IndentedJson.js'

/**
 * An output format.
 *
 * @category model
 */
export type Format = 'json' | 'table' | 'markdown' | 'csv'

/**
 * The count columns shown: the AWS four, or all extended counts for an extended query.
 *
 * @category model
 */
export type Columns = ReadonlyArray<keyof ExtendedCounts>

/**
 * The AWS columns: core's `awsCountFields`.
 *
 * @category model
 */
export const awsColumns: Columns = awsCountFields

/**
 * The extended columns: core's `countFields`.
 *
 * @category model
 */
export const extendedColumns: Columns = countFields

interface TableCells {
  readonly header: ReadonlyArray<string>
  readonly row: (g: Group) => ReadonlyArray<string>
  readonly footer: ReadonlyArray<string>
}

// The cells the table and the markdown table share, so the two cannot drift apart. Rows are
// made one at a time as they are written: an answer can hold hundreds of thousands of groups.
const tableCells = (
  groupBy: GroupKey,
  groups: ReadonlyArray<Group>,
  columns: Columns,
  partial: boolean,
): TableCells => {
  const totals = Object.fromEntries(columns.map((c) => [c, groups.reduce((n, g) => n + g.counts[c], 0)]))
  return {
    header: [groupBy, ...columns.map((c) => c.toUpperCase())],
    row: (g) => [g.key, ...columns.map((c) => String(g.counts[c]))],
    footer: [
      `${partial ? 'PAGE TOTAL' : 'TOTAL'} (${groups.length} ${groups.length === 1 ? 'group' : 'groups'})`,
      ...columns.map((c) => String(totals[c])),
    ],
  }
}

// A cell's width in code points (as it shows), counted without splitting it when it holds no
// surrogate, which is nearly always.
const widthOf = (s: string): number => (/[\uD800-\uDFFF]/.test(s) ? [...s].length : s.length)

/**
 * Renders groups as an aligned table with a header, one row per group in the answer's order,
 * and a total row (the sum over the groups shown, named as this page's when `partial`: groups
 * come before or after it). The text comes in pieces, a row at a time.
 *
 * @category utils
 */
export function* renderTable(
  groupBy: GroupKey,
  groups: ReadonlyArray<Group>,
  columns: Columns,
  partial = false,
): Generator<string> {
  const { header, row, footer } = tableCells(groupBy, groups, columns, partial)
  const widths = header.map((cell, i) => Math.max(widthOf(cell), widthOf(footer[i] as string)))
  for (const g of groups)
    row(g).forEach((cell, i) => {
      const w = widthOf(cell)
      if (w > (widths[i] as number)) widths[i] = w
    })
  const line = (r: ReadonlyArray<string>) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
      .join('  ')
      .trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  yield `${line(header)}\n${rule}\n`
  for (const g of groups) yield `${line(row(g))}\n`
  yield `${rule}\n${line(footer)}\n${hiddenNote(groups, columns)}`
}

/**
 * The footnote of a table that leaves severities out (the AWS four columns): ALL counts them
 * too, so the shown columns do not add up to it. Empty when nothing is left out.
 *
 * @category utils
 */
export const hiddenNote = (groups: ReadonlyArray<Group>, columns: Columns): string => {
  const hidden = countFields
    .filter((c) => c !== 'fixAvailable' && c !== 'exploitAvailable' && !columns.includes(c))
    .map((c) => [c, groups.reduce((n, g) => n + g.counts[c], 0)] as const)
    .filter(([, n]) => n > 0)
  return hidden.length === 0
    ? ''
    : `ALL also counts ${hidden.map(([c, n]) => `${n} ${c.toUpperCase()}`).join(', ')}: --columns all shows them\n`
}

// A key is the exports' content: a `|` would end its cell, a backslash could escape the next
// character, and a line break would end the row, so each is written so it shows as itself.
const markdownCell = (s: string): string =>
  s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r\n|\r|\n/g, ' ')

/**
 * Renders groups as a GitHub-flavoured markdown table for pull requests and chat: the columns,
 * rows and total row (in bold) of `renderTable`, counts right-aligned, `|` in keys escaped, and
 * the same footnote when severities are left out.
 *
 * @category utils
 */
export function* renderMarkdown(
  groupBy: GroupKey,
  groups: ReadonlyArray<Group>,
  columns: Columns,
  partial = false,
): Generator<string> {
  const { header, row, footer } = tableCells(groupBy, groups, columns, partial)
  const line = (r: ReadonlyArray<string>) => `| ${r.map(markdownCell).join(' | ')} |\n`
  yield `${line(header)}| --- | ${columns.map(() => '---:').join(' | ')} |\n`
  for (const g of groups) yield line(row(g))
  // A line right under a table would be read as one more row: the footnote is a paragraph of its own.
  const note = hiddenNote(groups, columns)
  yield `${line(footer.map((cell) => `**${cell}**`))}${note === '' ? '' : `\n${note}`}`
}

// A cell a spreadsheet would run as a formula (=, +, -, @, or a tab or carriage return first) is
// kept as text with a leading apostrophe, as OWASP advises: keys come from the exports' content.
const neutralise = (s: string): string => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s)

/**
 * Renders groups as CSV (RFC 4180 quoting), header first; a key that starts like a spreadsheet
 * formula gets a leading apostrophe.
 *
 * @category utils
 */
export function* renderCsv(
  groupBy: GroupKey,
  groups: ReadonlyArray<Group>,
  columns: Columns,
): Generator<string> {
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)
  yield `${[groupBy, ...columns].join(',')}\r\n`
  for (const g of groups)
    yield `${[quote(neutralise(g.key)), ...columns.map((c) => g.counts[c])].join(',')}\r\n`
}

/**
 * Renders a value as JSON, as the AWS CLI prints responses (indented by four spaces).
 *
 * @category utils
 */
export const renderJson = (value: unknown): string => `${JSON.stringify(value, null, 4)}\n`

/**
 * Renders a response whose member `listed` is a long list as {@link renderJson} would, in
 * pieces: the response without the list (`head`, members in their order, `listed` among them)
 * is written member by member, and the list an entry at a time, each entry's text made by
 * `entryText` (as `JSON.stringify(entry, null, 4)` writes it two levels deep) only when written,
 * so no text or entry of the whole answer is held at once.
 *
 * @category utils
 */
export function* renderJsonPieces<A>(
  head: Readonly<Record<string, unknown>>,
  listed: string,
  items: ReadonlyArray<A>,
  entryText: (item: A) => string,
): Generator<string> {
  let opened = false
  for (const [name, value] of Object.entries(head)) {
    if (value === undefined && name !== listed) continue
    yield `${opened ? ',' : '{'}\n    ${JSON.stringify(name)}: `
    opened = true
    if (name !== listed) yield indentedJson(value, 1) as string
    else if (items.length === 0) yield '[]'
    else {
      let first = true
      for (const item of items) {
        yield `${first ? '[' : ','}\n        ${entryText(item)}`
        first = false
      }
      yield '\n    ]'
    }
  }
  yield opened ? '\n}\n' : '{}\n'
}

/**
 * Writes text given in pieces in writes of about `size` characters: few enough writes to be
 * fast, none holding the whole answer. When a write says the text waits in memory (a pipe read
 * more slowly), the next piece is made only once it is `drained`: a long answer piped into a
 * slow reader is not held whole by the process.
 *
 * @category utils
 */
export const writePieces = async (
  write: (text: string) => boolean | undefined,
  pieces: Iterable<string>,
  drained?: () => Promise<void>,
  size = 1 << 16,
): Promise<void> => {
  let held: Array<string> = []
  let length = 0
  const flush = async (): Promise<void> => {
    const more = write(held.join(''))
    held = []
    length = 0
    if (more === false && drained !== undefined) await drained()
  }
  for (const piece of pieces) {
    held.push(piece)
    length += piece.length
    if (length >= size) await flush()
  }
  if (length > 0) await flush()
}
