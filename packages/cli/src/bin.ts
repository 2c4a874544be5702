import { processIo } from './Io.js'
import { main } from './main.js'

process.exitCode = await main(process.argv.slice(2), processIo())
