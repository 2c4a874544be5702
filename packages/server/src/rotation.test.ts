import {
  InvalidPaginationTokenException,
  ListImageScanFindingAggregationsCommand,
  ListImageScanFindingsCommand,
} from '@aws-sdk/client-imagebuilder'
import { testKey } from '@scantally/core/testing'
import test from 'ava'
import { silentLogger } from './Logger.js'
import { startServer } from './Server.js'
import { client, credentials, dataset } from './test/harness.js'

const { index, store } = dataset(3000)
const keyA = testKey(10, 'keyA')
const keyB = testKey(11, 'keyB')
const alice = credentials[0] as (typeof credentials)[number]

test('rotating token keys while serving: old tokens work until their key is removed, new ones use the new key', async (t) => {
  const running = await startServer({
    index,
    engineOptions: { keys: [keyA], pageSize: 100 },
    store,
    credentials,
    port: 0,
    logger: silentLogger,
  })
  try {
    const sdk = client(running.url, alice)
    const first = await sdk.send(new ListImageScanFindingAggregationsCommand({}))
    const findings = await sdk.send(new ListImageScanFindingsCommand({ maxResults: 5 }))
    const oldToken = first.nextToken as string
    const oldFindingsToken = findings.nextToken as string
    t.regex(oldToken, /^v1\.keyA\./)
    t.regex(oldFindingsToken, /^v1\.keyA\./)
    const indexBefore = running.handler.engine.index

    running.handler.setTokenKeys([keyB, keyA])
    t.is(running.handler.engine.index, indexBefore, 'the index is not rebuilt')
    const second = await sdk.send(new ListImageScanFindingAggregationsCommand({ nextToken: oldToken }))
    t.is(second.responses?.[0]?.accountAggregation?.accountId, '100000000100')
    t.regex(second.nextToken ?? '', /^v1\.keyB\./)
    const moreFindings = await sdk.send(
      new ListImageScanFindingsCommand({ maxResults: 5, nextToken: oldFindingsToken }),
    )
    t.is(moreFindings.findings?.length, 5)
    t.regex(moreFindings.nextToken ?? '', /^v1\.keyB\./)

    running.handler.setTokenKeys([keyB])
    for (const command of [
      new ListImageScanFindingAggregationsCommand({ nextToken: oldToken }),
      new ListImageScanFindingsCommand({ maxResults: 5, nextToken: oldFindingsToken }),
    ]) {
      const e = await t.throwsAsync(sdk.send(command as ListImageScanFindingAggregationsCommand))
      t.true(e instanceof InvalidPaginationTokenException)
      t.regex(e?.message ?? '', /not configured/)
    }
    // A token signed by the key still configured keeps working.
    const third = await sdk.send(new ListImageScanFindingAggregationsCommand({ nextToken: second.nextToken }))
    t.is(third.responses?.[0]?.accountAggregation?.accountId, '100000000200')
  } finally {
    await running.close()
  }
})

test('a key list that cannot work is refused and changes nothing', async (t) => {
  const running = await startServer({
    index,
    engineOptions: { keys: [keyA] },
    port: 0,
    logger: silentLogger,
  })
  try {
    t.throws(() => running.handler.setTokenKeys([]), { instanceOf: RangeError, message: /at least one/ })
    t.throws(() => running.handler.setTokenKeys([keyB, testKey(12, 'keyB')]), {
      instanceOf: RangeError,
      message: /keyB is repeated/,
    })
    t.deepEqual(
      running.handler.engine.tokens.keys.map((k) => k.id),
      ['keyA'],
    )
    const first = await client(running.url).send(new ListImageScanFindingAggregationsCommand({}))
    t.regex(first.nextToken ?? '', /^v1\.keyA\./)
  } finally {
    await running.close()
  }
})

test('repeated key ids are refused when the handler is made', async (t) => {
  await t.throwsAsync(
    startServer({
      index,
      engineOptions: { keys: [keyA, testKey(13, 'keyA')] },
      port: 0,
      logger: silentLogger,
    }),
    { instanceOf: RangeError, message: /keyA is repeated/ },
  )
})
