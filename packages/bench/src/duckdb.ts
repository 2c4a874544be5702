// Entry of the DuckDB peer through `@duckdb/node-api`: `node dist/duckdb.js MODULE FILE
// [GROUPING]` prints the answer as a JSON row, `node dist/duckdb.js MODULE --version` DuckDB's
// version.
import { type BenchGrouping, duckdbSql } from './Peers.js'

interface Api {
  readonly DuckDBInstance: {
    create(path: string): Promise<{
      connect(): Promise<{
        runAndReadAll(sql: string): Promise<{ getRowObjects(): ReadonlyArray<Record<string, unknown>> }>
      }>
    }>
  }
}

const [module, file, grouping] = process.argv.slice(2)
if (module === undefined || file === undefined) {
  process.stderr.write('usage: node duckdb.js MODULE FILE|--version\n')
  process.exit(2)
}
const api = (await import(module)) as Api
const connection = await (await api.DuckDBInstance.create(':memory:')).connect()
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
