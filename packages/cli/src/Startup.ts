/**
 * What the `scantally` process sets before the command's code is loaded. The launcher
 * (`bin/scantally.js`) imports it, bundled on its own, before the command: loading the command's
 * modules already makes objects that survive, and the young generation would have grown fourfold
 * before the read starts.
 *
 * @module
 */
import { holdYoungGeneration } from '@scantally/source-json/young-generation'

// A command's peak memory is its read's (see source-json's `YoungGeneration`); `serve`, whose
// answers' garbage is short-lived, lets it grow as it starts.
holdYoungGeneration()
