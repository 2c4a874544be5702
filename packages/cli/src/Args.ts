/**
 * The command line's words as options and inputs, with usage errors in one short line naming
 * the option: Node's `parseArgs` messages made short, values checked against what an option
 * accepts, and an input taken as an option's value said as such.
 *
 * @module
 */
import { type ParseArgsConfig, parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'

type Options = NonNullable<ParseArgsConfig['options']>

/**
 * The options and inputs of a command line, as `parseArgs` gives them.
 *
 * @category model
 */
export type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>
>

/**
 * Parses a command's arguments strictly; an unknown option, a value given to a switch or a
 * missing value is a one-line message naming the option.
 *
 * @category utils
 */
export const parseCommandLine = <O extends Options>(
  argv: ReadonlyArray<string>,
  options: O,
): E.Either<string, Parsed<O>> => {
  try {
    return E.right(parseArgs({ args: [...argv], options, allowPositionals: true, strict: true }))
  } catch (e) {
    return E.left(shortMessage(e as Error & { readonly code?: string }))
  }
}

/**
 * Why a command line has no input, naming the option that took the last word as its value
 * (`--filter examples/x.json` with nothing after it) when one did.
 *
 * @category utils
 */
export const noInput = (argv: ReadonlyArray<string>, options: Options, what: string): string => {
  const last = argv[argv.length - 1]
  const flag = argv[argv.length - 2]
  const taken = flag !== undefined && last !== undefined && takesValue(options, flag)
  return taken
    ? `no input: ${JSON.stringify(last)} was taken as the value of ${flag}; give ${what} after the options`
    : `no input: give ${what}`
}

/**
 * Checks that an option's value is one of the accepted words; the message lists them.
 *
 * @category utils
 */
export const oneOf = <A extends string>(
  flag: string,
  value: string,
  accepted: ReadonlyArray<A>,
): E.Either<string, A> =>
  (accepted as ReadonlyArray<string>).includes(value)
    ? E.right(value as A)
    : E.left(`${flag} must be ${wordList(accepted)}, got ${JSON.stringify(value)}`)

/**
 * Checks a whole number option within bounds; the message gives them.
 *
 * @category utils
 */
export const wholeNumber = (
  flag: string,
  text: string,
  min: number,
  max: number,
): E.Either<string, number> => {
  const n = /^[0-9]{1,9}$/.test(text) ? Number(text) : Number.NaN
  return n >= min && n <= max
    ? E.right(n)
    : E.left(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`)
}

/**
 * `a, b or c`.
 *
 * @category utils
 */
export const wordList = (words: ReadonlyArray<string>): string =>
  words.length < 2 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`

const takesValue = (options: Options, word: string): boolean => {
  const long = word.startsWith('--') ? word.slice(2) : undefined
  const spec =
    long !== undefined
      ? options[long]
      : Object.values(options).find((o) => o.short !== undefined && `-${o.short}` === word)
  return spec?.type === 'string'
}

// Node says what to do at length ("To specify a positional argument starting with a '-' ..."); the
// option and the fault are what a user needs, the rest is in --help.
const shortMessage = (e: Error & { readonly code?: string }): string => {
  const option = /'(?:-[A-Za-z], )?(--?[A-Za-z0-9-]+)/.exec(e.message)?.[1] ?? 'an option'
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option}`
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(e.message)) return `${option} takes no value`
    if (/argument missing/.test(e.message)) return `${option} needs a value`
    if (/ambiguous/.test(e.message))
      return `${option} needs a value; a value starting with - is written ${option}=VALUE`
  }
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument: ${e.message}`
  return e.message.split('\n')[0] ?? e.message
}
