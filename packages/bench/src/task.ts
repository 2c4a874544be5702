// Entry of a measured child process: `node dist/task.js TASK FILE` prints the task's result.
import { runTask, type TaskName, taskNames } from './Tasks.js'

const [task, path] = process.argv.slice(2)
if (!taskNames.includes(task as TaskName) || path === undefined) {
  process.stderr.write(`usage: node task.js ${taskNames.join('|')} FILE\n`)
  process.exit(2)
}
process.stdout.write(`${JSON.stringify(await runTask(task as TaskName, path))}\n`)
