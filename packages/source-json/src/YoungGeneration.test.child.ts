// Run by YoungGeneration.test.ts in a process of its own (V8's flags are the process's): reads a
// file split between two threads, with the young generation held or not, waits for the reading
// threads to end, then keeps many strings and prints the young generation's size after the read
// and after the strings, as JSON.
import { getHeapSpaceStatistics } from 'node:v8'
import { collectFindings } from './ReadFindings.js'
import { holdYoungGeneration } from './YoungGeneration.js'

const [file, mode] = process.argv.slice(2) as [string, 'held' | 'free']
const young = (): number =>
  getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0

const ended: Array<Promise<void>> = []
process.on('worker', (w) => ended.push(new Promise((resolve) => w.once('exit', () => resolve()))))
if (mode === 'held') holdYoungGeneration()
const read = await collectFindings([file], { workers: 2, splitBytes: 0 })()
if (read._tag === 'Left') throw new Error(read.left.message)
await Promise.all(ended)
const afterRead = young()
// Strings that survive every collection of the young generation, as group keys do in a read.
const kept: Array<string> = []
for (let i = 0; i < 400_000; i++)
  kept.push(`arn:aws:imagebuilder:us-east-1:111122223333:image/r-${i}/1.0.${i % 7}/1`)
process.stdout.write(
  `${JSON.stringify({ findings: read.right.value.length, threads: ended.length, afterRead, afterKept: young(), kept: kept.length })}\n`,
)
