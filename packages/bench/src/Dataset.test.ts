import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { collectFindings } from '@scantally/source-json'
import test from 'ava'
import * as E from 'fp-ts/lib/Either.js'
import { ensureDataset, ensureEscapedSlashes } from './Dataset.js'
import { shapes } from './Generator.js'

test("an export with every '/' escaped holds the same records, and the reader finds the same findings in it", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-bench-test-'))
  const before = process.env.SCANTALLY_BENCH_DIR
  process.env.SCANTALLY_BENCH_DIR = dir
  try {
    const ds = await ensureDataset(5, 300, 'ndjson', () => {}, shapes.high)
    const escaped = await ensureEscapedSlashes(ds, () => {})
    t.not(escaped.path, ds.path)
    const lines = (await readFile(ds.path, 'utf8')).trimEnd().split('\n')
    const escapedLines = (await readFile(escaped.path, 'utf8')).trimEnd().split('\n')
    t.is(escapedLines.length, lines.length)
    // No '/' is left unescaped, and each record parses to what it was.
    for (const [i, line] of escapedLines.entries()) {
      t.false(/[^\\]\//.test(line))
      t.deepEqual(JSON.parse(line), JSON.parse(lines[i] as string))
    }
    t.true(escaped.bytes > ds.bytes)
    const plain = await collectFindings([ds.path], {})()
    const read = await collectFindings([escaped.path], {})()
    if (E.isLeft(plain) || E.isLeft(read)) return t.fail('a read failed')
    t.deepEqual(read.right.value, plain.right.value)
    t.deepEqual({ ...read.right.report, bytes: 0 }, { ...plain.right.report, bytes: 0 })
  } finally {
    if (before === undefined) delete process.env.SCANTALLY_BENCH_DIR
    else process.env.SCANTALLY_BENCH_DIR = before
    await rm(dir, { recursive: true, force: true })
  }
})
