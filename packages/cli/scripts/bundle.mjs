// Bundles the command and the reader threads' entry into dist/bundle: one file each loads in a
// fraction of the time of the hundred-odd modules they are built from, which every run of the
// command (and every reader thread) pays before it reads a byte. The walker's WebAssembly sits
// next to them, where both look for it.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const at = (path) => fileURLToPath(new URL(path, import.meta.url))
const sourceJson = at('../node_modules/@scantally/source-json/dist/')
const out = at('../dist/bundle/')

// Afresh: chunks are named by their hash, so those of earlier builds would stay beside the new
// ones (and go into a package packed from this checkout).
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
// fp-ts and io-ts as ES modules, so that only what is used is bundled, with no CommonJS wrapper
// to run and copy at start: the packages import their CommonJS builds by path (`fp-ts/lib/…`),
// which names the same modules in `es6/`.
const esModules = {
  name: 'es-modules',
  setup(b) {
    b.onResolve({ filter: /^(fp-ts|io-ts)\/lib\// }, (args) =>
      b.resolve(args.path.replace('/lib/', '/es6/'), { kind: args.kind, resolveDir: args.resolveDir }),
    )
  },
}
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  mainFields: ['module', 'main'],
  plugins: [esModules],
  logLevel: 'warning',
}
// The command, and the reading threads the launcher starts before loading it (see Prestart.ts),
// with what it imports only when needed (the AWS SDK and the sources over it, for
// s3:// and inspector: inputs and live pipelines) split into chunks of their own: most of the
// bundle's code, which a run of local exports then neither reads nor compiles. The chunks sit
// beside the entries: code in any of them finds the reader threads' entry and the walker's
// WebAssembly next to itself.
await build({
  ...common,
  entryPoints: { scantally: at('../dist/bin.js'), prestart: at('../dist/Prestart.js') },
  outdir: out,
  splitting: true,
  chunkNames: '[name]-[hash]',
})
// The reader threads' entry, whole: every thread loads one file.
await build({ ...common, entryPoints: { RangeWorker: `${sourceJson}RangeWorker.js` }, outdir: out })
copyFileSync(`${sourceJson}record.wasm`, `${out}record.wasm`)
