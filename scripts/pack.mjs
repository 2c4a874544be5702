// Writes an installable tarball of every published package of the workspace to packs/ (or the
// folder given), from their builds. pnpm pack, not npm pack: it rewrites the `workspace:*`
// versions to the packages' own, which npm cannot resolve. `npm install packs/*.tgz` in an empty
// folder then gives the `scantally` command and the libraries.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const out = resolve(process.argv[2] ?? join(root, 'packs'))
const pnpm = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'pnpm.cmd' : 'pnpm')

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
for (const name of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', name)
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  if (manifest.private === true) continue
  if (!existsSync(join(dir, 'dist')))
    throw new Error(`${manifest.name} is not built: run npm run build first`)
  execFileSync(pnpm, ['pack', '--pack-destination', out], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
}
process.stdout.write(
  `${readdirSync(out)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => join(out, f))
    .join('\n')}\n`,
)
