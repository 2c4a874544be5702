/**
 * `scantally`: the command line. `main(argv, io)` runs it in-process.
 *
 * @packageDocumentation
 */

export * from './Aggregate.js'
export * from './FilterArgs.js'
export * from './Io.js'
export * from './main.js'
export * from './Render.js'
export * from './Serve.js'
