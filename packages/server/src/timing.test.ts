import { createRequire, syncBuiltinESMExports } from 'node:module'
import { ListImageScanFindingAggregationsCommand } from '@aws-sdk/client-imagebuilder'
import test from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import { parseAmzDate, type SignedRequest, verify } from './SigV4.js'
import { credentials, signedBySdk } from './test/harness.js'

// Signatures must be compared by crypto.timingSafeEqual and by nothing else: wherever the hex
// differs, and whichever secret was wrong, verification takes the same path. The spy wraps
// Node's own function (the ES module bindings of built-ins follow their CommonJS exports once
// synced) and records each call.
const crypto = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')
const original = crypto.timingSafeEqual
const calls: Array<readonly [number, number]> = []
let verdict: boolean | undefined
crypto.timingSafeEqual = (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
  calls.push([a.byteLength, b.byteLength])
  return verdict ?? original(a, b)
}
syncBuiltinESMExports()
test.after.always(() => {
  crypto.timingSafeEqual = original
  syncBuiltinESMExports()
})

const secretOf = (id: string) => credentials.find((c) => c.accessKeyId === id)?.secretAccessKey
const checking = (r: SignedRequest) => {
  calls.length = 0
  const now = parseAmzDate(r.headers.get('x-amz-date') ?? '') as number
  const v = verify({ service: 'imagebuilder', now, secretOf })(r)
  return { result: Either.isLeft(v) ? v.left.message : v.right, calls: [...calls] }
}
const withSignature = (r: SignedRequest, change: (hex: string) => string): SignedRequest => ({
  ...r,
  headers: new Map(
    [...r.headers].map(([k, v]) => [
      k,
      k === 'authorization'
        ? v.replace(/Signature=([0-9a-f]{64})/, (_, s: string) => `Signature=${change(s)}`)
        : v,
    ]),
  ),
})
const flip = (at: number) => (hex: string) =>
  `${hex.slice(0, at)}${((Number.parseInt(hex[at] as string, 16) + 1) % 16).toString(16)}${hex.slice(at + 1)}`
const mismatch =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'

const sample = () => signedBySdk('http://127.0.0.1:4575', new ListImageScanFindingAggregationsCommand({}))

test.serial(
  'a signature differing in its first, a middle or its last digit, or a wrong secret, is compared once, in constant time, alike',
  async (t) => {
    const r = await sample()
    t.deepEqual(checking(r), { result: 'AKIDALICE', calls: [[32, 32]] })
    for (const change of [flip(0), flip(31), flip(63), () => '0'.repeat(64)])
      t.deepEqual(checking(withSignature(r, change)), { result: mismatch, calls: [[32, 32]] })
    const wrongSecret = await signedBySdk(
      'http://127.0.0.1:4575',
      new ListImageScanFindingAggregationsCommand({}),
      { accessKeyId: 'AKIDALICE', secretAccessKey: 'bob-secret' },
    )
    t.deepEqual(checking(wrongSecret), { result: mismatch, calls: [[32, 32]] })
  },
)

test.serial('a signature that is not 64 lower-case hex digits never reaches a comparison', async (t) => {
  const r = await sample()
  for (const change of [(s: string) => s.slice(1), (s: string) => `${s}0`, (s: string) => s.toUpperCase()]) {
    const o = checking(withSignature(r, change))
    t.is(o.calls.length, 0)
    t.regex(o.result, /malformed/)
  }
})

test.serial('timingSafeEqual is the only gate: if it said yes, a forged signature would pass', async (t) => {
  const r = await sample()
  verdict = true
  try {
    t.is(checking(withSignature(r, flip(10))).result, 'AKIDALICE')
  } finally {
    verdict = undefined
  }
})
