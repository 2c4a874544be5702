// The young generation held through a read whose reading thread, started during it, set V8's
// flags back: the hold is made again once the thread runs or has ended. Run in child processes,
// since the flags are the process's; the size is V8's configuration (its pages), not a measure.
import { execFile } from 'node:child_process'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import test from 'ava'
import { tempDir } from './exports.test.util.js'

const child = fileURLToPath(new URL('./YoungGeneration.test.child.js', import.meta.url))
const findings = 2000

const fixture = (async () => {
  const root = await tempDir()
  const file = join(root, 'findings.ndjson')
  const line = (i: number): string =>
    JSON.stringify({
      findingArn: `arn:aws:inspector2:us-east-1:111122223333:finding/f${i}`,
      awsAccountId: '111122223333',
      severity: 'HIGH',
      status: 'ACTIVE',
      resources: [
        {
          type: 'AWS_EC2_INSTANCE',
          tags: { Ec2ImageBuilderArn: `arn:aws:imagebuilder:us-east-1:111122223333:image/web/1.0.${i}/1` },
        },
      ],
    })
  await writeFile(file, Array.from({ length: findings }, (_, i) => line(i)).join('\n'))
  return { root, file }
})()

test.after.always(async () => {
  await rm((await fixture).root, { recursive: true, force: true })
})

interface Sizes {
  readonly findings: number
  readonly threads: number
  readonly afterRead: number
  readonly afterKept: number
  readonly kept: number
}

const run = async (mode: 'held' | 'free'): Promise<Sizes> => {
  const { stdout } = await promisify(execFile)(process.execPath, [child, (await fixture).file, mode])
  return JSON.parse(stdout) as Sizes
}

test('held, the young generation does not grow for strings kept after a read on two threads', async (t) => {
  const sizes = await run('held')
  t.is(sizes.findings, findings)
  t.true(sizes.threads > 0, 'the read started a reading thread')
  t.is(sizes.afterKept, sizes.afterRead, `young generation ${sizes.afterRead} bytes after the read`)
})

test('not held, the same strings grow it (what the hold prevents)', async (t) => {
  const sizes = await run('free')
  t.is(sizes.findings, findings)
  t.true(
    sizes.afterKept > sizes.afterRead,
    `young generation ${sizes.afterRead}, then ${sizes.afterKept} bytes`,
  )
})
