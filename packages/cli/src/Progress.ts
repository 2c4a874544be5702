/**
 * A progress line on a terminal's stderr: bytes and findings read, with rates. Redrawn at most
 * a few times a second, and cleared when done, so it never mixes with the summary.
 *
 * @module
 */
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { decodedSize } from '@scantally/source-json'
import type { Io } from './Io.js'
import { formatBytes, formatCount } from './Summary.js'

/**
 * A progress display.
 *
 * @category model
 */
export interface Progress {
  readonly update: (bytes: number, findings: number) => void
  readonly done: () => void
}

/**
 * A progress display that draws nothing.
 *
 * @category constructors
 */
export const noProgress: Progress = { update: () => undefined, done: () => undefined }

/**
 * A progress bar towards `totalBytes` written with `write` (a terminal's stderr).
 *
 * @category constructors
 */
export const progressBar = (write: (s: string) => void, totalBytes: number, now: () => number): Progress => {
  const start = now()
  let last = 0
  let drawn = false
  return {
    update: (bytes, findings) => {
      const t = now()
      if (t - last < 200) return
      last = t
      const seconds = Math.max((t - start) / 1000, 1e-3)
      const share = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 0
      const width = 24
      const filled = Math.round(share * width)
      write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ` +
          `${formatBytes(bytes)}/${formatBytes(totalBytes)}  ${formatBytes(bytes / seconds)}/s  ` +
          `${formatCount(findings)} findings  ${formatCount(findings / seconds)}/s\u001b[K`,
      )
      drawn = true
    },
    done: () => {
      if (drawn) write('\r\u001b[K')
    },
  }
}

/**
 * The progress display of a read of `inputs`: a bar on a terminal's stderr when the files hold
 * more than 8 MiB (a smaller read ends before a bar helps), nothing otherwise or when `quiet`.
 *
 * @category constructors
 */
export const progressOf = async (
  io: Io,
  inputs: ReadonlyArray<string>,
  quiet: boolean,
): Promise<Progress> => {
  if (!io.stderrIsTty || quiet) return noProgress
  const totalBytes = await inputBytes(inputs)
  return totalBytes > 8 * 1024 * 1024 ? progressBar(io.stderr, totalBytes, io.now) : noProgress
}

/**
 * Total bytes of the inputs, for the progress bar and estimates (stdin and remote inputs count as
 * unknown, 0). With `inflated`, a gzipped file counts as the size its trailer records (see
 * source-json's `decodedSize`), for room made ahead of what a read will hold.
 *
 * @category utils
 */
export const inputBytes = async (inputs: ReadonlyArray<string>, inflated = false): Promise<number> => {
  const sizeOf = async (path: string, size: number): Promise<number> =>
    inflated ? await decodedSize(path) : size
  let total = 0
  for (const input of inputs) {
    if (input === '-') continue
    try {
      const s = await stat(input)
      if (s.isDirectory()) {
        for (const name of await readdir(input)) {
          const path = join(input, name)
          const child = await stat(path).catch(() => undefined)
          if (child?.isFile()) total += await sizeOf(path, child.size)
        }
      } else total += await sizeOf(input, s.size)
    } catch {
      // Unreadable inputs are reported by the reader, with their name.
    }
  }
  return total
}
