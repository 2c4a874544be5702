// Installs the workspace with the pinned pnpm when it is not installed yet, so that
// `npm start` and `npm test` work on a fresh clone with nothing but Node and npm.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'

const root = new URL('..', import.meta.url)
const pinned = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).packageManager
if (!existsSync(new URL('node_modules/.modules.yaml', root))) {
  process.stderr.write(`installing dependencies with ${pinned}\n`)
  execFileSync('npx', ['-y', pinned, 'install', '--frozen-lockfile'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  })
}
