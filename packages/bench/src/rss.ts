// Preloaded (`node --import`) into a measured Node child where /usr/bin/time is missing: reports
// the process's peak resident set size on stderr as it exits.
process.on('exit', () => {
  process.stderr.write(`\nscantally-bench maxrss kB: ${process.resourceUsage().maxRSS}\n`)
})
