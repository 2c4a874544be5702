import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import test from 'ava'
import { exampleFile } from './test/command.js'

const exec = promisify(execFile)
const packScript = fileURLToPath(new URL('../../../scripts/pack.mjs', import.meta.url))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'

// The packages as a user gets them: the tarballs `npm run pack` writes, installed with npm into an
// empty folder (their third-party dependencies come from the registry).
test('the packed tarballs install with npm into an empty folder and work: the command and the library', async (t) => {
  t.timeout(180_000)
  const dir = await mkdtemp(join(tmpdir(), 'scantally-pack-'))
  try {
    const packs = join(dir, 'packs')
    await exec(process.execPath, [packScript, packs])
    const tarballs = (await readdir(packs)).filter((f) => f.endsWith('.tgz')).sort()
    t.deepEqual(tarballs, [
      'scantally-0.1.0.tgz',
      'scantally-core-0.1.0.tgz',
      'scantally-server-0.1.0.tgz',
      'scantally-source-inspector-0.1.0.tgz',
      'scantally-source-json-0.1.0.tgz',
      'scantally-source-s3-0.1.0.tgz',
    ])

    const app = join(dir, 'app')
    await mkdir(app)
    await writeFile(join(app, 'package.json'), '{ "name": "app", "private": true, "type": "module" }\n')
    await exec(
      npm,
      ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs.map((f) => join(packs, f))],
      {
        cwd: app,
      },
    )

    const version = await exec(npx, ['--no-install', 'scantally', '--version'], { cwd: app })
    t.is(version.stdout, 'scantally 0.1.0\n')
    const answer = await exec(
      npx,
      [
        '--no-install',
        'scantally',
        'aggregate',
        '--output',
        'csv',
        exampleFile('imagebuilder-findings.json'),
      ],
      { cwd: app },
    )
    t.is(
      answer.stdout,
      'accountId,all,critical,high,medium\r\n111122223333,71,9,11,32\r\n444455556666,77,11,14,26\r\n',
    )

    await writeFile(
      join(app, 'embed.mjs'),
      `import { buildIndex, generateTokenKey, listImageScanFindingAggregations, makeEngine } from '@scantally/core'
import { readFindingBatches } from '@scantally/source-json'
import { makeHandler } from '@scantally/server'
const index = buildIndex([{ awsAccountId: '111122223333', severity: 'HIGH' }])
if (index._tag === 'Left') throw new Error(index.left.message)
const engine = makeEngine(index.right, { keys: [generateTokenKey()] })
const page = listImageScanFindingAggregations(engine)({})
console.log(JSON.stringify(page.right.responses), typeof readFindingBatches, typeof makeHandler)
`,
    )
    const embedded = await exec(process.execPath, ['embed.mjs'], { cwd: app })
    t.is(
      embedded.stdout,
      '[{"accountAggregation":{"accountId":"111122223333","severityCounts":{"all":1,"critical":0,"high":1,"medium":0}}}] function function\n',
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
