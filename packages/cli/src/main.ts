/**
 * The `scantally` command line: dispatches to a command.
 *
 * @module
 */
import { aggregate } from './Aggregate.js'
import { exitCodes, type Io } from './Io.js'
import { pipelineMap } from './PipelineMapCommand.js'
import { serve } from './Serve.js'
import { mainHelp } from './Usage.js'
import { packageVersion } from './Version.js'

/**
 * Runs the command line; resolves with the exit code.
 *
 * @category commands
 */
export const main = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const [command, ...rest] = argv
  switch (command) {
    case 'aggregate':
      return aggregate(rest, io)
    case 'serve':
      return serve(rest, io)
    case 'pipeline-map':
      return pipelineMap(rest, io)
    case '--version':
    case '-v':
      io.stdout(`scantally ${packageVersion()}\n`)
      return exitCodes.ok
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      io.stdout(mainHelp)
      return command === undefined ? exitCodes.usage : exitCodes.ok
    default:
      io.stderr(`scantally: unknown command ${JSON.stringify(command)}\n${mainHelp}`)
      return exitCodes.usage
  }
}
