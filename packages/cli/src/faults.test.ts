import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import test from 'ava'

// A read that fails is exit 1 with nothing on standard output, whatever the output format:
// a script piping the output never sees the counts of part of the input as if they were all.

const bin = fileURLToPath(new URL('../bin/scantally.js', import.meta.url))
const example = fileURLToPath(new URL('../../../examples/imagebuilder-findings.json', import.meta.url))
const exampleText = readFileSync(example, 'utf8')
// Cut in the middle of the tenth finding.
const cutAt = (() => {
  let at = 0
  for (let i = 0; i < 10; i++) at = exampleText.indexOf('"awsAccountId"', at + 1)
  return at + 20
})()
const cut = exampleText.slice(0, cutAt)

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the CLI; `stdin` is written in parts, then closed (or the writer is killed). */
const run = (args: ReadonlyArray<string>, stdin: ReadonlyArray<string | Buffer> = []): Promise<Run> =>
  new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (d) => {
      stdout += d
    })
    child.stderr?.on('data', (d) => {
      stderr += d
    })
    child.once('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin?.on('error', () => {})
    for (const part of stdin) child.stdin?.write(part)
    child.stdin?.end()
  })

const dir = mkdtemp(join(tmpdir(), 'scantally-faults-'))
const file = async (name: string, content: string | Buffer) => {
  const path = join(await dir, name)
  await writeFile(path, content)
  return path
}

const outputs = ['json', 'table', 'csv'] as const

test('a file cut mid-record: exit 1, nothing on stdout, the file and byte named, for every output', async (t) => {
  const path = await file('cut.json', cut)
  for (const output of outputs) {
    const r = await run(['aggregate', '--output', output, path])
    t.is(r.code, 1, output)
    t.is(r.stdout, '', output)
    t.regex(
      r.stderr,
      new RegExp(`MalformedJson: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*byte ${cut.length}`),
    )
  }
})

test('a complete file then a cut one: exit 1 and nothing printed, not the counts of the first', async (t) => {
  const folder = await mkdtemp(join(await dir, 'two-'))
  await writeFile(join(folder, 'a.json'), exampleText)
  await writeFile(join(folder, 'b.json'), cut)
  const r = await run(['aggregate', '--output', 'json', folder])
  t.is(r.code, 1)
  t.is(r.stdout, '')
  t.regex(r.stderr, /b\.json/)
})

test('a gzip file cut short: exit 1, nothing on stdout', async (t) => {
  const zipped = gzipSync(Buffer.from(exampleText))
  const path = await file('cut.json.gz', zipped.subarray(0, Math.floor(zipped.length / 2)))
  const r = await run(['aggregate', '--output', 'json', path])
  t.is(r.code, 1)
  t.is(r.stdout, '')
  t.regex(r.stderr, /ReadFailed: .*cut\.json\.gz.*unexpected end of file/)
})

test('standard input that ends mid-record: exit 1, nothing on stdout', async (t) => {
  const r = await run(['aggregate', '--output', 'json', '-'], [cut.slice(0, 500), cut.slice(500)])
  t.is(r.code, 1)
  t.is(r.stdout, '')
  t.regex(r.stderr, /MalformedJson: -/)
})

test('a path that does not exist: exit 1, nothing on stdout', async (t) => {
  const r = await run(['aggregate', '--output', 'json', join(await dir, 'absent.json')])
  t.is(r.code, 1)
  t.is(r.stdout, '')
  t.regex(r.stderr, /absent\.json/)
})

test('under --on-invalid skip, a cut file is answered and the skipped record is said on stderr', async (t) => {
  const path = await file('cut-skip.json', cut)
  const r = await run(['aggregate', '--output', 'json', '--on-invalid', 'skip', path])
  t.is(r.code, 0)
  t.true((JSON.parse(r.stdout) as { responses: unknown[] }).responses.length > 0)
  t.regex(r.stderr, /invalid 1\)/)
  t.regex(r.stderr, /skipped .*cut-skip\.json record 10: .*malformed JSON/)
})

test('scantally serve over a cut file: exit 1 before listening, nothing on stdout', async (t) => {
  const path = await file('cut-serve.json', cut)
  const r = await run(['serve', '--port', '0', path])
  t.is(r.code, 1)
  t.is(r.stdout, '')
  t.regex(r.stderr, /MalformedJson/)
})
