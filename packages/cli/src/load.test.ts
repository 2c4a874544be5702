import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildIndex, generateTokenKey, listImageScanFindingAggregations, makeEngine } from '@scantally/core'
import { collectFindings } from '@scantally/source-json'
import test from 'ava'
import * as E from 'fp-ts/lib/Either.js'
import { callersOf, generateFindings, runLoad, startServe, type Walked, worldOf } from './test/Load.js'

// The soak in small: a few seconds of the mixed, signed load on scantally serve, concurrently.
// No timing is asserted; every answer is checked: no 5xx, each error the one the scenario
// expects, and each walk through the pages equal to what the library answers in one page.

test('a few seconds of mixed concurrent load: no 5xx, every answer right', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'scantally-load-test-'))
  try {
    const seed = 7
    const file = await generateFindings(dir, seed, 20_000)
    const world = worldOf(seed)
    const callers = callersOf(world)
    const credentials = join(dir, 'credentials.json')
    await writeFile(credentials, JSON.stringify(callers), { mode: 0o600 })

    const read = await collectFindings([file])()
    if (E.isLeft(read)) return t.fail(read.left.message)
    const index = buildIndex(read.right.value)
    if (E.isLeft(index)) return t.fail(index.left.message)
    const reference = makeEngine(index.right, { keys: [generateTokenKey()], pageSize: 1000 })
    let walks = 0
    const walked: Walked = (caller, filter, responses) => {
      walks++
      const expected = listImageScanFindingAggregations(reference, {
        id: caller.accessKeyId,
        accounts: caller.accountIds,
      })(filter === undefined ? {} : { filter })
      if (E.isLeft(expected)) return `the library refused the walk: ${expected.left.message}`
      return JSON.stringify(expected.right.responses) === JSON.stringify(responses)
        ? undefined
        : `walk of ${JSON.stringify(filter)} differs from the library's answer`
    }

    const served = await startServe(['--port', '0', '--credentials', credentials, '--page-size', '4', file])
    try {
      const figures = await runLoad({
        port: served.port,
        world,
        callers,
        seed,
        concurrency: 16,
        seconds: 3,
        maxRequests: 20_000,
        walked,
      })
      t.deepEqual(figures.wrongSamples, [])
      t.is(figures.wrong, 0)
      t.is(figures.serverErrors, 0)
      t.true(figures.requests > 0)
      t.true(walks > 0)
      t.true((figures.statuses['400 InvalidPaginationTokenException'] ?? 0) > 0)
      t.true((figures.statuses['200'] ?? 0) > 0)
    } finally {
      t.is(await served.stop(), 0)
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
