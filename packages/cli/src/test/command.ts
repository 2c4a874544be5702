/**
 * The command as a child process, for tests: its exit code and output.
 *
 * @module
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/**
 * The command's launcher, as installed.
 *
 * @category model
 */
export const bin = fileURLToPath(new URL('../../bin/scantally.js', import.meta.url))

/**
 * An example export of the repository.
 *
 * @category model
 */
export const exampleFile = (name: string): string =>
  fileURLToPath(new URL(`../../../../examples/${name}`, import.meta.url))

/**
 * What a run of the command gave.
 *
 * @category model
 */
export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs `scantally ARGS` with `input` on stdin (nothing by default) and extra environment.
 *
 * @category utils
 */
export const scantally = (
  args: ReadonlyArray<string>,
  input = '',
  env: Readonly<Record<string, string>> = {},
): Promise<Run> =>
  new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    )
    child.stdin?.end(input)
  })
