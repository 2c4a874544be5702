/**
 * Optional peers for the same job, used when installed and never required: DuckDB (its `duckdb`
 * command on the PATH, or the `@duckdb/node-api` package, found from this package or from the
 * folder `SCANTALLY_BENCH_PEERS`) and jq. Each answers the benchmark's query on NDJSON.
 *
 * @module
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { dataDir } from './Dataset.js'
import type { Command } from './Run.js'
import { type Digest, digestOf, type GroupCounts } from './Tally.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A peer that is installed: its name, its version, and the command answering the query on a file
 * (with `every`, writing every group of its answer, as the CLI does; see {@link duckdbSql}).
 *
 * @category model
 */
export interface Peer {
  readonly name: string
  readonly version: string
  readonly command: (ndjson: string, grouping?: BenchGrouping, every?: boolean) => Command
}

/**
 * What a query groups by: vulnerabilities (the benchmark's query) or image builds (the most
 * distinct values of a high-cardinality export).
 *
 * @category model
 */
export type BenchGrouping = 'vulnerabilityId' | 'imageBuildVersionArn'

/**
 * The query in DuckDB's SQL over NDJSON: only the columns it needs are declared, DuckDB's
 * fastest way to read JSON. Prints one row with the digest's fields; given `groupsTo`, writes
 * every group instead (its key and four counts, one JSON object a line, sorted by key) to that
 * file, as the CLI writes its answer. A finding's image build is the tag of its first linked
 * resource, as Image Builder takes it.
 *
 * @category model
 */
export const duckdbSql = (
  ndjson: string,
  grouping: BenchGrouping = 'vulnerabilityId',
  groupsTo?: string,
): string => {
  const quoted = (path: string) => `'${path.replace(/'/g, "''")}'`
  const key = grouping === 'vulnerabilityId' ? 'v' : 'linked[1].tags.Ec2ImageBuilderArn'
  const findings = `WITH f AS (SELECT DISTINCT ON (findingArn) status, severity, packageVulnerabilityDetails.vulnerabilityId AS v,
  list_filter(resources, x -> x.tags.Ec2ImageBuilderArn IS NOT NULL) AS linked
  FROM read_ndjson(${quoted(ndjson)}, columns = {findingArn: 'VARCHAR', status: 'VARCHAR', severity: 'VARCHAR',
  packageVulnerabilityDetails: 'STRUCT(vulnerabilityId VARCHAR)', resources: 'STRUCT(tags STRUCT(Ec2ImageBuilderArn VARCHAR))[]'}))`
  const groups = `SELECT ${key} AS k, count(*) a, count(*) FILTER (WHERE severity = 'CRITICAL') c, count(*) FILTER (WHERE severity = 'HIGH') h,
  count(*) FILTER (WHERE severity = 'MEDIUM') m FROM f WHERE status = 'ACTIVE' AND len(linked) > 0 AND ${key} IS NOT NULL GROUP BY k`
  return groupsTo !== undefined
    ? `COPY (${findings}
SELECT k AS "key", a AS "all", c AS critical, h AS high, m AS medium FROM (${groups}) ORDER BY k) TO ${quoted(groupsTo)} (FORMAT JSON)`
    : `${findings}
SELECT count(*) AS "groups", sum(a) AS "all", sum(c) AS critical, sum(h) AS high, sum(m) AS medium FROM (
  ${groups})`
}

/**
 * The query as a jq program over NDJSON (`jq -n`), printing the digest as JSON. It collects the
 * members it needs and de-duplicates with `unique_by` (the generated duplicates are identical): a
 * `reduce` into a growing object copies the object at each step in jq 1.6, which is quadratic.
 *
 * @category model
 */
