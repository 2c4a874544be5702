/**
 * The edges a command touches: output streams, environment, terminal detection, the clock.
 * Commands take an {@link Io} so tests can run them in-process with captured output.
 *
 * @module
 */

/**
 * What a command may do to the outside world.
 *
 * @category model
 */
export interface Io {
  /**
   * Writes to stdout; `false` when the text waits in memory for the reader to take it (a pipe
   * read more slowly than written): see {@link Io.drained}.
   */
  readonly stdout: (text: string) => boolean | undefined
  /** Resolves once stdout has written what it held. Absent where writes never wait. */
  readonly drained?: () => Promise<void>
  readonly stderr: (text: string) => void
  readonly env: Readonly<Record<string, string | undefined>>
  readonly stdoutIsTty: boolean
  readonly stderrIsTty: boolean
  readonly stdin: AsyncIterable<Buffer>
  readonly now: () => number
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  readonly stopSignal: Promise<string>
  /**
   * Calls the listener each time the process is asked to reload its configuration (SIGHUP);
   * returns a function that stops listening. Absent where there is no such signal.
   */
  readonly onReload?: (listener: () => void) => () => void
}

/**
 * The process's own streams and signals.
 *
 * @category constructors
 */
export const processIo = (): Io => ({
  stdout: (text) => process.stdout.write(text),
  drained: () => new Promise((resolve) => process.stdout.once('drain', resolve)),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  stdoutIsTty: process.stdout.isTTY === true,
  stderrIsTty: process.stderr.isTTY === true,
  stdin: process.stdin,
  now: () => performance.now(),
  stopSignal: new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal))
  }),
  // Only a command that listens turns SIGHUP from "terminate" (Node's default) into "reload".
  onReload: (listener) => {
    process.on('SIGHUP', listener)
    return () => process.off('SIGHUP', listener)
  },
})

/**
 * Exit codes: success, an error in the input or the request, wrong usage, and findings at or
 * above the severity of `--fail-on` (the answer printed as usual). A run stopped by a signal
 * exits 128 + its number (see `Interrupt`).
 *
 * @category model
 */
export const exitCodes = { ok: 0, failed: 1, usage: 2, findingsAtOrAbove: 3 } as const
