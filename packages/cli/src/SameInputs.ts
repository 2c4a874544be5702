/**
 * Inputs given more than once: the same file twice (by any path), a file and its gzip copy, or
 * a file and a folder it is in. Inspector findings are counted once whatever reads them (by
 * `findingArn`), but Image Builder scan findings have no identity to de-duplicate by, so such
 * a run counts them twice: the answer stays as AWS's rules give it, and a warning says why.
 *
 * @module
 */
import { realpathSync } from 'node:fs'
import { sep } from 'node:path'

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

// The real path of an input, or undefined when it cannot be resolved (the read reports that).
const real = (path: string): string | undefined => {
  try {
    return realpathSync(path)
  } catch {
    return undefined
  }
}

/**
 * One warning line per input that repeats an earlier one (file inputs only; `-`, `inspector:`
 * and `s3://` are not compared).
 *
 * @category utils
 */
export const sameInputWarnings = (inputs: ReadonlyArray<string>): ReadonlyArray<string> => {
  const seen: Array<{ readonly arg: string; readonly path: string }> = []
  const out: Array<string> = []
  for (const arg of inputs) {
    const path = real(arg)
    if (path === undefined) continue
    const earlier =
      seen.find((s) => s.path === path) ??
      seen.find((s) => s.path === `${path}.gz` || `${s.path}.gz` === path) ??
      seen.find((s) => path.startsWith(`${s.path}${sep}`) || s.path.startsWith(`${path}${sep}`))
    if (earlier !== undefined) out.push(warning(arg, earlier.arg, earlier.path, path))
    seen.push({ arg, path })
  }
  return out
}

const warning = (arg: string, earlierArg: string, earlier: string, path: string): string => {
  const what =
    earlier === path
      ? `is the same file as ${earlierArg}`
      : earlier === `${path}.gz` || path === `${earlier}.gz`
        ? `and ${earlierArg} look like one export with and without gzip`
        : path.startsWith(`${earlier}${sep}`)
          ? `is inside ${earlierArg}, given too`
          : `holds ${earlierArg}, given too`
  return `warning: ${arg} ${what}: Image Builder findings in both (they have no findingArn to de-duplicate by) count twice; Inspector findings count once`
}
