// Bundles the command and the reader threads' entry into dist/bundle: one file each loads in a
// fraction of the time of the hundred-odd modules they are built from, which every run of the
// command (and every reader thread) pays before it reads a byte. The walker's WebAssembly sits
// next to them, where both look for it.
import { copyFileSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const at = (path) => fileURLToPath(new URL(path, import.meta.url))
const sourceJson = at('../node_modules/@scantally/source-json/dist/')
const out = at('../dist/bundle/')

mkdirSync(out, { recursive: true })
await build({
  entryPoints: { scantally: at('../dist/bin.js'), RangeWorker: `${sourceJson}RangeWorker.js` },
  outdir: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // fp-ts and io-ts as ES modules, so that only what is used is bundled.
  mainFields: ['module', 'main'],
  logLevel: 'warning',
})
copyFileSync(`${sourceJson}record.wasm`, `${out}record.wasm`)
