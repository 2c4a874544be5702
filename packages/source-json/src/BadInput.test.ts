import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import test from 'ava'
import * as E from 'fp-ts/lib/Either.js'
import { tempDir } from './exports.test.util.js'
import { loadPipelineMap } from './PipelineMap.js'
import { collectFindings, type ReadOptions } from './ReadFindings.js'

const ok = (n: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    awsAccountId: '111111111111',
    severity: 'HIGH',
    imageBuildVersionArn: `arn:aws:imagebuilder:us-east-1:111111111111:image/web/1.0.${n}/1`,
    ...extra,
  })

const withFile = async (name: string, content: string | Buffer, f: (path: string) => Promise<void>) => {
  const dir = await tempDir()
  try {
    const path = join(dir, name)
    await writeFile(path, content)
    await f(path)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const read = (path: string, options: ReadOptions = {}) => collectFindings([path], options)()

interface Case {
  readonly name: string
  readonly content: string | Buffer
  readonly strict: Record<string, unknown>
  readonly skip: { readonly counted: number; readonly read: number; readonly reasons: ReadonlyArray<RegExp> }
}

const truncated = `{"findings":[${ok(1)},${ok(2)},{"awsAccountId":"1111`

const cases: ReadonlyArray<Case> = [
  {
    name: 'a truncated page',
    content: truncated,
    strict: { _tag: 'MalformedJson', offset: truncated.length, line: 1, column: truncated.length + 1 },
    skip: {
      counted: 2,
      read: 3,
      reasons: [
        new RegExp(
          `:1:${truncated.length + 1}: malformed JSON at byte ${truncated.length}: unexpected end of input`,
        ),
      ],
    },
  },
  {
    name: 'invalid JSON on one NDJSON line',
    content: `${ok(1)}\n{"awsAccountId": 111111111111, }\n${ok(2)}\n`,
    strict: { _tag: 'MalformedJson', line: 2, column: 32 },
    skip: { counted: 2, read: 3, reasons: [/:2:32: malformed JSON .*expected a string key/] },
  },
  {
    name: 'wrong types',
    content: `${ok(1)}\n${ok(2, { imageBuildVersionArn: 42 })}\n${ok(3, { awsAccountId: 111111111111 })}\n`,
    strict: {
      _tag: 'InvalidRecord',
      position: 2,
      reason: 'imageBuildVersionArn: expected KeyString but got 42',
    },
    skip: {
      counted: 1,
      read: 3,
      reasons: [/imageBuildVersionArn: expected KeyString but got 42/, /awsAccountId/],
    },
  },
  {
    name: 'an unknown severity',
    content: `{"findings":[${ok(1, { severity: 'SEVERE' })},${ok(2)}]}`,
    strict: { _tag: 'InvalidRecord', position: 1, offset: 13 },
    skip: { counted: 1, read: 2, reasons: [/severity: expected .* but got "SEVERE"/] },
  },
  {
    name: 'an empty file',
    content: ' \n',
    strict: { _tag: 'EmptyInput' },
    skip: { counted: 0, read: 1, reasons: [/empty input/] },
  },
  {
    name: 'a file of the wrong kind',
    content: JSON.stringify({ name: 'package', version: '1.0.0', dependencies: {} }),
    strict: { _tag: 'InvalidRecord', position: 1, reason: /not a finding/ as unknown as string },
    skip: { counted: 0, read: 1, reasons: [/not a finding: expected an Image Builder ImageScanFinding/] },
  },
  {
    name: 'a CSV file that is not an Inspector findings report',
    content: 'awsAccountId,severity\n111111111111,HIGH\n',
    strict: { _tag: 'UnknownFormat' },
    skip: {
      counted: 0,
      read: 1,
      reasons: [
        /not an export in any known format \(tried JSON .*, the Inspector findings report in CSV, and combination rows .*\)/,
      ],
    },
  },
  {
    name: 'a truncated gzip file',
    content: gzipSync(Buffer.from(`${ok(1)}\n${ok(2)}\n`.repeat(50))).subarray(0, 60),
    strict: { _tag: 'ReadFailed' },
    skip: { counted: 0, read: 1, reasons: [/cannot be read: unexpected end of file/] },
  },
]

for (const c of cases) {
  test(`${c.name}: a named error under strict, the right report under skip`, async (t) => {
    await withFile('export.json', c.content, async (path) => {
      const strict = await read(path)
      if (E.isRight(strict)) return t.fail('strict read succeeded')
      const { reason, ...rest } = c.strict
      t.like(strict.left, { ...rest, file: path })
      if (reason instanceof RegExp) t.regex((strict.left as { reason: string }).reason, reason)
      else if (typeof reason === 'string') t.is((strict.left as { reason: string }).reason, reason)
      t.true(strict.left.message.startsWith(path))

      const skip = await read(path, { policy: 'skip' })
      if (E.isLeft(skip)) return t.fail(skip.left.message)
      const report = skip.right.report
      t.is(skip.right.value.length, c.skip.counted)
      t.like(report, { files: 1, read: c.skip.read, counted: c.skip.counted })
      t.is(report.excluded.invalid, c.skip.reasons.length)
      t.is(report.skipped.length, c.skip.reasons.length)
      report.skipped.forEach((s, i) => {
        t.is(s.file, path)
        t.regex(s.reason, c.skip.reasons[i] as RegExp)
      })
    })
  })
}

test('a bad timestamp or odd descriptive field never rejects a record', async (t) => {
  const odd = {
    firstObservedAt: 'yesterday-ish',
    updatedAt: { when: [] },
    title: null,
    inspectorScore: 'high',
  }
  await withFile(
    'odd.ndjson',
    `${ok(1, odd)}\n${ok(2, { firstObservedAt: 'Wed Sep 04 16:59:44.356 UTC 2024' })}`,
    async (path) => {
      const got = await read(path)
      if (E.isLeft(got)) return t.fail(got.left.message)
      t.is(got.right.value.length, 2)
    },
  )
})

// The one leniency of the grammar (docs/sources.md, "What is validated"): a skipped string's
// contents are not looked at; in a string the engine reads, a raw control character is malformed.
test('a raw control character or bad escape passes in a skipped string, and is malformed JSON in a read one', async (t) => {
  const withRaw = (text: string, raw: string) => text.replace('RAW', raw)
  for (const parser of ['fast', 'plain'] as const) {
    const skipped = `${withRaw(ok(1, { description: 'tab RAW here', title: 'bad \\q escape' }), '\t')}\n${ok(2)}\n`
    await withFile('skipped.ndjson', skipped.replace('\\\\q', '\\q'), async (path) => {
      const got = await read(path, { parser })
      if (E.isLeft(got)) return t.fail(got.left.message)
      t.is(got.right.value.length, 2)
    })
    const readOne = `${ok(1)}\n${withRaw(ok(2, { packageVulnerabilityDetails: { vulnerabilityId: 'CVE-RAW' } }), '\t')}\n`
    await withFile('read.ndjson', readOne, async (path) => {
      const got = await read(path, { parser })
      if (E.isRight(got)) return t.fail('read')
      t.is(got.left._tag, 'MalformedJson')
      t.like(got.left, { line: 2 })
    })
  }
})

const inspector = (arn: string, status: string, tagged = true) =>
  JSON.stringify({
    findingArn: arn,
    awsAccountId: '111111111111',
    severity: 'LOW',
    status,
    resources: [{ type: 'AWS_EC2_INSTANCE', id: 'i', tags: tagged ? { Ec2ImageBuilderArn: 'arn:b' } : {} }],
  })

test('duplicates, inactive and unlinked findings are counted in the report, across files', async (t) => {
  const dir = await tempDir()
  try {
    await writeFile(
      join(dir, 'a.ndjson'),
      [inspector('f1', 'ACTIVE'), inspector('f2', 'CLOSED'), inspector('f3', 'ACTIVE', false)].join('\n'),
    )
    await writeFile(
      join(dir, 'b.ndjson'),
      [inspector('f1', 'ACTIVE'), inspector('f4', 'SUPPRESSED')].join('\n'),
    )
    await writeFile(join(dir, '.hidden.json'), 'not even JSON')
    await mkdir(join(dir, 'nested'))
    const base = await read(dir)
    if (E.isLeft(base)) return t.fail(base.left.message)
    t.deepEqual(
      base.right.value.map((f) => f.findingArn),
      ['f1'],
    )
    t.like(base.right.report, {
      files: 2,
      read: 5,
      counted: 1,
      excluded: { notActive: 2, duplicate: 1, noImageLinkage: 1, invalid: 0 },
    })
    const wider = await read(dir, { statuses: ['ACTIVE', 'SUPPRESSED'], includeUnlinked: true })
    if (E.isLeft(wider)) return t.fail(wider.left.message)
    t.deepEqual(wider.right.value.map((f) => f.findingArn).sort(), ['f1', 'f3', 'f4'])
    t.is(wider.right.value.find((f) => f.findingArn === 'f3')?.imageBuildVersionArn, undefined)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('- reads standard input, gzip too', async (t) => {
  const text = `${ok(1)}\n${ok(2)}\n`
  for (const bytes of [Buffer.from(text), gzipSync(text)]) {
    const stdin = Readable.from([bytes.subarray(0, 1), bytes.subarray(1)])
    const got = await collectFindings(['-'], { stdin })()
    if (E.isLeft(got)) return t.fail(got.left.message)
    t.is(got.right.value.length, 2)
    t.is(got.right.report.bytes, bytes.length)
  }
})

test('a path that does not exist is an error under either policy', async (t) => {
  const dir = await tempDir()
  try {
    for (const policy of ['strict', 'skip'] as const) {
      const got = await read(join(dir, 'missing.json'), { policy })
      t.like(got, { _tag: 'Left', left: { _tag: 'ReadFailed', file: join(dir, 'missing.json') } })
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('a pipeline map file resolves Inspector findings to pipelines; a bad one is named', async (t) => {
  const dir = await tempDir()
  try {
    const mapPath = join(dir, 'pipelines.json')
    await writeFile(mapPath, JSON.stringify({ 'arn:b': 'arn:p' }))
    await writeFile(join(dir, 'findings.json'), inspector('f1', 'ACTIVE'))
    const resolver = await loadPipelineMap(mapPath)()
    if (E.isLeft(resolver)) return t.fail(resolver.left.message)
    const got = await read(join(dir, 'findings.json'), { resolvePipeline: resolver.right })
    if (E.isLeft(got)) return t.fail(got.left.message)
    t.is(got.right.value[0]?.imagePipelineArn as string | undefined, 'arn:p')

    await writeFile(mapPath, '{"arn:b": 5}')
    t.like(await loadPipelineMap(mapPath)(), { _tag: 'Left', left: { _tag: 'InvalidRecord', file: mapPath } })
    await writeFile(mapPath, '{\n"arn:b": }')
    t.like(await loadPipelineMap(mapPath)(), {
      _tag: 'Left',
      left: { _tag: 'MalformedJson', line: 2, column: 10 },
    })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
