/**
 * The version of the installed `scantally` package, for `scantally --version`.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The `version` of the nearest `package.json` named `scantally` above this module: found by
 * walking up, since the module runs from `dist/` and, bundled, from `dist/bundle/`.
 *
 * @category utils
 */
export const packageVersion = (): string => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; ) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name?: string
        version?: string
      }
      if (name === 'scantally' && typeof version === 'string') return version
    }
    const up = dirname(dir)
    if (up === dir) return 'unknown'
    dir = up
  }
}
