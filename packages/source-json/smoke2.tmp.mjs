import { readdirSync, readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'

const sj = await import('/work/main/packages/source-json/dist/index.js')
const core = await import('/work/main/packages/core/dist/internal.js')
const dir = process.argv[2]
const names = readdirSync(dir).sort()
const bufs = names.map((n) => readFileSync(`${dir}/${n}`))
const mem = (buf, i) => ({
  name: `mem-${i}`,
  again: process.env.AGAIN === '1',
  open: async function* () {
    for (let o = 0; o < buf.length; o += 65536) {
      await null
      yield buf.subarray(o, o + 65536)
    }
  },
})
const mode = process.argv[3]
const workers = +process.argv[4]
const list =
  mode === 'mem' ? async () => E.right(bufs.map(mem)) : () => sj.listInputs([dir], process.stdin, 1 << 20)
const t0 = performance.now()
const r = await core.foldSource(
  sj.readInputBatches(list, 'x', { workers, findingArns: false }),
  0,
  (n) => n + 1,
)()
console.log(
  mode,
  workers,
  (performance.now() - t0).toFixed(0),
  'ms',
  E.isRight(r) ? r.right.value : r.left.message,
  E.isRight(r) ? r.right.report.read : '',
)
