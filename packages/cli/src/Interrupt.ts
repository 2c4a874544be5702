/**
 * Stopping a command when the process is asked to (Ctrl-C, `kill`, `timeout`): the work in
 * progress is abandoned, nothing more is printed on stdout, and the exit code is the shell's
 * for that signal (128 + its number), so a script can tell an interrupted run from a finished one.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Io } from './Io.js'

const signalNumbers: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }

/**
 * The exit code of a run stopped by `signal`: 130 for SIGINT, 143 for SIGTERM.
 *
 * @category utils
 */
export const signalExitCode = (signal: string): number => 128 + (signalNumbers[signal] ?? 15)

/**
 * Whether an exit code is that of a stopped run: the process must then end at once, reader
 * threads included, rather than wait for its pending work.
 *
 * @category utils
 */
export const isSignalExit = (code: number): boolean => code > 128

/**
 * Waits for `work`, or for the process to be asked to stop, whichever comes first: `Left` with
 * the signal's name when asked to stop.
 *
 * @category utils
 */
export const untilStopped = <A>(io: Io, work: Promise<A>): Promise<E.Either<string, A>> =>
  Promise.race([work.then((a) => E.right(a)), io.stopSignal.then((signal) => E.left(signal))])

/**
 * Reports a stopped run on stderr and gives its exit code.
 *
 * @category utils
 */
export const stopped = (io: Io, command: string, signal: string): number => {
  io.stderr(`scantally ${command}: ${signal}: stopped, nothing printed\n`)
  return signalExitCode(signal)
}

/**
 * Reports a run stopped while it wrote its answer (a long one, to a slow reader) and gives its
 * exit code: what stdout got is a part of the answer.
 *
 * @category utils
 */
export const stoppedWriting = (io: Io, command: string, signal: string): number => {
  io.stderr(
    `scantally ${command}: ${signal}: stopped while printing the answer; stdout holds only a part of it\n`,
  )
  return signalExitCode(signal)
}
