import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, existsSync, readFileSync } from 'node:fs'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ImagebuilderClient,
  ListImageScanFindingAggregationsCommand,
  ListImageScanFindingsCommand,
} from '@aws-sdk/client-imagebuilder'
import test from 'ava'
import { bin, exampleFile, scantally } from './test/command.js'
import { serve } from './test/served.js'

const example = exampleFile('imagebuilder-findings.json')

const client = (url: string, accessKeyId: string, secretAccessKey: string) =>
  new ImagebuilderClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
  })

// time caller operation status ms
const entry = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (\S+) (\S+) (\d{3}) (\d+\.\d)$/

const fields = (line: string) => {
  const m = entry.exec(line)
  return m === null ? ['unparsed', line] : [m[2], m[3], Number(m[4])]
}

test('--access-log FILE: one line per request of the AWS SDK, naming time, caller, operation, status and ms', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-access-'))
  const credentials = join(dir, 'credentials.json')
  await writeFile(
    credentials,
    JSON.stringify([
      { accessKeyId: 'AKIDALICE', secretAccessKey: 'alice-secret', accountIds: ['111122223333'] },
    ]),
  )
  const log = join(dir, 'access.log')
  const before = Date.now()
  const served = await serve(['--credentials', credentials, '--access-log', log, example])
  try {
    const alice = client(served.url, 'AKIDALICE', 'alice-secret')
    await alice.send(new ListImageScanFindingAggregationsCommand({}))
    await alice.send(new ListImageScanFindingsCommand({ maxResults: 2 }))
    const wrong = await t.throwsAsync(
      client(served.url, 'AKIDALICE', 'wrong').send(new ListImageScanFindingAggregationsCommand({})),
    )
    t.is(wrong?.name, 'InvalidSignatureException')
    const bad = await t.throwsAsync(alice.send(new ListImageScanFindingsCommand({ maxResults: 0 })))
    t.is(bad?.name, 'InvalidRequestException')
  } finally {
    served.child.kill('SIGTERM')
    await served.exit
  }
  const lines = (await readFile(log, 'utf8')).split('\n').filter((l) => l !== '')
  t.deepEqual(lines.map(fields), [
    ['AKIDALICE', 'ListImageScanFindingAggregations', 200],
    ['AKIDALICE', 'ListImageScanFindings', 200],
    ['AKIDALICE', 'ListImageScanFindingAggregations', 403],
    ['AKIDALICE', 'ListImageScanFindings', 400],
  ])
  for (const line of lines) {
    const time = Date.parse(entry.exec(line)?.[1] ?? '')
    t.true(time >= before - 1000 && time <= Date.now() + 1000, line)
  }
})

test('--access-log - writes the lines to stdout after the listening line; without credentials the caller is anonymous', async (t) => {
  const served = await serve(['--access-log', '-', example])
  try {
    await client(served.url, 'AKIDANY', 'any').send(new ListImageScanFindingAggregationsCommand({}))
    const res = await fetch(`${served.url}/NoSuchOperation`, { method: 'POST', body: '{}' })
    t.is(res.status, 404)
    while (served.stdout().split('\n').length < 4) await new Promise((r) => setTimeout(r, 20))
  } finally {
    served.child.kill('SIGTERM')
    await served.exit
  }
  const [listening, ...lines] = served
    .stdout()
    .split('\n')
    .filter((l) => l !== '')
  t.regex(listening as string, /^listening on http:\/\/127\.0\.0\.1:\d+$/)
  t.deepEqual(lines.map(fields), [
    ['anonymous', 'ListImageScanFindingAggregations', 200],
    ['anonymous', 'NoSuchOperation', 404],
  ])
})

test('an access log that cannot be opened is named before anything is loaded', async (t) => {
  const r = await scantally(['serve', '--port', '0', '--access-log', '/no/such/dir/access.log', example])
  t.is(r.code, 1)
  t.regex(r.stderr, /^AccessLog: --access-log \/no\/such\/dir\/access\.log: cannot be opened: .*ENOENT/)
  t.notRegex(r.stderr, /read 1 file/)
})

test('a port in use fails at once, before loading: exit 1, one line naming the address, nothing read', async (t) => {
  const holder = createServer()
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
  const address = holder.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  try {
    const r = await scantally(['serve', '--port', String(port), example])
    t.is(r.code, 1)
    t.is(r.stdout, '')
    t.is(
      r.stderr,
      `ListenFailed: cannot listen on 127.0.0.1:${port}: the port is in use (--port 0 picks a free one)\n`,
    )
  } finally {
    holder.close()
  }
})

test('an address that is not this machine fails before loading; a host that is no address is wrong usage', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-bind-'))
  const credentials = join(dir, 'credentials.json')
  await writeFile(
    credentials,
    JSON.stringify([{ accessKeyId: 'AKIDA', secretAccessKey: 's', accountIds: ['111122223333'] }]),
  )
  // 192.0.2.1 is TEST-NET-1 (RFC 5737): never a local address.
  const foreign = await scantally(['serve', '--host', '192.0.2.1', '--credentials', credentials, example])
  t.is(foreign.code, 1)
  t.is(
    foreign.stderr,
    'ListenFailed: cannot listen on 192.0.2.1:4575: the address is not one of this machine\n',
  )
  const open = await scantally(['serve', '--host', '0.0.0.0', example])
  t.is(open.code, 2)
  t.regex(open.stderr, /^scantally serve: --host 0\.0\.0\.0 needs --credentials/)
})

// A terminal is what shows the bar: `script` runs the command on a pseudo-terminal.
const hasScript = existsSync('/usr/bin/script')
;(hasScript ? test : test.skip)(
  'serve draws a progress bar on a terminal while loading a large export',
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'scantally-progress-'))
    const path = join(dir, 'big.ndjson')
    const records = JSON.parse(readFileSync(exampleFile('inspector-findings.json'), 'utf8'))
      .findings as unknown[]
    const block = Buffer.from(records.map((r) => `${JSON.stringify(r)}\n`).join(''))
    const out = createWriteStream(path)
    for (let written = 0; written < 12 * 1024 * 1024; written += block.length)
      if (!out.write(block)) await once(out, 'drain')
    out.end()
    await once(out, 'finish')
    const command = `${process.execPath} ${bin} serve --port 0 --workers 1 ${path}`
    const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let text = ''
    child.stdout.on('data', (d) => {
      text += d
      if (/listening on/.test(text)) child.kill('SIGTERM')
    })
    await once(child, 'exit')
    t.regex(text, /\[[#.]{24}\]\s+\d+%\s+[\d.]+ [KMG]?i?B\/12\.\d MiB/)
    t.regex(text, /listening on http:\/\/127\.0\.0\.1:\d+/)
  },
)
