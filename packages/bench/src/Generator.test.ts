import { rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InspectorFinding } from '@scantally/core'
import { collectFindings } from '@scantally/source-json'
import test from 'ava'
import * as E from 'fp-ts/lib/Either.js'
import { exportText, findingNumberAt, inspectorFinding, makeUniverse } from './Generator.js'

const text = (seed: number, count: number, layout: 'json' | 'ndjson') =>
  [...exportText(seed, count, layout)].join('')

test('a seed always gives the same export, and another seed another one', (t) => {
  t.is(text(7, 200, 'ndjson'), text(7, 200, 'ndjson'))
  t.is(text(7, 200, 'json'), text(7, 200, 'json'))
  t.not(text(7, 200, 'ndjson'), text(8, 200, 'ndjson'))
})

test('findings are realistic Inspector v2 findings of about 2 KB, in a varied world', (t) => {
  const u = makeUniverse(3)
  const findings = Array.from({ length: 500 }, (_, i) => inspectorFinding(u, i))
  for (const f of findings) t.true(E.isRight(InspectorFinding.decode(f)))
  const size = findings.reduce((n, f) => n + JSON.stringify(f).length, 0) / findings.length
  t.true(size > 1500 && size < 3500, `average size ${size}`)
  const distinct = (k: (f: Record<string, unknown>) => unknown) => new Set(findings.map(k)).size
  t.is(
    distinct((f) => f.severity),
    6,
  )
  t.is(
    distinct((f) => f.status),
    3,
  )
  t.true(distinct((f) => f.awsAccountId) >= 3)
  t.true(
    distinct((f) => (f.packageVulnerabilityDetails as { vulnerabilityId: string }).vulnerabilityId) > 100,
  )
  t.true(u.pipelines.length >= 10 && u.builds.length >= 100 && u.cves.length >= 1000)
})

test('the reader accepts both layouts whole, with the same findings and a few duplicates', async (t) => {
  const count = 300
  const dir = tmpdir()
  const paths = [join(dir, `bench-test-${process.pid}.json`), join(dir, `bench-test-${process.pid}.ndjson`)]
  try {
    await writeFile(paths[0] as string, text(11, count, 'json'))
    await writeFile(paths[1] as string, text(11, count, 'ndjson'))
    const reads = await Promise.all(paths.map((p) => collectFindings([p], { parser: 'plain' })()))
    const [doc, lines] = reads.map((r) => {
      if (E.isLeft(r)) throw new Error(r.left.message)
      return r.right
    })
    t.deepEqual(doc?.value, lines?.value)
    const duplicates = new Set(Array.from({ length: count }, (_, i) => findingNumberAt(11, i))).size
    t.like(doc?.report, { read: count, excluded: { invalid: 0, duplicate: count - duplicates } })
    t.true((doc?.report.counted ?? 0) > count / 2)
  } finally {
    await Promise.all(paths.map((p) => rm(p, { force: true })))
  }
})
