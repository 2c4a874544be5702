// Sums the ava summaries of every package's test run in a log and prints `N passed, N failed`.
// Exits non-zero when the log holds no summary at all, so a run that executed no test is visible.
import { readFileSync } from 'node:fs'

const log = readFileSync(process.argv[2] ?? 0, 'utf8')
const sum = (pattern) => [...log.matchAll(pattern)].reduce((total, m) => total + Number(m[1]), 0)
const passed = sum(/^\S*\s*(\d+) tests? passed$/gm)
const failed =
  sum(/^\S*\s*(\d+) tests? failed$/gm) +
  sum(/^\S*\s*(\d+) uncaught exceptions?$/gm) +
  sum(/^\S*\s*(\d+) unhandled rejections?$/gm)
process.stdout.write(`${passed} passed, ${failed} failed\n`)
process.exit(passed + failed === 0 || failed > 0 ? 1 : 0)
