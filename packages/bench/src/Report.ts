/**
 * The benchmark's results as markdown: one table row per input and contender, with ratios to
 * the baselines measured in the same run, then the paging figures and the targets.
 *
 * @module
 */
import { describeMachine, type Machine } from './Machine.js'
import { duckdbSql } from './Peers.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The medians of one contender on one input, and whether its answer agreed with the library's.
 *
 * @category model
 */
export interface Row {
  readonly input: string
  readonly bytes: number
  readonly findings: number
  readonly contender: string
  readonly kind: 'scantally' | 'baseline' | 'peer'
  readonly runs: number
  readonly ms: number
  readonly rss: number | undefined
  /** Whether its answer agreed with the others' (`undefined`: it gives none, as a floor that only reads). */
  readonly agrees: boolean | undefined
}

/**
 * The paging figures: medians over a few runs on one input.
 *
 * @category model
 */
export interface PagingResult {
  readonly input: string
  readonly rows: number
  readonly groups: number
  readonly unpagedMs: number
  readonly pagedMs: number
}

/**
 * What `scantally serve` holds for one input: live bytes of the index and of the store.
 *
 * @category model
 */
export interface MemoryResult {
  readonly input: string
  readonly findings: number
  readonly rows: number
  readonly indexBytes: number
  readonly storeBytes: number
}

/**
 * Everything a report shows.
 *
 * @category model
 */
