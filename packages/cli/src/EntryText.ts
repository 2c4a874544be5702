/**
 * The text of one entry of an answer's list, exactly as `JSON.stringify(response, null, 4)`
 * writes it two levels deep, written straight from the group for the two shapes an entry has:
 * the AWS aggregation (`ListImageScanFindingAggregations`) and the extended group (`Query`).
 *
 * An answer grouped by image build has hundreds of thousands of entries. Made as objects (the
 * AWS entry is three of them a group) and then walked by the generic writer (`indentedJson`),
 * they took three times as long as writing the text of their known members in their known order.
 *
 * @module
 */
import { countFields, type Group, type GroupKey } from '@scantally/core'
import { aggregationMember, awsCountFields } from '@scantally/core/internal'

// A newline and the indentation of `depth` levels of four spaces.
const line = (depth: number): string => `\n${'    '.repeat(depth)}`

// A number as JSON writes it.
const num = (n: number): string => (Number.isFinite(n) ? `${n}` : 'null')

// The text of an object's members whose values are counts, one a line at `depth`, closed at
// `depth - 1`: what comes after its opening brace.
const countsText = (
  fields: ReadonlyArray<string>,
  depth: number,
): ((c: Readonly<Record<string, number>>) => string) => {
  const names = fields.map((f, i) => `${i === 0 ? '' : ','}${line(depth)}${JSON.stringify(f)}: `)
  const close = `${line(depth - 1)}}`
  return (c) => {
    let s = ''
    for (let i = 0; i < fields.length; i++) s += names[i] + num(c[fields[i] as string] as number)
    return s + close
  }
}

/**
 * The AWS entry of a group (`toAwsAggregation`'s object: the member named after the grouping,
 * holding the key and the four AWS counts) as it reads in the response's `responses` list.
 *
 * @category utils
 */
export const awsEntryText = (groupBy: GroupKey): ((g: Group) => string) => {
  const open = `{${line(3)}${JSON.stringify(aggregationMember[groupBy])}: {${line(4)}${JSON.stringify(groupBy)}: `
  const middle = `,${line(4)}"severityCounts": {`
  const counts = countsText(awsCountFields, 5)
  const close = `${line(3)}}${line(2)}}`
  return (g) => `${open}${JSON.stringify(g.key)}${middle}${counts(g.counts)}${close}`
}

const groupOpen = `{${line(3)}"key": `
const groupMiddle = `,${line(3)}"counts": {`
const groupCounts = countsText(countFields, 4)
const groupClose = `${line(2)}}`

/**
 * A group as it reads in the extended response's `groups` list: its key and its counts, in the
 * order of `countFields` (the order every count object of the engine has).
 *
 * @category utils
 */
export const groupEntryText = (g: Group): string =>
  `${groupOpen}${JSON.stringify(g.key)}${groupMiddle}${groupCounts(g.counts)}${groupClose}`
