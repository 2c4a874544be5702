// A long answer piped into a reader slower than the command: it is written whole and in order,
// as fast as the reader takes it, and a stop asked for while it waits on the reader ends the
// command at once.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import test from 'ava'

const bin = fileURLToPath(new URL('../bin/scantally.js', import.meta.url))
const inspectorExample = fileURLToPath(new URL('../../../examples/inspector-findings.json', import.meta.url))

// An export whose answer grouped by vulnerability is some megabytes of JSON: the example's
// records again and again, each with its own ARN and vulnerability id.
let dir = ''
let path = ''
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scantally-slow-reader-'))
  const records = JSON.parse(readFileSync(inspectorExample, 'utf8')).findings as Array<{
    findingArn: string
    packageVulnerabilityDetails?: { vulnerabilityId?: string }
  }>
  const lines: Array<string> = []
  for (let copy = 0; lines.length < 20_000; copy++)
    for (const r of records)
      lines.push(
        JSON.stringify({
          ...r,
          findingArn: `${r.findingArn}-${copy}`,
          packageVulnerabilityDetails: {
            ...r.packageVulnerabilityDetails,
            vulnerabilityId: `CVE-2031-${lines.length}`,
          },
        }),
      )
  path = join(dir, 'many-groups.ndjson')
  writeFileSync(path, `${lines.join('\n')}\n`)
})
test.after.always(() => rm(dir, { recursive: true, force: true }))

const args = () => ['aggregate', '--group-by', 'vulnerabilityId', '--output', 'json', '--quiet', path]
const withoutRequestId = (json: string) => json.replace(/"requestId": "[^"]*"/, '')

test.serial('a long answer piped into a slow reader comes whole and in order', async (t) => {
  const child = spawn(process.execPath, [bin, ...args()], { stdio: ['ignore', 'pipe', 'pipe'] })
  const chunks: Array<Buffer> = []
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => {
    stderr += d
  })
  const exited = once(child, 'exit') as Promise<[number | null]>
  // Read a chunk, then nothing for a while, again and again.
  for await (const chunk of child.stdout) {
    chunks.push(chunk as Buffer)
    if (chunks.length % 8 === 0) await sleep(20)
  }
  const [code] = await exited
  t.is(code, 0, stderr)
  const out = Buffer.concat(chunks).toString('utf8')
  const answer = JSON.parse(out) as { groups: ReadonlyArray<{ key: string }> }
  t.true(out.length > 1_000_000, `${out.length} bytes`)
  t.is(answer.groups.length, new Set(answer.groups.map((g) => g.key)).size)
  // The same answer as written straight to a file.
  const file = join(dir, 'answer.json')
  const fd = openSync(file, 'w')
  try {
    await once(spawn(process.execPath, [bin, ...args()], { stdio: ['ignore', fd, 'ignore'] }), 'exit')
  } finally {
    closeSync(fd)
  }
  t.is(withoutRequestId(out), withoutRequestId(readFileSync(file, 'utf8')))
})

test.serial(
  'Ctrl-C while the answer waits on a reader that stopped reading ends the command at once',
  async (t) => {
    const child = spawn(process.execPath, [bin, ...args()], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => {
      stderr += d
    })
    const exited = once(child, 'exit') as Promise<[number | null]>
    // The first bytes of the answer, then the reader stops taking any.
    await once(child.stdout, 'data')
    child.stdout.pause()
    await sleep(300)
    const sent = performance.now()
    child.kill('SIGINT')
    const [code] = await exited
    const after = performance.now() - sent
    t.is(code, 130, stderr)
    t.regex(stderr, /SIGINT: stopped while printing the answer/)
    t.true(after < 2000, `exited ${after} ms after the signal`)
  },
)
