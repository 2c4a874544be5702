/**
 * The logger the server writes to: three levels, a message and optional structured fields.
 * Small on purpose, so any logging library (pino, winston, console) fits behind it.
 *
 * @module
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Where the server reports what an operator should know: start-up facts (authentication off,
 * an ephemeral token key) and unexpected failures (with the request id the caller saw).
 *
 * @category model
 */
export interface Logger {
  readonly info: (message: string, fields?: Readonly<Record<string, unknown>>) => void
  readonly warn: (message: string, fields?: Readonly<Record<string, unknown>>) => void
  readonly error: (message: string, fields?: Readonly<Record<string, unknown>>) => void
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A logger that drops everything (tests, or an embedding service that logs on its own).
 *
 * @category constructors
 */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} }

/**
 * A logger writing one line per entry to standard error: `level message {fields}`. Standard
 * output stays free for what a command prints as its result.
 *
 * @category constructors
 */
export const stderrLogger: Logger = {
  info: (message, fields) => write('info', message, fields),
  warn: (message, fields) => write('warn', message, fields),
  error: (message, fields) => write('error', message, fields),
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const write = (
  level: string,
  message: string,
  fields: Readonly<Record<string, unknown>> | undefined,
): void => {
  const suffix = fields === undefined || Object.keys(fields).length === 0 ? '' : ` ${JSON.stringify(fields)}`
  process.stderr.write(`${level} ${message}${suffix}\n`)
}
