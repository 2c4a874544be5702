/**
 * `scantally`: the command line. `main(argv, io)` runs it in-process.
 *
 * @packageDocumentation
 */
export * from './main.js'
export * from './Io.js'
export * from './Aggregate.js'
export * from './FilterArgs.js'
export * from './Render.js'
