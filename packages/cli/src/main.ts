/**
 * The `scantally` command line: dispatches to a command.
 *
 * @module
 */
import { exitCodes, type Io } from './Io.js'
import { mainHelp } from './Usage.js'
import { packageVersion } from './Version.js'

type Command = (argv: ReadonlyArray<string>, io: Io) => Promise<number>

// The commands, by name: each takes the arguments after its name. Each is loaded when it runs, so
// that a run loads (and the bundle's chunks compile) only its own command: `aggregate` no HTTP
// server, `serve` no output renderers.
const commands: Readonly<Record<string, () => Promise<Command>>> = {
  aggregate: async () => (await import('./Aggregate.js')).aggregate,
  serve: async () => (await import('./Serve.js')).serve,
  'pipeline-map': async () => (await import('./PipelineMapCommand.js')).pipelineMap,
}

/**
 * Runs the command line; resolves with the exit code.
 *
 * @category commands
 */
export const main = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const [command, ...rest] = argv
  const load = command === undefined ? undefined : commands[command]
  if (load !== undefined && Object.hasOwn(commands, command as string)) return (await load())(rest, io)
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
