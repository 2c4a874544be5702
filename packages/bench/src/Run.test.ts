import test from 'ava'
import { run } from './Run.js'

// A stand-in server: prints its line after a pause, then runs until SIGINT, which it takes a
// while to act on, and exits cleanly (as `scantally serve` does on Ctrl-C).
const server = `
setTimeout(() => process.stdout.write('listening on here\\n'), 300)
process.on('SIGINT', () => setTimeout(() => process.exit(0), 700))
setInterval(() => {}, 1000)
`

test('a command run until a line is timed at that line, then stopped with SIGINT', async (t) => {
  const started = performance.now()
  const r = await run({ program: 'node', args: ['-e', server], until: 'listening on' })
  const whole = performance.now() - started
  t.is(r.stdout, 'listening on here\n')
  // Timed when the line came, not when the process ended 0.7 s later.
  t.true(r.ms >= 300 && r.ms < whole - 500, `${r.ms} ms of ${whole}`)
})

test('a command that ends before printing the line it is run until is a failure naming the line', async (t) => {
  const e = await t.throwsAsync(
    run({ program: 'node', args: ['-e', 'process.exit(0)'], until: 'listening on' }),
  )
  t.regex(e?.message ?? '', /before printing "listening on"/)
})
