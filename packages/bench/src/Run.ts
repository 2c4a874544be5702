/**
 * Runs one measured command as a child process: its wall time, its peak resident set size
 * (from `/usr/bin/time -v` when present, else, for Node children, from a preloaded reporter)
 * and what it printed.
 *
 * @module
 */
import { spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A measured command: `node` means the current Node binary, whose children can report their
 * peak memory themselves.
 *
 * @category model
 */
export interface Command {
  readonly program: string
  readonly args: ReadonlyArray<string>
  readonly stdin?: string
  /**
   * For a command that runs until stopped (a server): its time is taken when its standard output
   * first holds this text, then it is stopped with SIGINT, as Ctrl-C would, and must exit cleanly.
   */
  readonly until?: string
}

/**
 * One run: wall time in milliseconds, peak RSS in bytes (`undefined` when it cannot be told),
 * and standard output.
 *
 * @category model
 */
export interface Run {
  readonly ms: number
  readonly rss: number | undefined
  readonly stdout: string
}

const gnuTime = '/usr/bin/time'
const rssReporter = fileURLToPath(new URL('./rss.js', import.meta.url))

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Runs a command once; rejects when it exits with a failure, with its stderr.
 *
 * @category constructors
 */
export const run = (command: Command): Promise<Run> => {
  const useTime = existsSync(gnuTime)
  const isNode = command.program === 'node'
  const program = isNode ? process.execPath : command.program
  const args = isNode && !useTime ? ['--import', rssReporter, ...command.args] : [...command.args]
  const [file, argv] = useTime ? [gnuTime, ['-v', program, ...args]] : [program, args]
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(file, argv, {
      stdio: [command.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      // A group of its own, so that SIGINT reaches the measured program under /usr/bin/time
      // (which ignores it while it waits, then reports).
      detached: command.until !== undefined,
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    let reached: number | undefined
    child.stdout?.on('data', (b: Buffer) => {
      out.push(b)
      const until = command.until
      if (until === undefined || reached !== undefined) return
      if (!Buffer.concat(out).toString('utf8').includes(until)) return
      reached = performance.now() - started
      process.kill(-(child.pid as number), 'SIGINT')
    })
    child.stderr?.on('data', (b: Buffer) => err.push(b))
    if (command.stdin !== undefined) child.stdin?.end(command.stdin)
    child.on('error', reject)
    child.on('close', (code) => {
      const ms = reached ?? performance.now() - started
      const stderr = Buffer.concat(err).toString('utf8')
      if (code !== 0 || (command.until !== undefined && reached === undefined)) {
        reject(
          new Error(
            `${command.program} ${command.args.join(' ')} exited with ${code}${reached === undefined && command.until !== undefined ? ` before printing "${command.until}"` : ''}: ${stderr.slice(-2000)}`,
          ),
        )
        return
      }
      const kb =
        /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ??
        /scantally-bench maxrss kB: (\d+)/.exec(stderr)?.[1]
      resolve({
        ms,
        rss: kb === undefined ? undefined : Number(kb) * 1024,
        stdout: Buffer.concat(out).toString('utf8'),
      })
    })
  })
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The median of some numbers (the upper one of an even count).
 *
 * @category utils
 */
export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

/**
 * Reads a file (or a folder's files) through once, discarding it, so that the run after it finds the file in the page
 * cache as far as the cache holds it: machines that shrink their cache between runs would
 * otherwise make some contenders read from disk and others not.
 *
 * @category utils
 */
export const warmCache = (path: string): void => {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path)) warmCache(join(path, name))
    return
  }
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.allocUnsafe(1 << 20)
    while (readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    closeSync(fd)
  }
}
