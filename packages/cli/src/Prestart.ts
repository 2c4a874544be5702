/**
 * Reading threads started before the command loads its modules. A command about to read a large
 * export starts its reading threads once it has loaded its modules and opened the file, and each
 * thread then loads its own: the other cores stand idle for about a tenth of a second, a fifth of
 * the whole run at 100,000 findings. Started from the launcher, before the command's modules, the
 * threads load theirs meanwhile and the read takes them (source-json's `startReadingThreads`).
 *
 * The guess is made from the arguments alone, before they are parsed: a run of `aggregate` or
 * `serve` naming files of at least the size a file is split from, or a folder, save `aggregate` of
 * one gzipped file on two threads, which the calling thread reads whole. A wrong guess (a large CSV
 * report, which is not split) costs a thread's memory and its start-up work on another core,
 * nothing more: the read decides as ever, and a thread it does not take keeps no process alive.
 *
 * @module
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { startReadingThreads } from '@scantally/source-json/reading-threads'

/**
 * Threads a large file is read on by default: one per core, at most 8 (past that, one thread
 * de-duplicating and counting in file order is the limit).
 *
 * @category utils
 */
export const defaultWorkers = (): number => Math.max(1, Math.min(8, availableParallelism()))

/**
 * The most threads `--workers` may ask for.
 *
 * @category utils
 */
export const maxWorkers = 64

// The size from which a file is read on several threads (source-json's default `splitBytes`).
const splitBytes = 32 << 20

// A file's size, a folder's as if large, and nothing (0) for anything else or what cannot be seen.
const sizeOf = (path: string): number => {
  try {
    const stats = statSync(path, { throwIfNoEntry: false })
    return stats?.isDirectory() === true
      ? Number.POSITIVE_INFINITY
      : stats?.isFile() === true
        ? stats.size
        : 0
  } catch {
    return 0
  }
}

// Whether a file starts with gzip's magic bytes (source-json's `startsWithGzipMagic`, not
// imported: the launcher loads none of the library's reading modules before its threads start).
const gzipped = (path: string): boolean => {
  try {
    const fd = openSync(path, 'r')
    try {
      const head = Buffer.alloc(2)
      return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b
    } finally {
      closeSync(fd)
    }
  } catch {
    return false
  }
}

/**
 * How many reading threads a command line will likely start: `--workers` (or the default) less
 * the calling thread, for `aggregate` or `serve` naming a folder or files of `splitBytes` in all,
 * save `aggregate` of one gzipped file on two threads (the calling thread reads it whole, zlib
 * inflating on libuv's); else none.
 *
 * @category utils
 */
export const likelyReadingThreads = (argv: ReadonlyArray<string>): number => {
  const [command, ...rest] = argv
  if (command !== 'aggregate' && command !== 'serve') return 0
  let workers = defaultWorkers()
  let bytes = 0
  const named: Array<string> = []
  for (const [i, arg] of rest.entries()) {
    if (arg === '--workers' || arg.startsWith('--workers=')) {
      workers = Number(arg === '--workers' ? rest[i + 1] : arg.slice('--workers='.length))
      continue
    }
    if (arg.startsWith('-')) continue
    // Option values are looked at too (a pipeline map's file): a guess, see above.
    const size = sizeOf(arg)
    if (size > 0) named.push(arg)
    bytes += size
  }
  if (!Number.isInteger(workers) || workers < 2 || workers > maxWorkers || bytes < splitBytes) return 0
  const [only] = named
  if (command === 'aggregate' && workers === 2 && named.length === 1 && only !== undefined && gzipped(only))
    return 0
  return workers - 1
}

/**
 * Starts the reading threads the command line will likely need (see {@link likelyReadingThreads}).
 *
 * @category commands
 */
export const prestart = (argv: ReadonlyArray<string>): void => startReadingThreads(likelyReadingThreads(argv))
