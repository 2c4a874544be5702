import { fc, testProp } from '@fast-check/ava'
import test from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import { findingArb } from './arbitraries.js'
import type { Finding } from './Finding.js'
import {
  collectSource,
  type FindingSource,
  foldSource,
  fromAsyncIterable,
  makeFindingSource,
  mapSource,
} from './FindingSource.js'
import { emptyIngestReport, type IngestReport } from './IngestReport.js'

const finding = (account: string): Finding => ({ awsAccountId: account, severity: 'LOW' }) as Finding
const reportOf = (read: number): IngestReport => ({ ...emptyIngestReport, read, counted: read })
interface Failure {
  readonly _tag: string
  readonly message: string
}
const cutShort: Failure = { _tag: 'Cut', message: 'cut short' }

// A source of two batches whose body ends as `ending` says.
const twoBatches = (ending: 'ok' | 'fails' | 'throws'): FindingSource<Failure> =>
  makeFindingSource<Failure, ReadonlyArray<Finding>>(
    async function* () {
      yield [finding('111111111111')]
      yield [finding('222222222222')]
      if (ending === 'throws') throw new Error('connection reset')
      return ending === 'ok' ? Either.right(reportOf(2)) : Either.left(cutShort)
    },
    {
      failed: (e) => ({ _tag: 'Thrown', message: String((e as Error).message) }) as const,
      soFar: () => reportOf(1),
    },
  )

test('a source settles with what its body returns, once iterated to the end', async (t) => {
  const source = twoBatches('ok')
  const seen: Finding[] = []
  for await (const batch of source) seen.push(...batch)
  t.is(seen.length, 2)
  t.deepEqual(await source.result, Either.right(reportOf(2)))
})

test('a body that throws ends the iteration and settles with the source error made of it', async (t) => {
  const source = twoBatches('throws')
  let batches = 0
  for await (const _ of source) batches++
  t.is(batches, 2)
  t.deepEqual(await source.result, Either.left({ _tag: 'Thrown', message: 'connection reset' }))
})

test('a source left early settles with the report of what was read', async (t) => {
  const source = twoBatches('ok')
  for await (const _ of source) break
  t.deepEqual(await source.result, Either.right(reportOf(1)))
})

test('folding a source whose result is a failure gives the failure and no value', async (t) => {
  t.deepEqual(await foldSource(twoBatches('fails'), 0, (n) => n + 1)(), Either.left(cutShort))
  t.deepEqual(
    await foldSource(twoBatches('ok'), 0, (n) => n + 1)(),
    Either.right({ value: 2, report: reportOf(2) }),
  )
})

testProp(
  'a plain iterable of findings or batches folds into every finding, each read and counted once',
  [fc.array(fc.array(findingArb(), { maxLength: 5 }), { maxLength: 8 }), fc.boolean()],
  async (t, batches, flat) => {
    async function* items(): AsyncGenerator<Finding | ReadonlyArray<Finding>> {
      for (const b of batches)
        if (flat) yield* b
        else yield b
    }
    const all = batches.flat()
    const got = await collectSource(fromAsyncIterable(items()))()
    t.deepEqual(got, Either.right({ value: all, report: reportOf(all.length) }))
  },
)

test('a plain iterable that throws is ServiceUnavailableException naming how far it got', async (t) => {
  async function* failing() {
    yield finding('111111111111')
    throw new Error('connection reset')
  }
  const got = await collectSource(fromAsyncIterable(failing()))()
  t.true(Either.isLeft(got))
  if (Either.isLeft(got)) {
    t.is(got.left.name, 'ServiceUnavailableException')
    t.regex(got.left.message, /after 1 findings: connection reset/)
  }
})

test('mapping a source changes its items and keeps its result', async (t) => {
  const sizes: number[] = []
  const mapped: FindingSource<Failure, number> = mapSource((b: ReadonlyArray<Finding>) => b.length)(
    twoBatches('fails'),
  )
  for await (const n of mapped) sizes.push(n)
  t.deepEqual(sizes, [1, 1])
  t.deepEqual(await mapped.result, Either.left(cutShort))
})
