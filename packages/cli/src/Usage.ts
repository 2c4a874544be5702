/**
 * Top-level help and the usage-error exit.
 *
 * @module
 */
import { exitCodes, type Io } from './Io.js'

/**
 * Help text of `scantally`.
 *
 * @category model
 */
export const mainHelp = `Usage: scantally <command> [options]

Commands:
  aggregate [options] <file|dir|->...   aggregate scan-finding exports like ListImageScanFindingAggregations
  serve [options] <file|dir>...         serve the findings over the AWS API so the AWS SDK can call it
  pipeline-map [--region R]             print the image build -> pipeline map listed from Image Builder

Run 'scantally <command> --help' for a command's options and examples, and
'scantally --version' for the version.

Examples:
  scantally aggregate examples/imagebuilder-findings.json
  scantally aggregate --output csv --group-by vulnerabilityId --sort-by CRITICAL --sort-order DESC exports/
  scantally serve --port 4575 --credentials creds.json exports/
`

/**
 * Prints a usage error, in one line naming the option and what it accepts, and returns the
 * usage exit code (2).
 *
 * @category utils
 */
export const usageError = (io: Io, command: string, message: string): number => {
  io.stderr(`scantally ${command}: ${message} (see scantally ${command} --help)\n`)
  return exitCodes.usage
}

/**
 * Prints a named error (of the request, the input or a source) and returns the exit code 1.
 *
 * @category utils
 */
export const failed = (io: Io, e: { readonly _tag: string; readonly message: string }): number => {
  io.stderr(`${e._tag}: ${e.message}\n`)
  return exitCodes.failed
}
