import { spawn } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  ImagebuilderClient,
  InvalidPaginationTokenException,
  ListImageScanFindingAggregationsCommand,
} from '@aws-sdk/client-imagebuilder'
import test from 'ava'
import * as E from 'fp-ts/lib/Either.js'
import { parseKeyFile } from './KeyFile.js'
import { serve } from './test/served.js'

const bin = fileURLToPath(new URL('../bin/scantally.js', import.meta.url))
const example = fileURLToPath(new URL('../../../examples/imagebuilder-findings.json', import.meta.url))
const keyA = `keyA:${'a1'.repeat(32)}`
const keyB = `keyB:${'b2'.repeat(32)}`
// Seven vulnerabilities of the example, so a page size of 2 gives four pages.
const filter = {
  name: 'vulnerabilityId',
  values: [
    'CVE-2024-1000',
    'CVE-2024-1137',
    'CVE-2024-1274',
    'CVE-2024-1411',
    'CVE-2024-1548',
    'CVE-2024-1685',
    'CVE-2024-1822',
  ],
}

const sdk = (url: string) =>
  new ImagebuilderClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  })

test('scantally serve --token-key-file rotates keys on SIGHUP: old tokens work until their key is removed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-rotation-'))
  const file = join(dir, 'token-keys')
  await writeFile(file, `# newest first\n${keyA}\n`, { mode: 0o600 })
  const served = await serve(['--page-size', '2', '--token-key-file', file, example])
  try {
    const c = sdk(served.url)
    const first = await c.send(new ListImageScanFindingAggregationsCommand({ filter }))
    t.regex(first.nextToken ?? '', /^v1\.keyA\./)

    await writeFile(file, `${keyB}\n${keyA}\n`)
    const rotated = served.said(/SIGHUP: token keys reloaded .*signing with keyB, accepting keyB, keyA/)
    served.child.kill('SIGHUP')
    await rotated
    const second = await c.send(
      new ListImageScanFindingAggregationsCommand({ filter, nextToken: first.nextToken }),
    )
    t.regex(second.nextToken ?? '', /^v1\.keyB\./)

    // A file that cannot be used leaves the keys as they were.
    await writeFile(file, 'keyC:too-short\n')
    const refused = served.said(/SIGHUP: token keys not reloaded, the previous keys stay in use: .*line 1/)
    served.child.kill('SIGHUP')
    t.notRegex(await refused, /too-short/, 'the message never quotes a secret')
    const stillA = await c.send(
      new ListImageScanFindingAggregationsCommand({ filter, nextToken: first.nextToken }),
    )
    t.deepEqual(stillA.responses, second.responses)

    await writeFile(file, `${keyB}\n`)
    const retired = served.said(/SIGHUP: token keys reloaded .*accepting keyB\n/)
    served.child.kill('SIGHUP')
    await retired
    const e = await t.throwsAsync(
      c.send(new ListImageScanFindingAggregationsCommand({ filter, nextToken: first.nextToken })),
    )
    t.true(e instanceof InvalidPaginationTokenException)
    const third = await c.send(
      new ListImageScanFindingAggregationsCommand({ filter, nextToken: second.nextToken }),
    )
    t.true((third.responses ?? []).length > 0)
  } finally {
    served.child.kill('SIGTERM')
    t.is(await served.exit, 0)
  }
})

test('a token key file that cannot be used stops serve at start with exit 1, without quoting it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-rotation-'))
  const file = join(dir, 'token-keys')
  await writeFile(file, '# nothing but a comment\n', { mode: 0o600 })
  const run = (args: ReadonlyArray<string>) =>
    new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      let stdout = ''
      child.stderr.on('data', (d) => {
        stderr += d
      })
      child.stdout.on('data', (d) => {
        stdout += d
      })
      child.once('exit', (code) => resolve({ code, stderr, stdout }))
    })
  const empty = await run(['--token-key-file', file, example])
  t.is(empty.code, 1)
  t.regex(empty.stderr, /no key in the file/)
  t.is(empty.stdout, '')
  const missing = await run(['--token-key-file', join(dir, 'absent'), example])
  t.is(missing.code, 1)
  t.regex(missing.stderr, /cannot be read/)
  const both = await run(['--token-key-file', file, '--token-key', keyA, example])
  t.is(both.code, 2)
})

test('key files: one key per line, newest first, comments and blank lines ignored, repeated ids refused', (t) => {
  const ok = parseKeyFile(`# rotated 2024-09-04\n\n${keyB}\r\n  ${keyA}  \n`)
  t.deepEqual(E.isRight(ok) ? ok.right.map((k) => k.id) : ok.left, ['keyB', 'keyA'])
  const repeated = parseKeyFile(`${keyA}\n${keyA}\n`)
  t.deepEqual(repeated, E.left('line 2: the key id keyA is repeated'))
  const bad = parseKeyFile(`${keyA}\nnot a key\n`)
  t.true(E.isLeft(bad) && bad.left.startsWith('line 2: '))
  t.deepEqual(parseKeyFile(''), E.left('no key in the file'))
})
