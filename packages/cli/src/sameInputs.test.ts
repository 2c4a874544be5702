import { copyFile, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import test from 'ava'
import { exampleFile, scantally } from './test/command.js'

const imageBuilder = exampleFile('imagebuilder-findings.json')

// The ALL count of the TOTAL row of a JSON answer by account.
const total = (stdout: string): number =>
  (
    JSON.parse(stdout) as {
      responses: ReadonlyArray<{ accountAggregation: { severityCounts: { all: number } } }>
    }
  ).responses
    .map((r) => r.accountAggregation.severityCounts.all)
    .reduce((a, b) => a + b, 0)

test('an export given twice, by another path, as a gzip copy or inside a folder given too: a warning, and the AWS count', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-same-'))
  const folder = join(dir, 'exports')
  await mkdir(folder)
  const file = join(folder, 'findings.json')
  await copyFile(imageBuilder, file)
  await writeFile(`${file}.gz`, gzipSync(await readFile(file)))
  await symlink(file, join(dir, 'link.json'))
  const once = await scantally(['aggregate', '--output', 'json', file])
  t.is(once.code, 0, once.stderr)
  t.notRegex(once.stderr, /warning:/)
  const single = total(once.stdout)
  t.true(single > 0)

  const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
    [[file, file], /is the same file as/],
    [[file, join(dir, 'link.json')], /is the same file as/],
    [[file, `${file}.gz`], /look like one export with and without gzip/],
    [[folder, `${file}.gz`], /is inside/],
  ]
  for (const [inputs, what] of cases) {
    const r = await scantally(['aggregate', '--output', 'json', ...inputs])
    t.is(r.code, 0, r.stderr)
    t.regex(r.stderr, what, inputs.join(' '))
    t.regex(r.stderr, /Image Builder findings in both .* count twice/)
    // Image Builder scan findings carry no identity: AWS's rules count each record.
    const expected = inputs[0] === folder ? 3 * single : 2 * single
    t.is(total(r.stdout), expected, inputs.join(' '))
  }

  const quiet = await scantally(['aggregate', '--quiet', '--output', 'json', file, file])
  t.notRegex(quiet.stderr, /warning:/)
})
