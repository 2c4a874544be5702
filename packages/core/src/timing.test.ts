import { createRequire, syncBuiltinESMExports } from 'node:module'
import test from 'ava'
import * as Either from 'fp-ts/lib/Either.js'
import { signToken, type TokenConfig, verifyToken } from './Token.js'
import { testKey } from './testing.js'

// The token MAC must be compared by crypto.timingSafeEqual and by nothing else: whichever byte
// differs, verification takes the same path. The spy wraps Node's own function (the ES module
// bindings of built-ins follow their CommonJS exports once synced), and records each call.
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

const config: TokenConfig = { keys: [testKey(5, 'k5')], ttlSeconds: 3600, now: () => 1_700_000_000_000 }
const token = signToken(config, 'fingerprint', ['100000000001'])
const [version, keyId, payload, signature] = token.split('.') as [string, string, string, string]
const withSignature = (bytes: Buffer) => [version, keyId, payload, bytes.toString('base64url')].join('.')
const mac = Buffer.from(signature, 'base64url')
const flipped = (at: number) => {
  const copy = Buffer.from(mac)
  copy[at] = (copy[at] as number) ^ 0x01
  return withSignature(copy)
}
const verifying = (t: string) => {
  calls.length = 0
  const r = verifyToken(config, t, 'fingerprint')
  return { result: Either.isLeft(r) ? r.left.message : 'verified', calls: [...calls] }
}

test.serial(
  'a MAC differing in its first, a middle or its last byte, or in all, is compared once, in constant time, alike',
  (t) => {
    t.deepEqual(verifying(token), { result: 'verified', calls: [[32, 32]] })
    const outcomes = [0, 15, 31]
      .map(flipped)
      .concat(withSignature(Buffer.alloc(32, 0xaa)))
      .map(verifying)
    for (const o of outcomes)
      t.deepEqual(o, {
        result: 'nextToken signature does not verify: the token was altered',
        calls: [[32, 32]],
      })
  },
)

test.serial(
  'a MAC of another length is refused by its length alone (which is public), with the same message',
  (t) => {
    for (const length of [1, 31, 33, 64]) {
      const o = verifying(withSignature(Buffer.alloc(length, 7)))
      t.deepEqual(o, { result: 'nextToken signature does not verify: the token was altered', calls: [] })
    }
  },
)

test.serial('timingSafeEqual is the only gate: if it said yes, a forged MAC would pass', (t) => {
  verdict = true
  try {
    t.is(verifying(flipped(3)).result, 'verified')
  } finally {
    verdict = undefined
  }
})
