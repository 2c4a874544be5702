import { holdYoungGeneration, raiseMallocThresholdsWhenInflating } from '@scantally/source-json'
import { isSignalExit } from './Interrupt.js'
import { processIo } from './Io.js'
import { main } from './main.js'

// A reader that went away (`scantally aggregate … | head`) ends the output, not in a crash.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e
    process.exit(process.exitCode ?? 0)
  })

// The AWS SDK warns on Node 20 that its releases after January 2027 will need Node 22: eight
// lines on stderr before any answer or error of an AWS input, about SDK versions this build does
// not use (it pins its own). Silenced unless the user set the variable either way.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

// A command's peak memory is its read's (see source-json's `YoungGeneration`); `serve`, whose
// answers' garbage is short-lived, lets it grow as it starts. Held here, once the command's modules
// are loaded, which grow the young generation to 4 or 8 MB: held from the process's start instead
// (at 2 MB), grouping by image build took 3 to 8% longer, for the same peak.
holdYoungGeneration()
// Buffers of a MiB freed and made again (zlib's, inflating a gzipped export) are served from the
// heap, not mapped and faulted in afresh (see source-json's `MallocThresholds`).
raiseMallocThresholdsWhenInflating()

const code = await main(process.argv.slice(2), processIo())
// A run stopped by a signal ends here and now: its reader threads are terminated with it.
if (isSignalExit(code)) process.exit(code)
process.exitCode = code
