/**
 * The size of V8's young generation while a process reads: a setting of the whole process,
 * made by its owner (the `scantally` command), never by the library on its own.
 *
 * A read keeps strings (group keys, dictionaries) that outlive the young generation's collections.
 * V8 answers a high survival rate by doubling the young generation's two semi-spaces, up to 16 MB
 * each, and the process keeps those 32 MB resident to its end: with 200,000 image builds that was a
 * tenth of the peak. At a growth factor of 1 it stays at the size it has, and what survives goes
 * to the old generation, where it would end up anyway. V8 reads the factor each time it would grow
 * the space, so it can be set while running.
 *
 * Starting a thread sets V8's flags back as they were at the process's start (in Node 20, on the
 * new thread, before its code runs), so the factor is set again once a reading thread runs, or
 * has ended without running (see `readingThread`).
 *
 * @module
 */
import { setFlagsFromString } from 'node:v8'

// V8's default.
const defaultGrowth = 2
let held = false

const apply = (): void => setFlagsFromString(`--semi-space-growth-factor=${held ? 1 : defaultGrowth}`)

/**
 * Keeps V8's young generation at the size it has from now on, in every thread of the process:
 * for a process whose peak memory is a long read's.
 *
 * @category configuration
 */
export const holdYoungGeneration = (): void => {
  held = true
  apply()
}

/**
 * Lets the young generation grow again: for a server, whose answers make short-lived garbage at a
 * high rate, which a larger young generation collects less often.
 *
 * @category configuration
 */
export const releaseYoungGeneration = (): void => {
  held = false
  apply()
}

/** Sets the factor again if it is held: a thread's start set V8's flags back (see `readingThread`). */
export const reapplyYoungGeneration = (): void => {
  if (held) apply()
}
