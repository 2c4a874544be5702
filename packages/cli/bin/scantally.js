#!/usr/bin/env node
// Committed launcher, so the command is linked at install time, before the build exists.
import '../dist/bin.js'
