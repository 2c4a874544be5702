// Entry of the DuckDB peer through `@duckdb/node-api`: `node dist/duckdb.js MODULE FILE
// [GROUPING [every]]` prints the answer as a JSON row (with `every`, every group, as DuckDB writes
// them to a file: it cannot open a socket, which a child's standard output may be, as one), `node
// dist/duckdb.js MODULE --version` DuckDB's version.
import { createReadStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { type BenchGrouping, duckdbGroupsFile, duckdbSql } from './Peers.js'

interface Api {
  readonly DuckDBInstance: {
    create(path: string): Promise<{
      connect(): Promise<{
        runAndReadAll(sql: string): Promise<{ getRowObjects(): ReadonlyArray<Record<string, unknown>> }>
      }>
    }>
  }
}

const [module, file, grouping, every] = process.argv.slice(2)
if (module === undefined || file === undefined) {
  process.stderr.write('usage: node duckdb.js MODULE FILE|--version\n')
  process.exit(2)
}
const api = (await import(module)) as Api
const connection = await (await api.DuckDBInstance.create(':memory:')).connect()
if (every === 'every') {
  const groups = duckdbGroupsFile()
  try {
    await connection.runAndReadAll(duckdbSql(file, grouping as BenchGrouping | undefined, groups))
    await pipeline(createReadStream(groups), process.stdout)
  } finally {
    await rm(groups, { force: true })
  }
} else {
  const rows = (
    await connection.runAndReadAll(
      file === '--version' ? 'SELECT version() AS v' : duckdbSql(file, grouping as BenchGrouping | undefined),
    )
  ).getRowObjects()
  const row = rows[0] ?? {}
  process.stdout.write(
    file === '--version'
      ? `${String(row.v)}\n`
      : `${JSON.stringify(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])))}\n`,
  )
}