export interface Results {
  readonly command: string
  readonly machine: Machine
  readonly date: string
  readonly rows: ReadonlyArray<Row>
  readonly paging: PagingResult | undefined
  readonly memory?: MemoryResult | undefined
  readonly notes: ReadonlyArray<string>
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const mb = (bytes: number): number => bytes / 1e6

/**
 * Throughput in MB/s of a row.
 *
 * @category utils
 */
export const throughput = (r: Row): number => mb(r.bytes) / (r.ms / 1000)

const howToRun = [
  '## Running it',
  '',
  '```sh',
  'npm run bench                                 # 100k and 1M findings (three worlds at 1M), 3 runs each',
  'npx pnpm@12.4.2 --filter @scantally/bench bench -- --quick  # 100k findings only, for fast iteration',
  '```',
  '',
  'Options after `--`: `--quick`, `--runs N`, `--seed N`, `--out FILE`, `--no-peers`. The generated exports',
  '(about 2.5 KB a finding: a 1M-finding file is about 2.5 GB) go to `SCANTALLY_BENCH_DIR`, by default a',
  '`scantally-bench` folder of the system temporary directory, and are reused by later runs with the same',
  'seed, world and size. Peak RSS comes from `/usr/bin/time -v` when present, else from the Node process itself.',
  '',
  'Peers are optional and never needed by the tests. DuckDB is used when a `duckdb` command is on the PATH,',
  'or when `@duckdb/node-api` (which ships its native library in the npm package) resolves from',
  '`packages/bench` or from `SCANTALLY_BENCH_PEERS` (default: `peers` in the exports folder):',
  '',
  '```sh',
  'peers="$(node -p \'require("os").tmpdir()\')/scantally-bench/peers"   # or SCANTALLY_BENCH_PEERS',
  'npm install --prefix "$peers" @duckdb/node-api',
  'apt-get install jq                            # jq, when missing',
  '```',
  '',
  'DuckDB reads NDJSON with `read_ndjson` and only the columns the query needs declared (its fastest way),',
  'de-duplicates with `DISTINCT ON (findingArn)` and groups with `GROUP BY`; jq collects the members it needs',
  'and de-duplicates with `unique_by`. The DuckDB query, as run on an export (grouped by image build, its',
  'key is `linked[1].tags.Ec2ImageBuilderArn` instead of `v`):',
  '',
  '```sql',
  ...duckdbSql('export.ndjson').split('\n'),
  '```',
  '',
  'Grouped by image build and writing every group, as the CLI does:',
  '',
  '```sql',
  ...duckdbSql('export.ndjson', 'imageBuildVersionArn', 'groups.ndjson').split('\n'),
  '```',
]

const TEN_MILLION = [
  'On 2026-11-29, on the machine above, with two reading threads (the default) and the compiled record',
  'walker: 25,475 MB (23.7 GiB), far more than the page cache this machine keeps (about 4 GB), so mostly',
  'read from disk, in 19.9 s wall (1,283 MB/s, 504,000 findings/s), with a peak RSS of 598 MB. Every one',
  'of the 5,000 groups had exactly ten times its count at one million. The memory that grows with the',
  'number of findings is the de-duplication set (16 bytes a slot, a table of 2²⁴ slots at ten million,',
  'half that again while it grows) and the fingerprints and keys of the pieces read ahead of the chain,',
  'waiting to be de-duplicated in file order (36 bytes a finding): the first pieces are a quarter of the',
  'file and less.',
  '',
  'The same at high cardinality, on 2026-12-02: `inspector-high-42-1000000.ndjson` (200 accounts, 200,000',
  'image builds, every `findingArn` distinct) written ten times the same way, 24,646 MB. Grouped by',
  '`accountId`: 17.5 s wall, peak RSS 454 MB; by `vulnerabilityId`: 18.9 s, 456 MB; by',
  '`imageBuildVersionArn`: 35.9 s, 555 MB (mostly read from disk, so the wall time follows the disk).',
  'Every count of every group (200, 5,000 and 195,836 groups, 1,809,324 counts) was exactly ten times its',
  'count at one million, compared by a script. The target of at most 600 MB is met in all three. The',
  'de-duplication set is now sixteen tables, each growing on its own: growing the set as one table held',
  'its old tables beside the new one (a million-entry table grown to ten million alone peaked at 510 MB,',
  'against 340 MB in sixteen), and the same runs before that change peaked at 562, 559 and 671 MB.',
  '',
  'Again after the count table and the radix key sort (2026-12-02, same file, mostly read from disk):',
  'by `imageBuildVersionArn`, 43.9 s and 569 MB; by `vulnerabilityId`, 28.9 s and 488 MB. Every count',
  '(195,836 groups and 1,762,524 counts; 5,000 groups and 45,000 counts) was ten times its count at one',
  'million, compared by a script.',
  '',
  "Again with the walkers' tables without key bytes and the young generation held (later on 2026-12-02, the",
  'same file written afresh, the final build of the day): by `imageBuildVersionArn`, 60.3 s and **489 MB**;',
  'by `vulnerabilityId`, 19.7 s and 452 MB; by `accountId`, 18.3 s and 454 MB (the first run read the file',
  "just written, mostly from disk; a build of the same day holding the young generation from the process's",
  'start: 31.7 s and 496 MB, 17.7 s and 447 MB, 14.0 s and 440 MB). Every count (195,836 groups and',
  '1,762,524 counts; 5,000 and 45,000; 200 and 1,800) was ten times its count at one million, compared by a',
  'script.',
  '',
  'Again after the changes of 2026-12-04 (see "Less work a finding": `StringIds` interning, the count',
  'table without a closure a finding, the walker reading numbers by vectors and fingerprinting counted',
  'findings only), the same file written afresh: by `imageBuildVersionArn`, 19.9 s and **466 MB**; by',
  '`vulnerabilityId`, 17.5 s and 467 MB; by `accountId`, 21.6 s and 457 MB (partly from disk, so the',
  'wall times follow it). Every count (195,836 groups and 1,762,524 counts; 5,000 and 45,000; 200 and',
  '1,800) was ten times its count at one million, compared by a script.',
].join('\n')

// Measured by hand: serve loading the high-cardinality world.
const highCardinalityServe = [
  '### Loading at high cardinality (by hand)',
  '',
  "`scantally serve` loading the bench's high-cardinality world (`shapes.high`: 1,000,000 Inspector",
  'findings, NDJSON, 2.4 GB, 200 accounts, 200,000 image builds, every `findingArn` distinct; 774,065',
  'counted findings in 770,235 distinct combinations), measured by hand with `/usr/bin/time` from start to',
  '"listening" on a shared two-core machine (CPU seconds compare; wall time depends on the other load).',
  '',
  '| | CPU s | peak RSS |',
  '| --- | ---: | ---: |',
  '| `scantally aggregate` | 3.3 to 3.6 | 130 MB |',
  '| `serve` before (a string key per finding, a Set of ARNs and string dictionaries in both index and store, one thread) | 20.8 to 23.6 | 764 to 822 MB |',
  '| index in typed columns under an integer hash, the store as index rows, no ARNs kept (one thread) | 16.1 | 274 MB |',
  "| the read split between threads, each record's byte range sent with its words | 10.2 to 12.2 | 328 to 372 MB |",
  '| the split read hands findings to the index as ids of its dictionaries (no finding object), the threads walk located records in runs | 9.3 (before: 13.3 to 13.8 in the same minutes, on a loaded machine) | 343 to 350 MB |',
  '',
  'What `serve` keeps once loaded, after a full garbage collection: 79.6 MB for those findings, that is',
  '**34 bytes per combination** (four 32-bit key ids, severity and fix codes, two 64-bit counts) plus the',
  'dictionary strings (each distinct account, image build, pipeline and vulnerability once, shared by index',
  'and store: here 196,000 image builds, 13 MB of text), and **20 bytes per finding** (its index row, 4',
  "bytes, and where its record lies, 16). The store holds no strings of its own: a finding's key members are",
  "its row's. While loading, the index's combinations are found by an open-addressing hash over their six",
  'integer codes (8 bytes a combination, dropped when frozen), and no ARN is kept by index or store: the',
  'inputs de-duplicate already (the export reader by fingerprint across every file, a live Inspector read by',
  'ARN, and findings across inputs of different kinds by ARN).',
  '',
  '',
  'The thread that chains the split read no longer makes a finding per counted record: each reader',
  "thread's batch gives a finding as five words (ids of its own dictionary), and the chaining thread",
  "turns them into ids of the index's dictionaries through a table per reader thread and column (a",
  "string is looked up in the index's map once per thread that sent it, not once per finding), then",
  "adds the row by its integer codes (`IndexBuilder.placeIds`) and notes the record's byte range by",
  'row, with no object or `WeakMap` entry per finding (`ReadOptions.into`, used by `serve` when its',
  "inputs are one read of exports). The reader threads read located records in runs, as `aggregate`'s",
  "do: the walker writes each counted record's start and end with its words.",
  '',
  'Measured on 2026-12-02 on a quiet machine (load average under 2), the previous build and this one',
  'alternated, two runs each, wall time from start to "listening":',
  '',
  '| | `aggregate` (grouped by account) | `serve` before | `serve` now |',
  '| --- | ---: | ---: | ---: |',
  '| NDJSON, 2.4 GB | 1.7 to 1.9 s wall, 2.9 to 3.2 CPU s, 125 to 146 MB | 6.0 to 6.8 s, 9.4 to 10.0 CPU s, 343 to 362 MB | 4.7 to 5.1 s, 6.7 to 7.2 CPU s, 317 to 319 MB |',
  "| NDJSON, 2.4 GB, later the same day (no shared string table in `serve`'s read, readers waiting later) | 1.7 to 2.2 s | | 4.2 to 4.8 s, 6.9 to 7.4 CPU s, 323 to 330 MB |",
  '| NDJSON, 2.4 GB, later again (the index made with room for the findings, the de-duplication set in sixteen tables; a busier machine, three runs each) | | 4.2 to 4.9 s, 6.7 to 7.6 CPU s, 325 to 330 MB | 3.8 to 4.8 s, 6.1 to 7.6 CPU s, 308 to 311 MB |',
  '',
  "`serve` listens at 2.2 to 2.7 times `aggregate`'s wall time (target 1.25×, not reached) within 350 MB",
  '(reached). Still per finding on the chaining thread: de-duplication by fingerprint, the table',
  "look-ups and the index's hash probe; per distinct string, a map look-up in each of the index's",
  "dictionaries (about 350,000 here). `serve` does about twice `aggregate`'s CPU work, since it interns",
  'every group key (`aggregate` keeps only the key it groups by) and keeps every combination. A gzipped',
  'export is another matter: its records cannot be read again from the file, so each is copied. Deflated',
  'in memory (`RecordDetails`, before), a million high-cardinality findings gzipped loaded in 23.7 s wall',
  "(32 CPU s) and 721 MB, zlib's fastest level deflating 2.4 GB of records taking longer than reading the",
  'export; written as they are to an unlinked temporary file (`RecordSpool`), taken straight from the',
  "stream's blocks, 8.6 to 13 s and 381 to 393 MB against 4.1 to 5.3 s for `aggregate` on the same file",
  "(by hand, 2026-12-02, alternated). Writing 2.4 GB to the page cache of this machine's virtual disk takes 3",
  "to 7 s of system time; the memory over the plain file's 309 to 315 MB is the stream's blocks in flight",
  'and the inflating thread.',
  '',
  'What `serve` does that `aggregate` grouped by account does not is intern every group key. Grouped by',
  'image build, the costliest key here, `aggregate` takes about as long as `serve`: alternated by hand on',
  '2026-12-02, `aggregate --group-by imageBuildVersionArn` took 4.0 to 5.7 s and `serve` 4.0 to 6.0 s (and',
  '`aggregate --group-by vulnerabilityId` 2.5 to 2.9 s). In a CPU profile of the load, the walker interning',
  'the keys in WebAssembly takes 1.4 to 1.6 of 8.6 CPU s (under 0.05 s in `aggregate` grouped by account),',
  "the index's dictionary look-ups on the chaining thread 0.5 s (337,224 of them, one per string per",
  'thread), its hash probe 0.4 to 0.6 s, and its growth 0.4 s (now made with room from the start). Tried',
  "and not kept, as no run showed a difference: slots of the walker's interning table holding each",
  "entry's hash, offset and length, then a table per kind of key; and the index's hash slots holding each",
  "row's hash beside it.",
  '',
  '### Later again: less work for the chaining thread (by hand)',
  '',
  "A CPU profile of `serve`'s load (the high world's NDJSON) showed the chaining thread the busier of",
  "the two: the index's hash probe 0.46 s, its dictionaries' look-ups 0.38 s, de-duplication 0.26 s,",
  'garbage collection 0.26 s and its own share of the walk, while the reader thread waited 0.9 s for it;',
  'in the walk, interning the keys took 1.1 of about 6 CPU s. Three changes:',
  '',
  "- A run of the walker interns a record's group keys only once it has decided to count the record (it",
  "  interned them as it walked, before deciding): a fifth of this world's records are not counted (not",
  '  active, or no image linkage), and each look-up of an image build is a few cache misses.',
  '- The de-duplication set makes the room a read reserves in one allocation per table: it doubled',
  '  step by step, rehashing at every step (0.13 s of the chaining thread at a million findings, and the',
  '  old and new tables side by side at the peak). A gzipped file reserves by its inflated size, read off',
  "  its gzip trailer (it reserved nothing: the set grew as it went, 0.15 s), and `serve`'s index and record",
  '  places are made with room by that size too (the index grew three times, 0.4 s).',
  "- The chaining thread's own first piece of a split read is half a piece (a quarter of the file",
  "  before, on two cores): while it reads it, it also counts what it reads, and the reader thread's",
  '  findings wait for it. Alone, alternated three runs each, `serve` listened after 2.85 to 3.05 s',
  '  against 3.03 to 3.23 s; `aggregate` took the same time either way.',
  '',
  'Together, the build before them and this one alternated by hand on 2026-12-02, three runs each on a',
  'two-core machine the runs themselves loaded (medians, ranges in brackets; same answers):',
  '',
  '| high world, 1M findings | before | after | peak RSS before | peak RSS after |',
  '| --- | ---: | ---: | ---: | ---: |',
  '| `aggregate`, NDJSON | 1.86 s (1.51 to 2.05) | 1.56 s (1.42 to 1.97) | 129 to 132 MB | 112 to 115 MB |',
  '| `aggregate --group-by imageBuildVersionArn` | 4.27 s (3.86 to 4.89) | 3.49 s (3.41 to 4.56) | 255 to 262 MB | 240 to 243 MB |',
  '| `aggregate`, the `.gz` | 4.63 s (3.85 to 4.94) | 3.92 s (3.84 to 5.50) | 162 to 164 MB | 145 to 154 MB |',
  '| `serve` until listening, NDJSON | 3.92 s (3.34 to 4.26) | 2.95 s (2.80 to 3.67) | 309 to 321 MB | 289 to 304 MB |',
  '| `serve` until listening, the `.gz` | 8.07 s (7.42 to 10.07) | 7.91 s (6.61 to 8.73) | 340 to 374 MB | 352 to 356 MB |',
  '',
  'In a run before the first piece was halved, on a quieter machine, `serve` took 2.89 to 3.19 s against',
  '3.29 to 3.69 s, in 5.1 to 5.5 CPU s against 5.7 to 6.4. The load is bound by the CPU: both threads',
  'are busy to the end, so only less work makes it sooner. `serve` is now measured by `npm run bench`',
  '("loaded by serve" above), beside `aggregate` in the same rounds.',
  '',
  'Tried and not kept:',
  '',
  "- `serve`'s copies of a gzipped export's records written to the temporary file on other threads, and",
  '  with `O_DIRECT` (no page cache): written through the page cache, 2.4 GB cost this machine about 4 s of',
  "  kernel time, written directly 0.5 s. Handed to libuv's threads, the writes came back only when the",
  "  loading thread's event loop turned, which it does between the reader's batches: with four 1 MiB",
  '  blocks, half the writes were made on the loading thread after all, blocking it for the disk; with 32',
  '  blocks none were. Handed to a thread of its own through shared memory, V8 copied each record into',
  '  the shared blocks at about a seventh of its speed into ordinary memory, 1 s more on the loading',
  '  thread. Either way system time fell from 2.7 to 4.4 s to 1.7 to 2.8 s, while `serve` listened after',
  "  6.1 to 7.9 s against 6.7 to 8.6 s, as near as this machine's noise allows, and writing past the",
  '  page cache makes the load wait for the disk where it is slow, which the cache hides now.',
  '- More findings a reader thread may leave for the chaining thread (1,048,576 or 4,194,304 instead of',
  '  262,144): `serve` 3 to 5% sooner, within the noise, for 10 to 30 MB more.',
  '',
  'Later (2026-12-03), gzipped files whose records are copied (`serve`) are read a file per thread as',
  '`aggregate` reads them, on reading threads only: the thread that reads a record copies it into the',
  'batch it is counted in, and the calling thread, which keeps every finding and record, reads no file',
  'itself (see docs/sources.md). Before, each file was cut into blocks on an inflating thread, one file',
  'after another, and the calling thread copied each record out of its block. The build before and this',
  'one alternated by hand, three rounds each, the same counts and the same 1.8 GiB of records kept:',
  '',
  '| `serve` until listening | before | after | peak RSS before | peak RSS after |',
  '| --- | ---: | ---: | ---: | ---: |',
  '| folder of 4 gzipped parts, low world | 5.9 to 6.4 s (7.2 CPU s user) | 5.0 to 5.5 s (6.0 to 6.5) | 224 to 251 MB | 221 to 231 MB |',
  '| folder of 4 gzipped parts, high world | 6.2 to 6.5 s (8.1 to 8.3) | 5.7 to 5.8 s (7.4 to 7.6) | 283 to 311 MB | 305 to 311 MB |',
  '| one `.gz`, high world | 6.0 to 6.3 s (7.7 to 7.8) | 5.5 to 5.7 s (7.1 to 7.3) | 283 to 284 MB | 258 to 280 MB |',
  '',
  'Tried first, on the calling thread as `aggregate` reads (the inflating, the walk, the copies, the index',
  'and the temporary file on one thread): 7.2 to 8.0 s for the one `.gz`. And with a fresh 2 MiB of memory',
  "for every batch's copies, 5.8 to 6.5 s: zeroing it and faulting it in took the reading thread 0.6 s,",
  'and the calling thread spent 0.97 s collecting garbage against 0.21 s with the memory given back.',
  '',
  'Later again (2026-12-03), such a reader (one that copies its records) has zlib driven by a thread of',
  "its own (source-json's `GunzipThread`), which moves zlib's full output buffers to it. A profile had",
  'shown the reading thread idle 1.7 s and the calling thread 2.7 s of a 5.3 s load of one `.gz`: zlib',
  "hands each inflated MiB over in a turn of its driving thread's event loop, and the reader's steps,",
  'long with the copies, held those turns up. Alternated by hand with the build before (the same answers):',
  '',
  '| `serve` until listening | rounds | before | after | peak RSS before | peak RSS after |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  '| one `.gz`, high world | 8 | 5.43 to 7.50 s, median 6.84 | 5.05 to 6.58 s, median 6.40 | 241 to 246 MB | 272 to 280 MB |',
  '| folder of 4 gzipped parts, low world | 3 | 6.36 to 7.02 s | 5.47 to 6.41 s | 221 to 239 MB | 261 to 262 MB |',
  '| folder of 4 gzipped parts, high world | 3 | 7.60 to 8.85 s | 7.11 to 7.49 s | 302 to 305 MB | 333 to 341 MB |',
  '',
  'Sooner in 13 of 14 rounds, at the cost of a thread per file being read (30 to 40 MB). `aggregate`',
  'keeps driving zlib on its reading threads: five alternated rounds on the same `.gz` gave 1.26 to 1.58',
  "times the floor's run in its round against 1.35 to 1.54, within the noise, for 25 to 30 MB more (45 to",
  '90 MB on a folder). It is bound by its parsing, not by zlib: the calling thread, which parses the whole',
  'file, was busy 4.2 of 4.6 s in a profile of the change, zlib 2.8 s.',
  '',
  'Later (2026-12-03), a frozen index, store and table of record places keep each grown column as it',
  'is, a view of the rows used, when at least half of it is used, instead of copying the rows out',
  "(core's `Columns.trimmed`). At a million findings the copies were about 40 MB of fresh memory,",
  'written once more while the old columns were still held: on this machine, whose page faults are',
  'slow (faulting in and filling 40 MB took 137 ms, filling the same memory again 2 ms), a tenth of a',
  'second at the end of the load, when no reading thread is left to overlap it. Alternated by hand with',
  "the build before, three rounds on the high world's NDJSON: `serve` listened after 2.33 to 2.54 s",
  'against 2.40 to 2.55 s, with a peak of 257 to 260 MB against 271 to 278 MB. What stays held beyond',
  'the rows used is at most half of a column; here, the index made with room for 1,048,576 rows and',
  '770,235 used, about 15 MB.',
]

// Measured by hand: `aggregate` grouping by image build or pipeline at high cardinality.
const highCardinalityGroups = [
  '## Grouping by image build at high cardinality (by hand)',
  '',
  '`scantally aggregate --group-by imageBuildVersionArn` on the high-cardinality world (1,000,000 Inspector',
  'findings, 200 accounts, 200,000 image builds; 196,000 builds counted), measured by hand with',
  '`/usr/bin/time` on a shared two-core machine, each build run in turn with the one before it (CPU seconds,',
  'user plus system, compare; wall time depends on the other load). Answers byte for byte the same, the',
  'request id aside.',
  '',
  '| grouping | input | CPU s before | CPU s after | peak RSS before | peak RSS after |',
  '| --- | --- | ---: | ---: | ---: | ---: |',
  '| `vulnerabilityId` (5,000 groups) | NDJSON | 4.6 | 4.3 | 138 MB | 127 MB |',
  '| `imageBuildVersionArn` | NDJSON | 10.7 | 9.1 | 303 MB | 232 MB |',
  '| `imageBuildVersionArn` | one document | 13.8 | 10.3 | 292 MB | 229 MB |',
  '| `imageBuildVersionArn`, `--pipeline-map` (200,000 builds, 29 MB) | NDJSON | 12.8 | 11.2 | 359 MB | 307 MB |',
  '| `imagePipelineArn`, `--pipeline-map` | NDJSON | 11.3 | 10.8 | 350 MB | 312 MB |',
  '',
  "What changed: the split read's chaining thread holds each string its reader threads send once",
  '(before, a copy per thread, hashed afresh as a group key), and a reader thread keeps no string its',
  "walker interned once it has sent it (the walker's own id finds it again); a reader thread ahead of the",
  'chain waits once 262,144 of its findings are untaken (before, while the chaining thread counted into',
  "hundreds of thousands of groups, the other thread's messages held up to 442,000 findings, 44% of the",
  'file); the pipeline map is read off its bytes into the map it is (before, `JSON.parse` held the text,',
  "an object of every build and the map at once: 150 MB over the command's own for this map, now 75 MB);",
  'a pipeline is resolved only for findings that keep one; and the de-duplication fingerprints are let',
  'go when the read is over. The bound was later raised to 262,144 findings: at 65,536 a reader thread',
  'often waited while the chaining thread read a piece of its own, which made the default groupings about 8%',
  'slower; grouping by image build at high cardinality (NDJSON) then peaks at about 262 to 270 MB instead of',
  '243 MB (by hand, 2026-12-02).',
  '',
  'What is left, and why the target of 200 MB is not met yet: without counting anything (the groups and',
  'the answer left out) the read alone peaks at about 223 MB against 134 MB for `vulnerabilityId`. Each',
  "distinct build is held by each thread's walker (its bytes in the interning arena, about 90 bytes a",
  'thread), once as a string on the chaining thread with its dictionary entry, and as a group (a counts',
  'object of nine numbers and its map entry); sorting and writing the answer add about 20 MB. Counting from',
  "the threads' dictionary ids into typed arrays would save the map entries and the finding objects, but",
  "the answer hands out a counts object per group all the same; the walker's arenas, interned by bytes, are",
  'the larger share.',
  '',
  "Since then `aggregate`'s accumulator takes the split read's findings as ids, as `serve`'s index does",
  "(core's `GroupAccumulator.intern` and `addIds`, `ReadOptions.into`): the caller's scope and the filters",
  'are tested once per interned string, the counts kept by id, and no finding object is made on the',
  'chaining thread. Alternated by hand with the build before (2026-12-02, three runs each): grouped by',
  'vulnerability, the million low-cardinality NDJSON took 1.63 to 1.68 s against 1.66 to 1.83 s (134 MB',
  'against 140 MB) and the medium-cardinality document 1.73 to 1.85 s against 1.83 to 1.84 s; grouped by',
  'image build at high cardinality, 4.10 to 4.28 s against 4.26 to 4.62 s, at 254 to 261 MB against 254 MB.',
  'The finding objects were not what held the memory: grouped by image build, the peak is still the',
  "walkers' arenas and the strings, over the 200 MB target.",
  '',
  "Piped into another program (as this benchmark reads every contender's answer), the 84 MB answer used",
  "to wait in the process's memory until the reader took it: Node queues what a pipe cannot take at once.",
  'The answer is now made only as fast as the reader takes it. Grouped by image build at high',
  'cardinality, piped into `wc`, alternated by hand (2026-12-02): 4.26 to 4.65 s and 261 to 267 MB, against',
  '5.59 to 5.87 s and 390 to 392 MB before.',
  '',
  'Later again (2026-12-02), on the chaining thread, which grouped by image build is the busier of the',
  "two: the counts by id are rows of one typed array (core's `CountTable`, 36 bytes a group, where an",
  'object of nine counts took about 100, and nothing for the collector to trace); groups counted only by',
  'id are sorted by their keys with a three-way radix quicksort (`sortByKey`: an ARN prefix fifty',
  'characters long that every key shares costs a pass over the keys, not a comparison of it in each of',
  'n·log n comparisons) and without a map of key to counts beside them; and a JSON answer is written by',
  'a direct indenting writer instead of `JSON.stringify` and a regular expression per entry. On the',
  "chaining thread's profile, sorting went from about 700 ms to 190 ms and writing from 850 ms to 250 ms.",
  'Alternated by hand with the build before, three runs each: NDJSON 3.48 to 3.58 s against 3.80 to',
  '4.00 s, the document 3.22 to 3.29 s against 3.45 to 3.83 s; grouped by vulnerability, unchanged (1.67',
  'to 1.68 s against 1.65 to 1.68 s). The peak hardly moved (224 to 241 MB against 230 to 243 MB): what',
  "the counts objects took was never the top of it. At the peak, a map of the process showed the walkers'",
  "memories (15 and 13 MB resident), the chaining thread's young generation grown to its 32 MB (the build",
  'strings outlive two collections, so V8 grows it; 10 MB of it in use at a time), its old generation and',
  'large objects (50 MB: the strings, the dictionary map, the lists), the de-duplication set (16 MB) and',
  "Node's own code (43 MB). The same key sort now orders every answer by key (a map of counts and the",
  "index's answers in `serve` too: 10 to 15% less time for 200,000 groups by image build, in a",
  'microbenchmark alternated with the comparator sort), and it passes over the units a range of keys',
  'shares in one scan rather than a partitioning pass per unit (a quarter less time on 200,000 ARNs).',
  'With 200,000 groups the chaining thread spends 0.4 s interning the strings the threads send (a map',
  'lookup each, about 1 µs with its cache misses) and 0.9 s after the read sorting and writing the answer',
  'alone: grouped by image build at high cardinality, it is the chaining thread, not the reading, that',
  'sets the pace.',
  '',
  "Later (2026-12-02), the walkers' interning tables keep no copy of a key's bytes: an entry is the key's",
  'length and two 64-bit hashes of its bytes (24 bytes, against 12 and about 75 bytes of an image build',
  'ARN in the arena), and where the key last was in the input, from where it is decoded right after the',
  "call that gave its id (see the sources guide). The walkers' memories at the peak went from 18 and 16 MB",
  'resident to 7 and 12 MB. Alternated by hand with the build before, three runs each, grouped by image',
  'build at high cardinality: NDJSON 214 to 225 MB against 224 to 229 MB, the document 213 to 216 MB',
  'against 219 to 232 MB, at the same speed or faster; `serve` on the NDJSON 272 to 277 MB against 287 to',
  '294 MB. The peak is still over the 200 MB target: the young generation, the strings and the',
  'de-duplication set are the rest of it.',
  '',
  "Later (2026-12-02), the command holds V8's young generation where it stands once its modules are loaded",
  "(source-json's `holdYoungGeneration`: a semi-space growth factor of 1). A read keeps its group keys past",
  "the young generation's collections, and V8 answers a high survival rate by doubling the two semi-spaces",
  'up to 16 MB each, 32 MB the process keeps to its end; held, what survives goes straight to the old',
  "generation, where it ends up anyway. Starting a thread sets V8's flags back in Node 20 (on the new",
  'thread, before its code runs), so the setting is made again once a reading thread runs and once it has',
  'ended. Alternated by hand with the build before (1M high-cardinality findings, grouped by image build,',
  'four and three runs): the NDJSON 190 to 192 MB against 214 to 225 MB, in 2.63 to 2.66 s against 2.62 to',
  '2.79 s; the document 190 to 199 MB against 215 to 218 MB, in 2.67 to 2.71 s against 2.70 to 2.81 s; in',
  'ten more runs of either, 189 to 196 MB. The default grouping is no slower and peaks a few MB lower. A',
  'folder of gzipped parts did not move (221 to 225 MB against 225 to 230 MB): its memory is the reading',
  "threads' allocators (see the next section).",
  '',
  "Tried and not kept: holding it from the process's start (set by the launcher before the command's",
  'modules load, the young generation at 2 MB). The peak was no lower (181 to 193 MB), but more of what the',
  "read makes was collected in the old generation (the chaining thread's collector took 440 ms against 263",
  'ms in one profile), and grouping by image build took 3 to 8% longer (the NDJSON 2.68 to 2.89 s, the',
  'document 2.91 to 3.00 s). Letting the young generation grow again once the read is over moved the peak',
  'to the writing of the answer, at 222 to 227 MB. And `serve` does not hold it: held through the load, the',
  'young generation stayed small while answering, and the soak (1M high-cardinality findings, standard mix,',
  '20 s, alternated twice) answered 5,990 to 6,140 requests/s with a p99 of 15 to 16 ms, against 6,243 to',
  '6,404 and 12.5 to 13.5 ms for the build before.',
  '',
  "Tried and not kept: slots of the index builder holding each row's hash beside it, so that a probe",
  "passes over another combination without reading its four key columns. `serve`'s load took the same",
  'time (3.18 to 3.81 s against 3.14 to 3.88 s, alternated): at most half full, almost every probe finds',
  "its slot at once, so what the builder spends is the slot's own miss, and the slots took 8 MB more.",
  '',
  "Tried and not kept (2026-12-03): reading a batch's index slots ahead of placing its findings (a",
  "`touch` of the sink, as the de-duplication set reads its slots ahead), so that the slots' cache misses",
  "overlap. In a profile of `serve`'s load the builder's own time went from about 400 to 170 ms, but what",
  'it saved was spent in the pass that reads ahead: alternated five times with the build before, `serve`',
  'on the high-cardinality NDJSON listened after 2.01 to 2.33 s (3.87 to 4.55 CPU s) against 1.97 to',
  '2.36 s (3.82 to 4.57 CPU s).',
  '',
  'Tried and not kept (2026-12-02): a reading thread started by the launcher before the command loads, and',
  'handed its task when the read begins. It joined the read 60 to 80 ms sooner (its first batch at 330 to',
  '384 ms from the process start against 364 to 451 ms), but the runs hardly moved: alternated five times,',
  'the 100,000-finding document took 0.43 to 0.47 s against 0.46 to 0.48 s, the NDJSON 0.43 to 0.49 s',
  'against 0.46 to 0.77 s, and at a million the difference was within the noise. A run that never splits',
  'its read (a small file, standard input) would have paid for the thread all the same.',
  '',
  'Kept later (2026-12-03), with that cost answered: the launcher starts the threads only for a command',
  'line that will likely split its read (`aggregate` or `serve` naming files of at least 32 MiB in all, or',
  'a folder, with more than one worker, but not `aggregate` of one gzipped file on two, which the calling',
  "thread reads; cli's `Prestart.ts`), and a thread no read takes keeps no process",
  'alive. A profile showed why the gain is small: a thread of Node 20 spends most of its start in loading',
  "Node's own modules, about 100 ms of CPU, so started at the launcher's first line it is ready only a",
  'little before the calling thread, which has loaded the command meanwhile, and the two then read',
  'together from the start. Alternated by hand on a quiet machine, twelve rounds each: the',
  '100,000-finding document took a median of 0.425 s against 0.440 s (mean 0.423 against 0.458; sooner in',
  '8 of 12), the NDJSON 0.435 against 0.440 s (mean 0.421 against 0.443; 8 of 12); at a million, 1.40 to',
  '1.74 s against 1.41 to 3.55 s, within the noise.',
  '',
  "Later (2026-12-03), the command's bundle takes fp-ts and io-ts from their ES module builds: the",
  'packages import them by their CommonJS paths (`fp-ts/lib/…`), which the bundler took as they were,',
  "every module of both in a CommonJS wrapper run and copied at start. The reading threads' entry went",
  'from 213 to 159 KB. Alternated by hand with the build before, twelve runs each of `aggregate` on the',
  'example export: a median of 227 ms against 243 ms, where a bare `node -e 0` takes 110 to 119 ms on',
  'this machine. Tried and not kept: loading each command only when it runs, so that `aggregate` loads',
  "neither `node:http` nor the server's code. The start was no sooner beyond the noise (a median of 223",
  "against 238 ms with both changes), and the command's modules then loaded after the young generation",
  'is held (see above), at a smaller size: grouping by image build at high cardinality peaked at 195 to',
  '208 MB against 188 to 199 MB.',
  '',
  'Later (2026-12-03), the entries of a JSON answer are written as text straight from each group',
  "(the command's `EntryText`: the key through `JSON.stringify`, the counts' names and indentation",
  'made once), where each entry was made as objects (three for an AWS entry) and walked by the generic',
  "indenting writer; core's `toSeverityCounts` is an object literal instead of `Object.fromEntries` over",
  'the field names (it also makes every AWS entry `serve` answers). The bytes are the same (a property',
  "test holds both kinds of entry to `JSON.stringify` of the response core's mappings make). With the",
  "196,000 keys of this world's answer, counted and written by themselves in one process, writing took",
  '127 to 197 ms against 410 to 553 ms; in the command, timed inside it and alternated six times with',
  'the build before, writing the 84 MB answer took 376 to 506 ms against 455 to 719 ms, sorting and',
  'making the groups (280 to 441 ms against 283 to 537 ms) unchanged. The rest of the time after the',
  "read is the young generation's collections: the command holds it small (see above), and writing",
  'makes short-lived strings.',
  '',
  'Looked into and not kept (2026-12-03): sorting the keys by windows of three units packed in one',
  'number, kept in a typed array beside the positions, so that a range is partitioned without reading',
  'its strings (each key read about four times in all, against once in each partitioning pass). On the same 196,000',
  'keys it took 170 to 350 ms against 186 to 245 ms, and the built-in `Array.prototype.sort` of the',
  'strings 212 to 236 ms. What the sort spends is reading the units the keys share (10 million of them,',
  'most in the ARN prefix), about 4 to 5 ns a unit, which either way does. Interning the strings the',
  'threads send costs the same kind of time: in a process of its own, a `Map` took 0.6 to 1.1 µs to add',
  'each of these keys and 0.5 µs to find one again.',
]

// Measured by hand: where a gzipped export's memory goes.
const gzipMemory = [
  '## Gzipped exports: where the memory goes (by hand)',
  '',
  'A gzipped file read a file per thread (one file on two cores, or a folder of parts) now hands the',
  'accumulator its findings as ids, as the split read does (`ReadOptions.into`). Alternated by hand with',
  'the build before (2026-12-02, three runs each, the low-cardinality million): one `.ndjson.gz` took 3.85',
  'to 4.74 s against 4.07 to 4.68 s (gunzip alone: 3.95 s), the folder of four parts 3.87 to 4.19 s',
  'against 3.88 to 4.20 s at 219 to 226 MB against 230 to 233 MB: no difference in time beyond the noise.',
  '',
  'What a folder of parts holds over a plain file (about 134 MB) is mostly inflated bytes waiting for the',
  "garbage collector. Node's zlib stream hands each inflated MiB over in a buffer of its own, freed only",
  'when the thread that inflated it collects its garbage, and V8 starts a collection once a thread has',
  'allocated about 64 MB outside its heap since the last. A map of the process at its peak showed two',
  "anonymous regions of 44 and 47 MB (most likely the reading threads' allocators) beside 2.3 MB for each",
  "thread's walker. Tried in diagnostic builds, none kept:",
  '',
  '| change | folder of 4 parts | one `.gz` file | time |',
  '| --- | ---: | ---: | --- |',
  '| none | 228 to 234 MB | 154 to 163 MB | |',
  '| a full collection after every inflated chunk | 159 MB | 128 MB | 4 to 5 times as long |',
  '| a young-generation collection after every chunk | 290 MB | 190 to 194 MB | the same (buffers promoted, then held longer) |',
  '| zlib output buffers of 64 KiB instead of 1 MiB | 192 to 195 MB | 139 to 146 MB | 1.7 times as long (a thread hop per buffer) |',
  '| output buffers of 256 KiB | 211 to 221 MB | 146 to 153 MB | 10 to 30% longer |',
  "| a thread's batches waiting held to 4 MiB instead of 24 | 217 to 224 MB | | the same |",
  '| `MALLOC_MMAP_THRESHOLD_=131072` (every buffer mapped and unmapped) | 203 MB | 154 MB | 2.5 times as long |',
  '',
  'So a folder of gzipped parts stayed over the 200 MB target (one gzipped file was within it): it would',
  "take inflating into buffers the reader owns and reuses, which Node's public zlib API does not offer.",
  '',
  "Later (2026-12-03), the reading threads give each of zlib's output buffers back as soon as they have",
  "copied its last bytes (source-json's `releaseInflated`): zlib fills a buffer of 1 MiB and then takes a",
  'fresh one, so nothing writes into a full one again, and the reader moves it into a message for a port',
  'already closed, which detaches it and frees its memory when the message is dropped. Only buffers the',
  'reader saw zlib fill are given back, and only once the chunk that ends one is copied. The compressed',
  'bytes go the same way: a chunk the file read made (a buffer of its own, fed to zlib whole) is given',
  "back in the callback of zlib's write, when zlib has taken all of it; a caller's buffers, and a chunk",
  "still being cut into pieces, are left alone. The memory is then reused by the thread's allocator at",
  'once, still in the cache, instead of fresh pages for every MiB. Alternated by hand with the build of',
  'the day before (three runs each, the million findings; same answers):',
  '',
  '| input | before | after | peak RSS before | peak RSS after |',
  '| --- | ---: | ---: | ---: | ---: |',
  '| folder of 4 gzipped parts (low world) | 3.55 to 3.73 s | 3.09 to 3.19 s | 220 to 222 MB | 154 to 157 MB |',
  '| one `.ndjson.gz` (low world) | 3.67 to 3.91 s | 3.11 to 3.16 s | 139 MB | 104 to 105 MB |',
  '| one `.json.gz` (high world) | 3.55 to 3.83 s | 3.13 to 3.19 s | 138 MB | 102 to 105 MB |',
  '',
  'With the inflated buffers given back alone (the first of the two changes), the folder peaked at 192 to',
  "197 MB and one `.ndjson.gz` at 127 to 129 MB. Gunzip alone (Node's zlib, the floor) went from 3.43 to",
  '3.89 s to 2.57 to 2.62 s when it gave its inflated buffers back, and the four parts inflated at once from',
  '1.80 to 1.87 s (152 to 155 MB) to 1.64 to 1.71 s (108 to 112 MB).',
  '',
  "The floor's own inflating got faster the same way, so it is now measured reading and giving back its",
  'buffers as the reader does: a floor the reader could beat would not be one.',
  '',
  "Against that floor a gzipped file takes 1.2 to 1.3 times as long (see the Targets). The threads' CPU,",
  "read from `/proc` at the end of a run of the low world's `.ndjson.gz` (with the first change alone):",
  "zlib on libuv's threads 2.5 s, the reading thread 2.1 s (the walk, copying into its memory, zlib's",
  'callbacks, posting batches), the',
  'calling thread 0.7 s with its start: 5.3 CPU s on two cores, against 2.8 for the floor. The reading',
  "thread does not hold zlib up: it reads a chunk in the microtasks after zlib's callback, which has",
  'started inflating the next by then. A model of it outside the project (the same stream, 0.55 ms of',
  'work per MiB) ran in 3.0 to 3.1 s that way, as fast as with the inflating on another thread, and in',
  '4.3 s with the work done inside the `data` handler. What is left is three busy threads on two cores.',
  'Tried and not kept, as no run differed beyond the noise: yielding to the event loop after every step of',
  'the walk, with steps of 128 or 256 KiB; zlib buffers of 2 or 4 MiB (slower: a reused MiB stays in the',
  'cache); batches of 4 or 16 MiB; and `--workers 3` on two cores (slower).',
  '',
  'Later again (2026-12-03), on two threads the calling thread reads a gzipped file itself, with the reader',
  "a reading thread runs (source-json's `InflatingReader`), and a reading thread of its own takes a second",
  'file at once: one busy thread fewer on two cores (the calling thread had only tallied the reading',
  "thread's batches, 0.7 CPU s), and no batch is posted between threads. Read so, some runs took 15 to 20%",
  "longer, with 50,000 to 56,000 page faults against 15,000 to 20,000: glibc served zlib's 1 MiB buffers",
  "from the calling thread's heap and gave its free top back to the system every few MiB, to fault it in",
  "again. The command now lets a read raise glibc's mmap and trim thresholds to 2 and 4 MiB before it",
  "inflates (source-json's `MallocThresholds`; the floor does the same), and every run then stays near",
  '16,000 faults (raised to 4 MiB or more from the start, grouping by image build peaked 6 to 10 MB',
  'higher, so it waits for gzip data). Alternated by hand with the build before, each run divided by the',
  "floor's run in its round (same answers):",
  '',
  '| input | rounds | before | after | peak RSS before | peak RSS after |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  "| high world's `.ndjson.gz` | 8 | 1.23 to 1.44 (median 1.28) | 1.16 to 1.33 (median 1.22) | 102 to 106 MB | 96 to 101 MB |",
  "| medium world's `.json.gz` | 5 | 1.11 to 1.45 (median 1.26) | 1.09 to 1.34 (median 1.25) | | |",
  '| folder of 4 gzipped parts (low world) | 5 | 1.21 to 1.25 (3.14 to 3.19 s) | 1.16 to 1.20 (3.01 to 3.07 s) | 150 to 155 MB | 140 to 142 MB |',
  '',
  'Faster in every round, by up to 15%; still over the 1.15 target in most. Per-thread CPU of a run read on',
  "the calling thread: that thread 2.8 to 3.2 s, zlib 2.8 to 3.6 s on libuv's threads, against 2.5 s for zlib",
  "alone, and the calling thread waited for zlib's bytes a fifth to a half of the time: inflating is slower",
  'beside a reader on the other core than alone. Yielding to the event loop before each step of the walk,',
  "so that zlib's callbacks come sooner, made no difference.",
  '',
  "Later (2026-12-03), a gzipped file's reader that drives zlib on its own event loop (`aggregate`'s,",
  "not `serve`'s, whose zlib has a thread of its own) reads in steps of 256 KiB and lets the loop turn",
  'after each. zlib starts on its next MiB only in such a turn: read in steps of a MiB, with no turn',
  'while inflated bytes waited, the calling thread sat idle 0.6 to 1.1 s of 4 to 5 waiting for zlib',
  '(CPU profiles of the high-cardinality NDJSON `.gz`), and zlib waited for the steps. A turn after each',
  'step of a MiB left it idle as long (as above: a step is as long as zlib takes for a MiB); with 128 or',
  '256 KiB steps and a turn after each, it sat idle 0.2 to 0.4 s. Alternated by hand with the build before, each',
  'round beside the floor of inflating the file alone: the high-cardinality NDJSON `.gz` took 1.32 to',
  '1.53 times the floor (median 1.43) against 1.53 to 1.67 (median 1.55), sooner in five rounds of six;',
  'the document `.gz` 3.82 to 5.27 s against 4.08 to 6.20 s, sooner in five of seven; the folder of four',
  'gzipped parts 3.47 to 4.33 s against 3.78 to 4.78 s, sooner in five of seven; peaks up to 22 MB',
  'higher (zlib runs further ahead), at most 164 MB. The same answers.',
]

// Measured by hand: what one thread gained from reading a large file as one piece.
const oneThread = [
  '### One thread',
  '',
  'On one thread (`--workers 1`, or a one-core machine), a large file was read by the one-pass reader: a',
  "chunk at a time from Node's file stream, each appended to the start of a record left over from the",
  "chunk before (a copy into a fresh buffer) and copied again into the walker's memory. In a CPU profile of",
  'a million high-cardinality findings, the thread sat idle 0.45 s waiting for the stream, spent 0.2 s',
  'in the appending copy and 0.08 s in the second, and the process 0.8 to 2.1 s in the kernel (fresh',
  'buffers). A large file is now planned as one piece and read as a thread reads its piece, straight into',
  "two buffers in the walker's memory; a gzipped file, as on two threads, by a reader on the calling",
  "thread while zlib inflates on libuv's. By hand, four rounds alternated with the build before, the same",
  'answers:',
  '',
  '| `aggregate --workers 1` on | before | after | peak RSS before | after |',
  '| --- | --- | --- | ---: | ---: |',
  '| low world, NDJSON | 3.01 to 4.19 s (3.7 to 5.0 CPU s) | 2.39 to 2.98 s (2.6 to 3.1) | 131 to 142 MB | 81 to 82 MB |',
  '| high world, NDJSON | 2.72 to 3.45 s (3.3 to 4.2) | 2.13 to 2.46 s (2.3 to 2.6) | 136 to 142 MB | 80 to 82 MB |',
  '| medium world, one document | 2.79 to 5.40 s | 1.98 to 2.50 s | 138 to 144 MB | 82 to 83 MB |',
  '| high world, one document | 3.32 to 4.86 s | 2.23 to 2.86 s | 136 to 140 MB | 81 to 82 MB |',
  '| 100,000 findings, NDJSON | 0.55 to 0.66 s | 0.38 to 0.44 s | 95 to 98 MB | 67 MB |',
  '| high world, `.ndjson.gz` (3 rounds) | 4.08 to 4.23 s | 3.36 to 4.05 s | 131 to 134 MB | 98 to 102 MB |',
  '',
  'One thread now takes about 2.3 to 2.6 CPU seconds for a million high-cardinality findings, two take',
  '3.4 (1.9 s wall against 2.5 s). In profiles of the same read the same work costs more on two threads:',
  "the walker's loop 17% more, the file's reads 80% more, the calling thread's decoding 70% more. The reads",
  "are bound by this machine's memory: 1.2 GB read from the page cache into a buffer took one thread 0.25",
  'to 0.29 CPU s, and two threads at once, a file each, 0.44 to 0.52 CPU s each in the same wall time',
  '(0.31 to 0.33 s against 0.28 to 0.34 s): reading on two threads copies no faster than on one, and',
  'the walkers likely wait longer for memory meanwhile. Two one-thread reads of two files in two',
  'processes took 0.9 to 1.2 times their time alone (one run 1.6, its file partly out of the page cache),',
  'so the two cores are not otherwise shared.',
]

// Measured by hand: exports spelled as the generator does not spell them.
const otherSpellings = [
  '### Other spellings (by hand)',
  '',
  'The generator writes every export as `JSON.stringify` does. Real exports come from other writers, so',
  'the 100,000-finding NDJSON export was rewritten in other spellings of the same findings and read',
  "three times each by `scantally aggregate` (two threads), each answer checked against the original's:",
  '',
  '| spelling | wall, three runs | answer |',
  '| --- | ---: | --- |',
  '| as generated | 0.45 to 0.48 s | |',
  '| pretty-printed document (two spaces), or with tabs | 0.45 to 0.78 s, 0.46 to 0.66 s | the same |',
  '| CRLF line ends | 0.46 to 0.55 s | the same |',
  '| members in reverse order, an unknown nested member first (18% more bytes) | 0.69 to 0.80 s | the same |',
  '| descriptions and titles with raw UTF-8, or as `\\u` escapes | 0.42 to 0.67 s, 0.44 to 0.64 s | the same |',
  '| pages of 100 findings (`{"findings":[…],"nextToken":…}`) | 0.47 to 0.79 s | the same |',
  '| one top-level array; one document with `nextToken` first | 0.41 to 0.85 s, 0.41 to 0.86 s | the same |',
  '| EventBridge events | 0.37 to 0.78 s | the same |',
  '| optional members `null` | 0.34 to 0.44 s | the same |',
  "| every `/` escaped (PHP's `json_encode` writes so) | before: 1.42 to 1.63 s; now 0.36 to 0.45 s | the same |",
  '| a UTF-8 byte order mark first | before: `MalformedJson` at byte 0; now 0.39 to 0.67 s | the same |',
  '| UTF-16 (Windows PowerShell 5.1 writes it) | `UnknownFormat`, now naming the encoding and how to convert | |',
  '| Security Hub ASFF pages of the same findings (180 MB) | 1.55 to 1.76 s | the same |',
  "| Inspector's findings report in CSV, the same findings (55 columns, 95 MB) | before: 6.14 to 6.80 s; now 2.07 to 2.37 s | the same |",
  '',
  'Escaped `/` was the one cliff: every ARN has one, and the walker left each record with an escaped value',
  'it reads to the plain path. It now unescapes such a value into an arena of its own (docs/sources.md).',
  'At a million high-cardinality findings so written: 13.1 to 13.9 s and 243 to 271 MB before, now 1.5 to',
  '2.2 s and 108 to 110 MB (the plain spelling in the same rounds: 1.4 to 2.0 s); this run measures it',
  'beside DuckDB. Security Hub ASFF findings are read by the plain path only (the walker reads Inspector,',
  'Image Builder and EventBridge records): about six times the time per byte of Inspector records. The',
  'CSV report was read with `csv-parse`, whose parse alone took 3.1 to 4.3 s of it (30 MB/s, whatever its',
  'record delimiter options); regular records are now split by `CsvSplitter`, which decodes only the',
  'cells the mapping reads (docs/sources.md): three times as fast, still four times the JSON.',
]

// Measured by hand: gzipped S3 objects read an object per thread.
const gzippedObjects = [
  '### Gzipped S3 objects, an object per thread (by hand)',
  '',
  'The million findings (low world) as four gzipped NDJSON parts (314 MB) in s3rver on loopback, read by',
  '`scantally aggregate s3://…` on two workers, alternated with the build before, three rounds each, the',
  'same counts. Before, each object was cut into blocks in turn (an inflating thread and a reader thread);',
  'now gzipped objects are read an object per thread, as a folder of gzipped files is, their compressed',
  'bytes sent to the thread as they arrive (docs/sources.md):',
  '',
  '| `aggregate s3://…/parts/` | wall | CPU (user) | peak RSS |',
  '| --- | ---: | ---: | ---: |',
  '| before | 5.62 to 5.76 s | 7.4 to 7.6 s | 182 to 185 MB |',
  '| an object per thread, 8 MiB parts | 4.33 to 4.53 s | 6.3 to 6.5 s | 202 to 217 MB |',
  '| an object per thread, 4 MiB parts (2026-12-04, a busier machine) | 4.54 to 4.78 s | 6.0 to 6.2 s | 184 to 190 MB |',
  '| the same parts local | 2.83 to 3.23 s | | 139 to 142 MB |',
  '',
  'About a fifth sooner (s3rver takes its share of these two cores), for about 20 MB at first: each',
  'object in flight held its part being handed over besides those shared ahead, all of 8 MiB, over the',
  '200 MB target by up to 17 MB. A listing of several objects is now fetched in 4 MiB parts, alternated',
  'with 8 MiB ones (4.47 to 4.84 s at 207 to 214 MB in the same rounds): within the target, in the same',
  'time. One gzipped object (the high world, 320 MB) is read on the calling thread',
  'on two workers, as one gzipped file is: 3.5 to 5.5 s against 4.0 to 5.6 s, at 168 MB against 188 to',
  '194 MB. `scantally serve` keeps reading S3 objects as before: sent to a thread each, its copies of the',
  'records, made on both threads at once while the later object waits, took it from 240 to 340 to 358 MB',
  'for a load 10 to 25% shorter (6.5 to 6.8 s against 7.0 to 9.6 s).',
]

// Measured by hand: how near the gzip floor two cores let a read come.
const gzipFloor = [
  '### The gzip floor on two cores (by hand)',
  '',
  "On two cores `aggregate` inflates a gzipped file on one (zlib, on libuv's threads) while the calling",
  "thread reads the records on the other, so its time is the inflating's as slowed by the reading beside",
  "it. Two plain gunzips of the low world's NDJSON run at once took 2.46 and 2.68 s against 2.35 to",
  '2.44 s alone, on the same machine in the same minutes (2026-12-04): two busy threads here run 5 to 10%',
  'slower each than one alone. Alternated with the floor by hand on the same day (three rounds unless said):',
  '',
  '| input (1,000,000 findings, gzip) | `aggregate` | gunzip only | ratio |',
  '| --- | ---: | ---: | ---: |',
  '| low world, NDJSON | 2.41 to 2.49 s | 2.21 s | 1.09 to 1.13 |',
  '| low world, one document | 2.42 to 2.50 s | 2.20 to 2.24 s | 1.09 to 1.13 |',
  '| high world, one document (two rounds) | 2.56 s | 2.19 to 2.27 s | 1.13 to 1.17 |',
  '| high world, NDJSON (two rounds, minutes before: a busier machine) | 3.58 to 3.63 s | 2.57 to 2.63 s | 1.38 |',
  '',
  'In quiet minutes the reads sit near the 1.15 target; on a shared machine the reading thread loses',
  "more than the inflating one, and the bench's medians above (1.16 to 1.28) come from such minutes.",
  'Tried the same day, without a change beyond the noise: zlib inflating into 4 MiB buffers instead of',
  '1 MiB (fewer turns of the event loop to wait for: 2.41 to 2.44 s against 2.43 to 2.49 s), and the',
  'reader stepping 128 KiB at a time instead of 256 KiB (2.47 to 2.52 s).',
]

// Measured by hand: less work for each finding, on the reading threads and the chaining one.
const lessPerFinding = [
  '### Less work a finding (by hand)',
  '',
  "On 2026-12-04, with the command's profiles and a harness for the walker alone (the compiled walker",
  "over the first 256 MB of the high world's NDJSON, held in memory, nine passes, the fastest kept; two",
  'rounds alternated each):',
  '',
  "- The walker reads a number's digits sixteen at a time (a run of digits, perhaps with a fraction:",
  '  timestamps and scores); exponents, leading zeros and the end of the input go the byte-by-byte way',
  '  as before, which also declines. 112.6 to 112.8 ms against 119.3 to 120.5 ms (2,380 against 2,240',
  '  MB/s). A test holds the walker to the plain path on numbers in every spelling, valid or not, with',
  "  JSON.parse saying which are valid. Tried and not kept: passing over a long string's bytes sixty-four",
  '  at a time after its first sixteen (116.5 to 116.6 ms).',
  '- The walker fingerprints a finding ARN only once its record is counted (a fifth of the records are',
  '  not): 110.5 and 114.9 ms against 112.0 and 116.7 ms in the same rounds.',
  "- Core's count table counted through a helper closure made on each call: about 100 bytes a finding,",
  "  78 of the 103 MB the chaining thread allocated at a million findings (V8's sampling heap profiler),",
  '  and 107 young-generation collections where there are now 21 to 23.',
  "- Group keys are interned in core's `StringIds`, an open-addressing table of the strings' hashes,",
  '  instead of a `Map` (a probe run past 64 hands the table over to a `Map` for good, so input made to',
  '  collide costs what a `Map` costs). 400,000 interns of 200,000 distinct image build ARNs by',
  "  themselves: 85 to 95 ms against 192 to 229 ms. In the command's profile grouped by image build,",
  "  interning took 0.31 s against 0.41 s and garbage collection 0.47 s against 0.55 s; on `serve`'s",
  '  chaining thread, interning took 0.26 s against 0.37 s.',
  "- A record's location lent to `serve`'s sink is one object per file, its range set anew: a million",
  "  findings made 67 MB of them. `serve`'s decoding loop took 0.16 s against 0.19 to 0.22 s.",
  '',
  'Grouped by image build at high cardinality the peak went from 194 to 203 MB to 185 to 195 MB (the',
  'table of string hashes is smaller than the maps it replaced). Wall times, alternated by hand on this',
  'shared machine, moved within their noise: before these changes, in quiet minutes, the default',
  "grouping on two threads took 1.26 to 1.28 s on the high world's NDJSON where DuckDB took 1.82 to",
  "1.86 s (1.45 times as fast; the bench run before this one, 1.08, came from busier minutes). This run's",
  'medians are in the Targets: against DuckDB, 1.41 to 1.56 times as fast on the plain exports, and',
  'grouped by image build 1.00 times (0.68 in the run before: most of these changes lighten the',
  "chaining thread, which sets that grouping's pace, and part is the machine's minutes). Looked at and",
  'not kept: each slot of the combination index keeping its',
  "combination's hash, so that a probe reads a row only when the hashes match (a table twice the size:",
  'its adds took 0.42 s against 0.35 s), reading files 256 KiB or 4 MiB at a time (user time traded for',
  "system time, the same wall time), V8's baseline compiler for WebAssembly turned off (no change), and",
  'a JSON answer written as bytes into buffers of 64 KiB rather than as strings: grouped by image build,',
  "the chaining thread's collections took 0.34 s against 0.41 to 0.51 s, its writing no less, and the",
  'buffers, held until a collection came, took the peak from 186 to 188 MB to 204 to 216 MB.',
]

// Measured by hand: exports of other shapes, and a cardinality beyond the generated worlds'.
const otherShapes = [
  '### Other shapes and cardinalities (by hand)',
  '',
  'The same way, the 100,000-finding NDJSON export rewritten in shapes the generator does not write, read',
  "by `scantally aggregate` (two threads), each answer checked against the original's: 30 vulnerable",
  'packages a finding (744 MB) in 0.59 s; ten untagged resources before the tagged one (732 MB) in',
  '0.54 s; EPSS scores written with exponents (`9e-5`) in 0.41 s; ECR container-image resources in',
  '0.36 s; all the same answer.',
  '',
  "Cardinality beyond the generator's worlds: the high world's million findings with each image build",
  "made unique (900,203 distinct builds, 2.4 GB), grouped by image build. Each reading thread's walker",
  'interned at most 262,144 group keys, and past that read every record with a new key alone; it now',
  'has room for 1,048,576 (the table takes memory only as it fills). Alternated by hand, two rounds each',
  '(`--max-items 10`, so that writing 900,000 groups is not what is timed):',
  '',
  '| | before | after |',
  '| --- | ---: | ---: |',
  '| `aggregate --group-by imageBuildVersionArn`, wall | 3.84 to 4.12 s | 3.53 to 3.74 s |',
  '| the same, user CPU | 5.63 to 6.01 s | 4.82 to 5.04 s |',
  '| the same, peak RSS | 446 to 451 MB | 443 to 447 MB |',
  '| `serve` until listening | 3.77 to 3.96 s, 391 to 419 MB | 2.86 to 3.66 s, 375 to 394 MB |',
  '',
  'The high world itself did not move (grouped by image build 3.53 to 4.13 s against 3.15 to 3.19 s, 187',
  'to 193 MB against 192 to 195 MB; `serve` 2.85 to 3.33 s against 2.64 to 3.09 s). The peak of 445 MB is',
  'over the 200 MB target, and grows with the groups: about 360 bytes for each of the 700,000 groups',
  "more than the high world's (the walker's table is not it: the peak is the same with either room).",
]

// Measured by hand: what whole findings in `serve` cost.
const wholeFindings = [
  '### Whole findings in `serve`',
  '',
  "What `ListImageScanFindings`' whole findings cost `scantally serve` (see",
  '[server.md](server.md#whole-findings-how-each-member-maps-and-where-it-comes-from)), measured by hand on',
  '100,000 generated Inspector findings (the bench `Generator`, NDJSON, 254 MB, 98,967 stored findings;',
  'records of about 2.5 KB): the store built as `serve` builds it, then live heap and array buffers after',
  'a full garbage collection, less the same before reading, per stored finding.',
  '',
  '| what the store keeps | heap | array buffers | total | a page of 25, read back |',
  '| --- | ---: | ---: | ---: | ---: |',
  '| key members only (before) | 73 B | 18 B | 91 B | — |',
  '| plus where each record lies in the file | 79 B | 55 B | 134 B | 3.4 ms |',
  '| plus a deflated copy of each record (gzip input, before) | 78 B | 416 B | 494 B | 4.9 ms |',
  '',
  "The location columns are 16 bytes a finding (the array-buffer figure also holds the builder's",
  'growing columns, dropped after loading). The copies were measured deflating each record with a',
  'dictionary of the first ones: 370 bytes against 1.1 KB deflated alone and 2.5 KB as read. They are now',
  'written to a temporary file instead (see docs/server.md), so a gzipped input costs what a plain file does',
  'in memory, 16 bytes a finding, and its records on disk. Process RSS grew by 690, 625 and 1,570 bytes a',
  'finding in the measured runs; most of it is memory the read used and has not yet returned to the',
  'system, not what the store keeps.',
]

// Measured by hand (not by `npm run bench`): kept in every report, with how to do it again.
const byHand = [
  '## Ten million findings (by hand)',
  '',
  'Not part of `npm run bench` (it needs 25 GB of disk and minutes). The 1,000,000-finding NDJSON export',
  'written ten times, each copy with its own finding ids, so every count is ten times that of the',
  'original, which the answer was checked against:',
  '',
  '```sh',
  'src="$(node -p \'require("os").tmpdir()\')/scantally-bench/inspector-42-1000000.ndjson"',
  'for k in 0 1 2 3 4 5 6 7 8 9; do sed "s#finding/0000002a#finding/1000000$k#" "$src"; done > inspector-10m.ndjson',
  '/usr/bin/time -v scantally aggregate --group-by vulnerabilityId --max-results 1000 --output json inspector-10m.ndjson',
  '```',
  '',
  TEN_MILLION,
  '',
  '## Against DuckDB',
  '',
  'DuckDB parses NDJSON with a C JSON parser on every core. scantally walks each record once in',
  'WebAssembly (`packages/source-json/assembly/record.ts`, compiled with AssemblyScript when the package',
  'is built): strings are scanned 16 bytes at a time, the members the engine needs are found by their key',
  'bytes, group keys are interned and finding ARNs fingerprinted inside the module, and everything else is',
  'skipped with the grammar checked, as the plain path would, in one loop over a stack of levels. When no',
  'ARN is kept, the module also reads records in runs: it maps each record itself (status, image linkage,',
  'validity, as the fast path does in JavaScript) and writes each counted finding as nine words (its group',
  'keys as ids of interned strings, its severity, fixAvailable and exploitAvailable, its fingerprint), so',
  'a thread crosses into JavaScript once per run of up to 1,024 findings, not once per record; a record a',
  'run does not map stops it and is read on the usual way. The file is cut into pieces that shrink towards',
  'its end, and each thread takes the next piece when it is free, so both cores stay busy to the end. Each',
  'finding crosses to the calling thread as five numbers and the fingerprint of its ARN, to be',
  'de-duplicated in file order (so that the first occurrence of an ARN wins, as in a one-thread read),',
  'then counted by those ids (no finding object is made). What is left besides the walk: `readSync` copies the file',
  "into the module's memory, and the calling thread de-duplicates and aggregates every finding. Both",
  "threads are busy throughout (the process's CPU time is about 1.9 times its wall time), so what makes",
  'the read faster is less work per record, not more parallelism. The Targets above say how the two',
  'compare in this run. The command and its reader threads start from two bundled files (built with',
  'esbuild), not from the hundred-odd modules of the packages, which saves about 0.15 s of loading before',
  'the first byte is read. The AWS SDK, most of the code, is not in what the command loads as it starts:',
  'it comes in chunks of its own, loaded only by a run that reads S3 or Inspector or resolves pipelines',
  'live. Loading and compiling it took 0.19 s of every run (`scantally --version` 0.44–0.51 s, now',
  '0.23–0.26 s; a million high-cardinality findings 1.81–1.82 s, now 1.61–1.66 s, by hand, alternated).',
]

const fmt = (n: number, digits = 1): string => n.toFixed(digits)

/**
 * The ratio of a row's throughput to another's on the same input (how many times faster).
 *
 * @category utils
 */
export const speedup = (r: Row, base: Row | undefined): number | undefined =>
  base === undefined ? undefined : base.ms / r.ms

/**
 * The baseline of an input: whole-file `JSON.parse` for a document, line-by-line for NDJSON.
 *
 * @category utils
 */
export const baselineOf = (rows: ReadonlyArray<Row>, input: string): Row | undefined =>
  rows.find((r) => r.input === input && r.kind === 'baseline')

/**
 * The report as markdown.
 *
 * @category utils
 */
export const renderReport = (res: Results, targets: ReadonlyArray<string>): string => {
  const lines: string[] = []
  lines.push('# Performance', '')
  lines.push(
    'Generated by the benchmark suite in `packages/bench`; see "Running it" for how to run',
    'it below. Figures are medians of several runs, measured in one run of the suite on one machine; ratios compare',
    'contenders on the same bytes in that same run, whose runs are taken in turns (one of each contender, then',
    'again), so that a machine whose speed drifts weighs on all alike. Before every run the input is read through',
    'once, so that each contender finds it in the page cache. Wall time includes process start for every contender.',
    '',
  )
  lines.push(...howToRun, '')
  lines.push('## This run', '')
  lines.push(`- command: \`${res.command}\``)
  lines.push(`- machine: ${describeMachine(res.machine)}`)
  lines.push(`- date: ${res.date}`, '')
  lines.push('## Ingestion and aggregation', '')
  lines.push(
    'Every contender counts the `ACTIVE`, image-linked, de-duplicated findings of the export per',
    'vulnerability id (`scantally aggregate --group-by vulnerabilityId`); "agrees" says its answer matched',
    "the library's. The baseline of a document is the whole file read into one string, `JSON.parse` and a",
    'plain counting loop; of NDJSON, `JSON.parse` of each line and the same loop. The CLI and the library',
    'are measured on one reading thread per core (their default for a large file: the file is cut at',
    'verified record starts, see docs/sources.md) and on one thread (which reads such a file as one piece,',
    'in place); the baselines and peers have what they',
    'have (`JSON.parse` one thread, DuckDB every core).',
    '',
    'The exports come from three generated worlds (`packages/bench/src/Generator.ts`): **low** (5 accounts,',
    '400 image builds, 5,000 vulnerabilities, 1 finding in 100 repeated), **medium** (50 accounts, 20,000',
    'builds, 10,000 vulnerabilities, 2 in 100 repeated) and **high** (200 accounts, 200,000 builds, about',
    'five findings each at a million, every finding distinct, timestamps as epoch seconds). Beyond the low',
    'world only the CLI, the plain path (the reference every answer is checked against) and DuckDB run.',
    'DuckDB reads the NDJSON: the CLI on a document is compared with DuckDB on the same findings as NDJSON,',
    "run in the document's rounds (its row under the document, its MB/s those of the NDJSON it reads).",
    "The high world's NDJSON is also answered grouped by image build (`--group-by imageBuildVersionArn`),",
    'the key with the most distinct values (about 200,000 groups, each printed), beside DuckDB grouping the',
    "same findings by their first linked resource's image build; the digest checks the two agree. DuckDB",
    'runs that query twice: printing one row of sums over its groups, as in every other round, and writing',
    'every group sorted by key, one JSON object a line (`COPY … TO`, its own fastest writer, into a file',
    'then printed), as the CLI writes its 84 MB answer; the digest is then read from its lines.',
    'It and its gzip copy are also loaded by `scantally serve` ("loaded by serve"), timed from start until it',
    'prints that it listens (then stopped with SIGINT), beside `scantally aggregate` on the same file in the',
    'same rounds (grouped as the benchmark groups, by vulnerability, and by image build: `serve` interns',
    "every group key, `aggregate` only its grouping's, and the image builds are the costliest); its answers",
    'are checked by the tests, not here.',
    "Every million-finding export is also measured gzipped (level 6), beside the floor of reading it: Node's",
    'zlib inflating it and doing nothing else, each inflated MiB given back as soon as it is seen (as the',
    'reader gives it back once copied; left to the garbage collector, the same inflating takes about a third',
    'longer). On two cores the CLI reads a gzipped file whole on the calling thread, reading its records as',
    "the bytes arrive while zlib inflates on libuv's threads (with more cores, it is cut into blocks read on",
    "the others; see docs/sources.md). The low world's NDJSON is also cut into four gzipped parts (a folder",
    'of report parts, read a file per thread, the first on the calling thread), beside the floors of',
    'inflating the parts one after another and all at once, and loaded by `scantally serve` (a file per',
    'reading thread, each counted record copied as it is read; see docs/sources.md).',
    "The high world's NDJSON is also written as a JSON writer that escapes every `/` writes it (\"every '/'",
    'escaped": every ARN then has escapes), a spelling the generator does not write, read by the CLI and',
    'DuckDB (see [Other spellings](#other-spellings-by-hand)).',
    '',
  )
  lines.push(
    '| input | size | contender | runs | wall (median) | MB/s | findings/s | peak RSS | × baseline | agrees |',
  )
  lines.push('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: |')
  for (const r of res.rows) {
    const base = baselineOf(res.rows, r.input)
    const ratio = r.kind === 'baseline' ? 1 : speedup(r, base)
    lines.push(
      `| ${r.input} | ${fmt(mb(r.bytes), 0)} MB | ${r.contender} | ${r.runs} | ${fmt(r.ms / 1000, 2)} s | ${fmt(throughput(r))} | ${Math.round(r.findings / (r.ms / 1000)).toLocaleString('en-US')} | ${r.rss === undefined ? 'n/a' : `${fmt(mb(r.rss), 0)} MB`} | ${ratio === undefined ? 'n/a' : `${fmt(ratio, 2)}×`} | ${r.agrees === undefined ? 'n/a' : r.agrees ? 'yes' : '**no**'} |`,
    )
  }
  lines.push('')
  if (res.paging !== undefined) {
    const p = res.paging
    lines.push('## Paging', '')
    lines.push(
      `On ${p.input} (${p.rows.toLocaleString('en-US')} index rows, ${p.groups.toLocaleString('en-US')} groups by vulnerability id), each on a fresh engine:`,
      '',
      '| measure | median |',
      '| --- | ---: |',
      `| one unpaged answer (\`allGroups\`) | ${fmt(p.unpagedMs, 1)} ms |`,
      `| every page at 100 a page, following \`nextToken\` | ${fmt(p.pagedMs, 1)} ms |`,
      `| ratio | ${fmt(p.pagedMs / p.unpagedMs, 2)}× |`,
      '',
    )
  }
  if (res.memory !== undefined) {
    const m = res.memory
    lines.push('## Serve memory', '')
    lines.push(
      `What \`scantally serve\` keeps for ${m.input} (${m.findings.toLocaleString('en-US')} counted findings, ${m.rows.toLocaleString('en-US')} distinct indexed combinations): live heap and buffers after a full garbage collection, less the same before reading.`,
      '',
      '| structure | live bytes | per unit |',
      '| --- | ---: | ---: |',
      `| index (aggregations) | ${fmt(mb(m.indexBytes), 1)} MB | ${fmt(m.indexBytes / m.rows, 0)} bytes per combination |`,
      `| store (ListImageScanFindings) | ${fmt(mb(m.storeBytes), 1)} MB | ${fmt(m.storeBytes / m.findings, 0)} bytes per finding |`,
      '',
      ...wholeFindings,
      '',
      ...highCardinalityServe,
      '',
    )
  }
  lines.push(...highCardinalityGroups, '')
  lines.push(...gzipMemory, '')
  lines.push(...oneThread, '')
  lines.push(...otherSpellings, '')
  lines.push(...otherShapes, '')
  lines.push(...gzippedObjects, '')
  lines.push(...gzipFloor, '')
  lines.push(...lessPerFinding, '')
  lines.push('## Targets', '', ...targets.map((t) => `- ${t}`), '')
  lines.push(...byHand, '')
  if (res.notes.length > 0) lines.push('## Notes', '', ...res.notes.map((n) => `- ${n}`), '')
  return lines.join('\n')
}
