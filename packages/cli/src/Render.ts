/**
 * Output formats of `scantally aggregate`: `json` (exactly the API response shape), `table`
 * (readable at a glance, with totals), `markdown` (the table for pull requests and chat) and `csv`.
 *
 * @module
 */
import type { ExtendedCounts, Group, GroupKey } from '@scantally/core'
import { awsCountFields, countFields } from '@scantally/core/internal'

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
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
  readonly footer: ReadonlyArray<string>
}

// The cells the table and the markdown table share, so the two cannot drift apart.
const tableCells = (
  groupBy: GroupKey,
  groups: ReadonlyArray<Group>,
  columns: Columns,
  partial: boolean,
): TableCells => {
  const totals = Object.fromEntries(columns.map((c) => [c, groups.reduce((n, g) => n + g.counts[c], 0)]))
  return {
    header: [groupBy, ...columns.map((c) => c.toUpperCase())],
    rows: groups.map((g) => [g.key, ...columns.map((c) => String(g.counts[c]))]),
    footer: [
      `${partial ? 'PAGE TOTAL' : 'TOTAL'} (${groups.length} ${groups.length === 1 ? 'group' : 'groups'})`,
      ...columns.map((c) => String(totals[c])),
    ],
  }
}

/**
 * Renders groups as an aligned table with a header, one row per group in the answer's order,
 * and a total row (the sum over the groups shown, named as this page's when `partial`: groups
 * come before or after it).
 *
 * @category utils
 */
export const renderTable = (
  groupBy: GroupKey,
  groups: ReadonlyArray<Group>,
  columns: Columns,
  partial = false,
): string => {
  const { header, rows, footer } = tableCells(groupBy, groups, columns, partial)
  const all = [header, ...rows, footer]
  const widths = header.map((_, i) => Math.max(...all.map((r) => [...(r[i] as string)].length)))
  const line = (r: ReadonlyArray<string>) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
      .join('  ')
      .trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  return `${[line(header), rule, ...rows.map(line), rule, line(footer)].join('\n')}\n${hiddenNote(groups, columns)}`
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
export const renderMarkdown = (
  groupBy: GroupKey,
  groups: ReadonlyArray<Group>,
  columns: Columns,
  partial = false,
): string => {
  const { header, rows, footer } = tableCells(groupBy, groups, columns, partial)
  const line = (r: ReadonlyArray<string>) => `| ${r.map(markdownCell).join(' | ')} |`
  const align = `| --- | ${columns.map(() => '---:').join(' | ')} |`
  const total = footer.map((cell) => `**${cell}**`)
  // A line right under a table would be read as one more row: the footnote is a paragraph of its own.
  const note = hiddenNote(groups, columns)
  return `${[line(header), align, ...rows.map(line), line(total)].join('\n')}\n${note === '' ? '' : `\n${note}`}`
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
export const renderCsv = (groupBy: GroupKey, groups: ReadonlyArray<Group>, columns: Columns): string => {
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)
  const lines = [
    [groupBy, ...columns].join(','),
    ...groups.map((g) => [quote(neutralise(g.key)), ...columns.map((c) => g.counts[c])].join(',')),
  ]
  return `${lines.join('\r\n')}\r\n`
}

/**
 * Renders a value as JSON, as the AWS CLI prints responses (indented by four spaces).
 *
 * @category utils
 */
export const renderJson = (value: unknown): string => `${JSON.stringify(value, null, 4)}\n`
