import test from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import { concatSources } from './ConcatSources.js'
import type { Finding } from './Finding.js'
import { collectSource, type FindingSource, makeFindingSource } from './FindingSource.js'
import { emptyIngestReport } from './IngestReport.js'

const finding = (arn: string | undefined, account = '111111111111'): Finding =>
  ({ awsAccountId: account, severity: 'LOW', ...(arn === undefined ? {} : { findingArn: arn }) }) as Finding

// A source of the findings in one batch that reports them all counted, or fails after them.
const sourceOf =
  (findings: ReadonlyArray<Finding>, fails?: string, opened?: Array<string>) => (): FindingSource<string> => {
    opened?.push(findings.map((f) => f.findingArn).join(','))
    return makeFindingSource<string, ReadonlyArray<Finding>>(
      async function* () {
        yield findings
        if (fails !== undefined) return Either.left(fails)
        return Either.right({
          ...emptyIngestReport,
          files: 1,
          read: findings.length,
          counted: findings.length,
        })
      },
      { failed: String, soFar: () => emptyIngestReport },
    )
  }

test('findings of later sources whose findingArn came earlier are duplicates in the report', async (t) => {
  const read = await collectSource(
    concatSources(
      [
        sourceOf([finding('a'), finding('b'), finding(undefined)]),
        sourceOf([finding('b'), finding('c'), finding(undefined)]),
        sourceOf([finding('a'), finding('c'), finding('d')]),
      ],
      String,
    ),
  )()
  if (Either.isLeft(read)) return t.fail(read.left)
  t.deepEqual(
    read.right.value.map((f) => f.findingArn),
    ['a', 'b', undefined, 'c', undefined, 'd'],
  )
  t.like(read.right.report, {
    files: 3,
    read: 9,
    counted: 6,
    excluded: { notActive: 0, duplicate: 3, noImageLinkage: 0, invalid: 0 },
  })
})

test('the first failing source ends the read with its error and the rest are never opened', async (t) => {
  const opened: Array<string> = []
  const source = concatSources(
    [
      sourceOf([finding('a')], undefined, opened),
      sourceOf([finding('b')], 'AccessDenied', opened),
      sourceOf([finding('c')], undefined, opened),
    ],
    String,
  )
  const read = await collectSource(source)()
  t.deepEqual(read, Either.left('AccessDenied'))
  t.deepEqual(opened, ['a', 'b'])
})

test('one source is read as it is', async (t) => {
  const read = await collectSource(concatSources([sourceOf([finding('a'), finding('a')])], String))()
  if (Either.isLeft(read)) return t.fail(read.left)
  t.is(read.right.value.length, 2)
  t.is(read.right.report.counted, 2)
})
