import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import test from 'ava'
import { scantally } from './test/command.js'

const line = (n: number, severity = 'HIGH') =>
  `${JSON.stringify({
    awsAccountId: '111111111111',
    severity,
    imageBuildVersionArn: `arn:aws:imagebuilder:us-east-1:111111111111:image/web/1.0.${n}/1`,
  })}\n`

// Lines 1-4 good, line 5 as given, line 6 good; the byte where line 5 starts, counted here.
const withLine5 = (fifth: string) => {
  const before = [1, 2, 3, 4].map((n) => line(n)).join('')
  return { text: `${before}${fifth}${line(6)}`, offset: Buffer.byteLength(before) }
}

test('an NDJSON error names the line and the byte: an invalid record and malformed JSON, plain and gzip, file and stdin', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-lines-'))
  const invalid = withLine5(line(5, 'SEVERE'))
  const malformed = withLine5('{"awsAccountId": 111111111111, }\n')
  await writeFile(join(dir, 'invalid.ndjson'), invalid.text)
  await writeFile(join(dir, 'invalid.ndjson.gz'), gzipSync(invalid.text))
  await writeFile(join(dir, 'malformed.ndjson'), malformed.text)
  for (const name of ['invalid.ndjson', 'invalid.ndjson.gz']) {
    const r = await scantally(['aggregate', '-o', 'json', join(dir, name)])
    t.is(r.code, 1)
    t.is(r.stdout, '')
    t.regex(
      r.stderr,
      new RegExp(
        `^InvalidRecord: .*${name.replace(/\./g, '\\.')}:5: record 5 \\(byte ${invalid.offset}\\) is invalid: severity`,
      ),
    )
  }
  const piped = await scantally(['aggregate', '-o', 'json', '-'], invalid.text)
  t.regex(piped.stderr, new RegExp(`^InvalidRecord: -:5: record 5 \\(byte ${invalid.offset}\\) is invalid`))
  const bad = await scantally(['aggregate', '-o', 'json', join(dir, 'malformed.ndjson')])
  t.is(bad.code, 1)
  t.regex(
    bad.stderr,
    new RegExp(`^MalformedJson: .*malformed\\.ndjson:5:32: malformed JSON at byte ${malformed.offset + 31}:`),
  )
})
