import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, existsSync, readFileSync } from 'node:fs'
import { mkdtemp, readdir, readlink, realpath, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'

const bin = fileURLToPath(new URL('../bin/scantally.js', import.meta.url))
const inspectorExample = fileURLToPath(new URL('../../../examples/inspector-findings.json', import.meta.url))

// A 64 MiB NDJSON export, past the size read on several threads (the Inspector example's records,
// each copy with its own ARNs in a block, the block written again and again). Given a hundred
// times over, it is seconds of reading even on every core.
const hugeExport = async (dir: string): Promise<string> => {
  const records = JSON.parse(readFileSync(inspectorExample, 'utf8')).findings as Array<{ findingArn: string }>
  const lines: Array<string> = []
  let bytes = 0
  for (let copy = 0; bytes < 4 * 1024 * 1024; copy++)
    for (const r of records) {
      const line = `${JSON.stringify({ ...r, findingArn: `${r.findingArn}-${copy}` })}\n`
      lines.push(line)
      bytes += line.length
    }
  const block = Buffer.from(lines.join(''))
  const path = join(dir, 'huge.ndjson')
  const out = createWriteStream(path)
  for (let written = 0; written < 64 * 1024 * 1024; written += block.length)
    if (!out.write(block)) await once(out, 'drain')
  out.end()
  await once(out, 'finish')
  return path
}

interface Stopped {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  /** Milliseconds from the signal to the process's exit. */
  readonly afterSignal: number
}

// Runs the command, sends `signal` once it is reading the export (it has the file open: the
// signal handlers are set before any input is opened), and waits for its end.
const interrupt = async (
  args: ReadonlyArray<string>,
  signal: NodeJS.Signals,
  file: string,
): Promise<Stopped> => {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => {
    stdout += d
  })
  child.stderr.on('data', (d: Buffer) => {
    stderr += d
  })
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>
  await reading(child.pid as number, file)
  const sent = performance.now()
  child.kill(signal)
  const [code] = await exited
  return { code, stdout, stderr, afterSignal: performance.now() - sent }
}

// Until process `pid` has `file` open (Linux's /proc; elsewhere, a second's wait).
const reading = async (pid: number, file: string): Promise<void> => {
  if (!existsSync('/proc/self/fd')) return new Promise((resolve) => setTimeout(resolve, 1000))
  const real = await realpath(file)
  for (;;) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [])
    const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')))
    if (targets.includes(real)) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

let dir = ''
let huge = ''
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scantally-interrupt-'))
  huge = await hugeExport(dir)
})
const inputs = () => Array.from({ length: 100 }, () => huge)
test.after.always(() => rm(dir, { recursive: true, force: true }))

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)
  test.serial(
    `aggregate stops at once on ${signal}, reader threads and all, with exit ${code} and nothing on stdout`,
    async (t) => {
      const r = await interrupt(
        ['aggregate', '--output', 'json', '--workers', '2', ...inputs()],
        signal,
        huge,
      )
      t.is(r.code, code, r.stderr)
      t.is(r.stdout, '')
      t.regex(r.stderr, new RegExp(`${signal}: stopped`))
      // Reading every input takes over ten seconds; stopping takes a moment, even on a busy machine.
      t.true(r.afterSignal < 2000, `exited ${r.afterSignal} ms after the signal`)
    },
  )

test.serial('serve stops while loading on SIGINT, before it listens', async (t) => {
  const r = await interrupt(['serve', '--port', '0', '--workers', '2', ...inputs()], 'SIGINT', huge)
  t.is(r.code, 130, r.stderr)
  t.is(r.stdout, '')
  t.notRegex(r.stderr, /listening/)
  t.true(r.afterSignal < 2000, `exited ${r.afterSignal} ms after the signal`)
})