export const jqProgram = `[inputs | [.findingArn, .status, .severity, .packageVulnerabilityDetails.vulnerabilityId,
  ([.resources[]? | .tags.Ec2ImageBuilderArn? | select(. != null)] | length > 0)]]
| unique_by(.[0]) | map(select(.[1] == "ACTIVE" and .[4] and .[3] != null)) | group_by(.[3])
| {groups: length, all: (map(length) | add), critical: ([.[][] | select(.[2] == "CRITICAL")] | length),
  high: ([.[][] | select(.[2] == "HIGH")] | length), medium: ([.[][] | select(.[2] == "MEDIUM")] | length)}`

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const versionOf = (program: string, args: ReadonlyArray<string>): string | undefined => {
  try {
    return execFileSync(program, [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return undefined
  }
}

/**
 * Where `@duckdb/node-api` resolves from, if anywhere: this package, or `SCANTALLY_BENCH_PEERS`
 * (default: a `peers` folder beside the generated exports).
 *
 * @category constructors
 */
export const duckdbModule = (): string | undefined => {
  const here = fileURLToPath(import.meta.url)
  const peers = process.env.SCANTALLY_BENCH_PEERS ?? join(dataDir(), 'peers')
  for (const base of [here, join(peers, 'node_modules', 'index.js')]) {
    try {
      return createRequire(base).resolve('@duckdb/node-api')
    } catch {
      // not installed there
    }
  }
  return undefined
}

/**
 * Where DuckDB run by this process writes every group before they are printed (see
 * {@link duckdbSql}'s `groupsTo`).
 *
 * @category utils
 */
export const duckdbGroupsFile = (): string =>
  join(tmpdir(), `scantally-bench-duckdb-groups-${process.pid}.ndjson`)

/**
 * The peers installed on this machine.
 *
 * @category constructors
 */
export const installedPeers = (): ReadonlyArray<Peer> => {
  const out: Peer[] = []
  const cli = versionOf('duckdb', ['--version'])
  if (cli !== undefined)
    out.push({
      name: 'DuckDB (CLI, read_ndjson)',
      version: cli,
      // Every group goes to a file of its own, then to standard output (DuckDB cannot open a
      // socket, which a child's standard output may be, as a file).
      command: (file, grouping, every) =>
        every === true
          ? {
              program: 'sh',
              args: [
                '-c',
                'duckdb -c "$1" && cat "$2" && rm -f "$2"',
                'sh',
                duckdbSql(file, grouping, duckdbGroupsFile()),
                duckdbGroupsFile(),
              ],
            }
          : { program: 'duckdb', args: ['-json', '-c', duckdbSql(file, grouping)] },
    })
  else {
    const module = duckdbModule()
    const script = fileURLToPath(new URL('./duckdb.js', import.meta.url))
    if (module !== undefined && existsSync(script)) {
      const version = versionOf(process.execPath, [script, module, '--version'])
      if (version !== undefined)
        out.push({
          name: 'DuckDB (node-api, read_ndjson)',
          version,
          command: (file, grouping = 'vulnerabilityId', every = false) => ({
            program: 'node',
            args: [script, module, file, grouping, ...(every ? ['every'] : [])],
          }),
        })
    }
  }
  const jq = versionOf('jq', ['--version'])
  if (jq !== undefined)
    out.push({
      name: 'jq',
      version: jq,
      command: (file) => ({ program: 'jq', args: ['-n', '-c', jqProgram, file] }),
    })
  return out
}

/**
 * Reads a peer's printed answer into the digest's fields (DuckDB prints a one-row JSON array).
 *
 * @category utils
 */
export const peerDigest = (stdout: string): Record<string, number> => {
  const parsed = JSON.parse(stdout.trim()) as unknown
  const row = (Array.isArray(parsed) ? parsed[0] : parsed) as Record<string, unknown>
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]))
}

/**
 * Reads the groups a peer wrote one JSON object a line (`duckdbSql` with `groupsTo`) into the
 * digest; lines that are not a group (the DuckDB command's count of rows copied) are passed over.
 *
 * @category utils
 */
export const groupLinesDigest = (stdout: string): Digest =>
  digestOf(
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{"key":'))
      .map((line) => JSON.parse(line) as GroupCounts),
  )
