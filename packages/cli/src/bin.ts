import { isSignalExit } from './Interrupt.js'
import { processIo } from './Io.js'
import { main } from './main.js'

// A reader that went away (`scantally aggregate … | head`) ends the output, not in a crash.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e
    process.exit(process.exitCode ?? 0)
  })

const code = await main(process.argv.slice(2), processIo())
// A run stopped by a signal ends here and now: its reader threads are terminated with it.
if (isSignalExit(code)) process.exit(code)
process.exitCode = code
