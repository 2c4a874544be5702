#!/usr/bin/env node
// Committed launcher, so the command is linked at install time, before the build exists. It starts
// the reading threads a large read will take, then loads and runs the bundled command (see
// scripts/bundle.mjs and src/Prestart.ts): imported only now, the command's modules load while
// the threads load theirs.
import { prestart } from '../dist/bundle/prestart.js'

prestart(process.argv.slice(2))
await import('../dist/bundle/scantally.js')
