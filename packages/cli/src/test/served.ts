/**
 * Test support: `scantally serve` as a child process on a free loopback port.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const bin = fileURLToPath(new URL('../../bin/scantally.js', import.meta.url))

/**
 * A running `scantally serve`.
 *
 * @category testing
 */
export interface Served {
  readonly child: ChildProcess
  readonly url: string
  /** Resolves once standard error has printed a line matching the pattern. */
  readonly said: (pattern: RegExp) => Promise<string>
  /** Standard error so far. */
  readonly stderr: () => string
  readonly exit: Promise<number | null>
  /** Standard output so far (the "listening on" line first). */
  readonly stdout: () => string
}

/**
 * Starts `scantally serve --port 0` with the arguments (and environment, default this
 * process's); resolves once it prints its address.
 *
 * @category testing
 */
export const serve = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env): Promise<Served> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    const waiting: Array<{ pattern: RegExp; from: number; done: (line: string) => void }> = []
    const check = () => {
      for (const w of [...waiting]) {
        const m = w.pattern.exec(err.slice(w.from))
        if (m) {
          waiting.splice(waiting.indexOf(w), 1)
          w.done(m[0])
        }
      }
    }
    const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
    child.stderr.on('data', (d) => {
      err += d
      check()
    })
    child.stdout.on('data', (d) => {
      out += d
      const m = /^listening on (http:\/\/\S+)\n/.exec(out)
      if (m)
        resolve({
          child,
          url: m[1] as string,
          said: (pattern) =>
            new Promise((done) => {
              waiting.push({ pattern, from: err.length, done })
            }),
          stderr: () => err,
          exit,
          stdout: () => out,
        })
    })
    exit.then((code) => reject(new Error(`serve exited ${code} before listening: ${err}`)))
  })
