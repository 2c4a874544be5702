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

// The commands, by name: each takes the arguments after its name.
const commands: Readonly<Record<string, (argv: ReadonlyArray<string>, io: Io) => Promise<number>>> = {
  aggregate,
  serve,
  'pipeline-map': pipelineMap,
}

/**
 * Runs the command line; resolves with the exit code.
 *
 * @category commands
 */
export const main = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const [command, ...rest] = argv
  const run = command === undefined ? undefined : commands[command]
  if (run !== undefined && Object.hasOwn(commands, command as string)) return run(rest, io)
  if (command === '--version' || command === '-v') {
    io.stdout(`scantally ${packageVersion()}\n`)
    return exitCodes.ok
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(mainHelp)
    return command === undefined ? exitCodes.usage : exitCodes.ok
  }
  io.stderr(`scantally: unknown command ${JSON.stringify(command)}\n${mainHelp}`)
  return exitCodes.usage
}
