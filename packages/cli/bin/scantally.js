#!/usr/bin/env node
// Committed launcher, so the command is linked at install time, before the build exists. It runs
// the bundled command (see scripts/bundle.mjs).
import '../dist/bundle/scantally.js'
