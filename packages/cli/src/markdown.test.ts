// `--output markdown`: the table as GitHub-flavoured markdown, from the command as a child process.
import { readFileSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'ava'
import { exampleFile, scantally } from './test/command.js'

const template = JSON.parse(readFileSync(exampleFile('imagebuilder-findings.json'), 'utf8')).findings[0]

// Two findings of one account, both fixable: a CRITICAL one whose vulnerabilityId holds `|` and `\`, and a LOW one.
const exportFile = (async () => {
  const finding = (vulnerabilityId: string, severity: string) => ({
    ...template,
    severity,
    fixAvailable: 'YES',
    packageVulnerabilityDetails: { ...template.packageVulnerabilityDetails, vulnerabilityId },
  })
  const file = join(await mkdtemp(join(tmpdir(), 'scantally-markdown-')), 'findings.json')
  await writeFile(
    file,
    JSON.stringify({ findings: [finding('CVE-1|a\\b', 'CRITICAL'), finding('CVE-2', 'LOW')] }),
  )
  return file
})()

test('-o markdown prints the AWS table as markdown, with its total row and footnote', async (t) => {
  const r = await scantally(['aggregate', '-o', 'markdown', '--quiet', await exportFile])
  t.is(r.code, 0, r.stderr)
  t.is(
    r.stdout,
    [
      '| accountId | ALL | CRITICAL | HIGH | MEDIUM |',
      '| --- | ---: | ---: | ---: | ---: |',
      `| ${template.awsAccountId} | 2 | 1 | 0 | 0 |`,
      '| **TOTAL (1 group)** | **2** | **1** | **0** | **0** |',
      '',
      'ALL also counts 1 LOW: --columns all shows them',
      '',
    ].join('\n'),
  )
})

test('--output markdown escapes | and \\ in keys, and shows every column of the extended query', async (t) => {
  const r = await scantally([
    'aggregate',
    '--output',
    'markdown',
    '--group-by',
    'vulnerabilityId',
    await exportFile,
  ])
  t.is(r.code, 0, r.stderr)
  t.is(
    r.stdout,
    [
      '| vulnerabilityId | ALL | CRITICAL | HIGH | MEDIUM | LOW | INFORMATIONAL | UNTRIAGED | FIXAVAILABLE | EXPLOITAVAILABLE |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      '| CVE-1\\|a\\\\b | 1 | 1 | 0 | 0 | 0 | 0 | 0 | 1 | 0 |',
      '| CVE-2 | 1 | 0 | 0 | 0 | 1 | 0 | 0 | 1 | 0 |',
      '| **TOTAL (2 groups)** | **2** | **1** | **0** | **0** | **1** | **0** | **0** | **2** | **0** |',
      '',
    ].join('\n'),
  )
})

test('markdown is in --help and a misspelt format names the choices', async (t) => {
  const help = await scantally(['aggregate', '--help'])
  t.regex(help.stdout, /--output json\|table\|markdown\|csv/)
  const bad = await scantally(['aggregate', '-o', 'md', await exportFile])
  t.is(bad.code, 2)
  t.regex(bad.stderr, /--output must be json, table, markdown or csv, got "md"/)
})
