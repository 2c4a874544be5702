/**
 * `JSON.stringify(value, null, 4)` of a value as it reads nested `depth` levels deep in a larger
 * document, written directly: an answer grouped by image build has hundreds of thousands of
 * entries, and stringifying each then re-indenting it with a regular expression took most of the
 * time of writing it. Plain objects, arrays and primitives are written here; anything else (a
 * `toJSON`, a class instance, a boxed primitive) is left to `JSON.stringify`, so the text is the
 * same whatever the value.
 *
 * @module
 */

// Per depth, a newline and its indentation.
const breaks: Array<string> = []
const breakAt = (depth: number): string => {
  let b = breaks[depth]
  if (b === undefined) {
    b = `\n${'    '.repeat(depth)}`
    breaks[depth] = b
  }
  return b
}

// Per depth, each member name's text before its value (first member, later member): names
// repeat in every entry, so each is escaped once.
const names: Array<Map<string, readonly [string, string]>> = []
const memberAt = (depth: number, name: string, first: boolean): string => {
  let known = names[depth]
  if (known === undefined) {
    known = new Map()
    names[depth] = known
  }
  let texts = known.get(name)
  if (texts === undefined) {
    const text = `${breakAt(depth)}${JSON.stringify(name)}: `
    texts = [text, `,${text}`]
    if (known.size < 4096) known.set(name, texts)
  }
  return first ? texts[0] : texts[1]
}

// What JSON.stringify leaves out of an object, and writes as null in an array.
const omitted = (v: unknown): boolean => v === undefined || typeof v === 'function' || typeof v === 'symbol'

// An array, or an object of Object's prototype or none, without a `toJSON` of its own.
const isPlain = (v: object): boolean => {
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return false
  if (Array.isArray(v)) return true
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/**
 * The text `JSON.stringify(value, null, 4)` gives, with every line after the first indented by
 * `depth` more levels of four spaces (`undefined` where JSON.stringify gives it).
 *
 * @category utils
 */
export const indentedJson = (value: unknown, depth: number): string | undefined => {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      return Number.isFinite(value) ? `${value}` : 'null'
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object':
      break
    default:
      return JSON.stringify(value)
  }
  if (!isPlain(value)) return JSON.stringify(value, null, 4)?.replace(/\n/g, breakAt(depth))
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    const inner = breakAt(depth + 1)
    let s = '['
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i]
      s += `${i === 0 ? inner : `,${inner}`}${omitted(v) ? 'null' : indentedJson(v, depth + 1)}`
    }
    return `${s}${breakAt(depth)}]`
  }
  let s = '{'
  let first = true
  for (const name of Object.keys(value)) {
    const v: unknown = (value as Record<string, unknown>)[name]
    if (omitted(v)) continue
    s += `${memberAt(depth + 1, name, first)}${indentedJson(v, depth + 1)}`
    first = false
  }
  return first ? '{}' : `${s}${breakAt(depth)}}`
}
