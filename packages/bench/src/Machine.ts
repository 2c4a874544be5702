/**
 * What machine a benchmark ran on, so its figures can be read in context.
 *
 * @module
 */
import { cpus, totalmem } from 'node:os'

/**
 * The machine: CPU model, cores, memory and Node version.
 *
 * @category model
 */
export interface Machine {
  readonly cpu: string
  readonly cores: number
  readonly memoryGiB: number
  readonly node: string
}

/**
 * Describes the machine this process runs on.
 *
 * @category constructors
 */
export const thisMachine = (): Machine => {
  const list = cpus()
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
  }
}

/**
 * The machine in one line.
 *
 * @category utils
 */
export const describeMachine = (m: Machine): string =>
  `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}`
