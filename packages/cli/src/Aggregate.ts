/**
 * `scantally aggregate`: reads export files in one streaming pass, holding only the groups of
 * the query, and prints the answer as the AWS API (or the extended query) would give it.
 *
 * @module
 */

import { randomUUID } from 'node:crypto'
import {
  accumulate,
  type Caller,
  decodeAggregationsRequest,
  decodeQuery,
  defaultPageSize,
  foldInto,
  localCaller,
  type Query,
  type ScantallyError,
  type Severity,
} from '@scantally/core'
import {
  defaultTokenTtlSeconds,
  fromAwsRequest,
  groupKeys,
  keysRead,
  type Operation,
  type Page,
  planPage,
  sortFields,
  sortOrders,
  type TokenConfig,
  toAwsResponse,
  toQueryResponse,
} from '@scantally/core/internal'

import * as E from 'fp-ts/lib/Either.js'
import { noInput, oneOf, parseCommandLine, wholeNumber, wordList } from './Args.js'
import { awsEntryText, groupEntryText } from './EntryText.js'
import { countAtOrAbove, failOnLine, parseFailOn } from './FailOn.js'
import { parseFilter, parseWhere } from './FilterArgs.js'
import { hints } from './Hints.js'
import { openInputs } from './Inputs.js'
import { stopped, stoppedWriting, untilStopped } from './Interrupt.js'
import { exitCodes, type Io } from './Io.js'
import { keysFrom } from './Keys.js'
import { nextTokenLine, type Paging, pageOf } from './Pages.js'
import { progressOf } from './Progress.js'
import {
  awsColumns,
  extendedColumns,
  type Format,
  renderCsv,
  renderJsonPieces,
  renderMarkdown,
  renderTable,
  writePieces,
} from './Render.js'
import {
  loadSourceOptions,
  noteSkippedInputs,
  parseSourceOptions,
  type SourceOptions,
  sourceOptionSpecs,
} from './SourceOptions.js'
import { renderSummary } from './Summary.js'
import { failed, usageError } from './Usage.js'

/**
 * Help text of `scantally aggregate`.
 *
 * @category model
 */
export const aggregateHelp = `Usage: scantally aggregate [options] <file|dir|-|s3://bucket/prefix|inspector:[REGION]>...

Aggregates scan-finding exports (Image Builder ListImageScanFindings output, Inspector v2
ListFindings output or findings report in JSON or CSV, NDJSON, EventBridge events, Security Hub
ASFF findings from Inspector; gzip accepted) the way ListImageScanFindingAggregations answers.
A directory reads every export file in it (and names the files it skips); - reads stdin;
s3://bucket/prefix reads every object under the prefix (AWS_S3_FORCE_PATH_STYLE=true for
path-style addressing).
inspector: (or inspector:REGION) reads live findings with Amazon Inspector ListFindings, with
the AWS credentials, AWS_REGION and AWS_ENDPOINT_URL_INSPECTOR2 of the environment; inputs mix,
and findings are de-duplicated by findingArn across them.

AWS request:
  --filter FILTER          name=NAME,values=V1,V2  or  name=NAME,values=[V1,V2]  or
                           '{"name":"NAME","values":["V1"]}'  or  file://filter.json (either form)
                           NAME: accountId | imageBuildVersionArn | imagePipelineArn | vulnerabilityId
  --no-paginate            print one page with its nextToken (default: follow every page)
  --max-items N            print at most N groups in all, then a NextToken (in the JSON, or on
                           stderr after a table or CSV) to go on from with --starting-token
  --starting-token TOKEN   continue from a nextToken or NextToken (same options otherwise)
  --page-size N            groups per page, 1-1000 (default 100); pages are followed unless
                           --no-paginate, so this does not cap the answer: --max-items does

Extended query (any of these switches to it):
  --group-by KEY           accountId | imageBuildVersionArn | imagePipelineArn | vulnerabilityId
  --where FIELD=OP:VALUE   repeatable; FIELD: the four keys, severity, fixAvailable;
                           OP: EQUALS | PREFIX | NOT_EQUALS
  --sort-by KEY|CRITICAL|HIGH|ALL    --sort-order ASC|DESC
  --max-results N          the extended query's page size, 1-1000 (like --page-size: pages
                           are still followed; --max-items caps the total)

Sources:
  --status ACTIVE|SUPPRESSED|CLOSED|ALL   which Inspector findings count (default ACTIVE);
                           a comma-separated list counts several: SUPPRESSED,CLOSED
  --include-unlinked       count Inspector findings with no image build linkage (accountId and
                           vulnerabilityId groupings only)
  --pipeline-map FILE      JSON object imageBuildVersionArn -> imagePipelineArn
                           (scantally pipeline-map prints it from Image Builder)
  --resolve-pipelines      resolve pipelines live with Image Builder (GetImage for inspector:,
                           the listed map for files)
  --on-invalid strict|skip strict: stop at the first invalid record (default); skip: report it
  --workers N              threads reading a large uncompressed file, cut at record starts
                           (default: one per core, at most 8; 1: this thread only)
  --include GLOB           repeatable: read only a directory's files whose name matches
                           (default: every file; files that are not exports are skipped and named)

Output:
  -o, --output json|table|markdown|csv  default: table on a terminal, json otherwise;
                           markdown: the table as GitHub-flavoured markdown, for pull
                           requests and chat
  --columns aws|all        the count columns of a table, markdown or CSV of the AWS request: the AWS four
                           (default; a footnote names the severities ALL counts besides) or all
  --token-key KEY          token signing key(s), [id:]hex-or-base64, newest first, comma-separated
                           (or SCANTALLY_TOKEN_KEYS), so tokens work across runs
  --quiet                  no summary or progress on stderr

CI gate:
  --fail-on SEVERITY       exit 3 when the answer counts a finding at SEVERITY or worse
                           (CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNTRIAGED), after
                           printing it as usual

Exit codes: 0 success; 1 an error in the input or the request (nothing on stdout); 2 wrong
usage; 3 findings at or above --fail-on; 130 and 143 stopped by SIGINT (Ctrl-C) and SIGTERM
(nothing on stdout).

Examples:
  scantally aggregate examples/imagebuilder-findings.json
  scantally aggregate --filter name=imagePipelineArn,values=arn:aws:imagebuilder:us-east-1:111122223333:image-pipeline/web-server exports/
  scantally aggregate --output csv --group-by vulnerabilityId --sort-by CRITICAL --sort-order DESC \\
      --where fixAvailable=EQUALS:YES --pipeline-map pipelines.json inspector-export.json.gz
  gunzip -c findings.ndjson.gz | scantally aggregate -
`

const options = {
  filter: { type: 'string' },
  'no-paginate': { type: 'boolean' },
  'max-items': { type: 'string' },
  'starting-token': { type: 'string' },
  'page-size': { type: 'string' },
  'group-by': { type: 'string' },
  where: { type: 'string', multiple: true },
  'sort-by': { type: 'string' },
  'sort-order': { type: 'string' },
  'max-results': { type: 'string' },
  ...sourceOptionSpecs,
  output: { type: 'string', short: 'o' },
  columns: { type: 'string' },
  'token-key': { type: 'string', multiple: true },
  quiet: { type: 'boolean' },
  'fail-on': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

interface Plan {
  readonly operation: Operation
  /** The query, or the request error (exit 1, not a usage error: the usage was right). */
  readonly query: E.Either<ScantallyError, Query>
  readonly pageSize: number
  readonly paging: Paging
  readonly failOn: Severity | undefined
  readonly allColumns: boolean
  readonly format: Format
  readonly source: SourceOptions
  readonly inputs: ReadonlyArray<string>
  readonly quiet: boolean
  readonly tokenKeys: ReadonlyArray<string>
}

/**
 * Runs `scantally aggregate` with its arguments; resolves with the exit code.
 *
 * @category commands
 */
export const aggregate = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const parsed = parse(argv, io)
  if (parsed === 'help') {
    io.stdout(aggregateHelp)
    return exitCodes.ok
  }
  if (E.isLeft(parsed)) return usageError(io, 'aggregate', parsed.left)
  if (E.isLeft(parsed.right.query)) return failed(io, parsed.right.query.left)
  const plan: ReadyPlan = { ...parsed.right, query: parsed.right.query.right }
  const keys = keysFrom(plan.tokenKeys, io.env.SCANTALLY_TOKEN_KEYS)
  if (E.isLeft(keys)) return usageError(io, 'aggregate', keys.left)
  const tokens: TokenConfig = { keys: keys.right.keys, ttlSeconds: defaultTokenTtlSeconds, now: Date.now }
  const caller: Caller = localCaller

  // The token and the caller's scope are checked before reading anything.
  const planned = planPage(tokens, caller, plan.operation, plan.query, plan.pageSize)
  if (E.isLeft(planned)) return failed(io, namingStartingToken(planned.left))

  const read = await loadSourceOptions(plan.source, noteSkippedInputs(io.stderr, plan.quiet))
  if (E.isLeft(read)) return failed(io, read.left)

  // The reader de-duplicates by findingArn across every input, so the accumulator keeps no ARNs;
  // a split read hands it findings as ids of its dictionaries (no object per finding).
  const accumulating = accumulate(plan.query, caller, { dedupe: false })
  if (E.isLeft(accumulating)) return failed(io, accumulating.left)
  const acc = accumulating.right
  const started = io.now()
  const progress = await progressOf(io, plan.inputs, plan.quiet)
  const source = await openInputs(
    plan.inputs,
    plan.source,
    {
      ...read.right,
      // Groups are all this counts: findings need not carry ARNs, nor group keys the query
      // does not read.
      findingArns: false,
      keys: keysRead(plan.query),
      into: { intern: acc.intern, add: acc.addIds },
      stdin: io.stdin,
      onProgress: (bytes) => progress.update(bytes, acc.counted()),
    },
    { io, command: 'aggregate', quiet: plan.quiet, query: plan.query },
  )
  if (E.isLeft(source)) return source.left
  const finished = await untilStopped(io, foldInto(acc)(source.right)())
  progress.done()
  if (E.isLeft(finished)) return stopped(io, 'aggregate', finished.left)
  const accumulated = finished.right
  if (E.isLeft(accumulated)) return failed(io, accumulated.left)

  // Every page from the first (as the AWS CLI follows them), just the one with --no-paginate,
  // or at most --max-items groups.
  const page = pageOf(tokens, planned.right, accumulated.right.groups, plan.paging)
  // A stop asked for while a long answer is being written ends it there (stdout is cut short).
  const written = await untilStopped(io, writePieces(io.stdout, render(plan, page), io.drained))
  if (E.isLeft(written)) return stoppedWriting(io, 'aggregate', written.left)
  // A table or CSV has no room for the token: it goes to stderr, even with --quiet.
  if (plan.format !== 'json') io.stderr(nextTokenLine(page, plan.paging))
  if (!plan.quiet) {
    io.stderr(renderSummary(accumulated.right.report, io.now() - started))
    io.stderr(
      hints({
        report: accumulated.right.report,
        query: plan.query,
        groups: page.items,
        pipelineMap: plan.source.pipelineMap !== undefined || plan.source.resolvePipelines,
      }),
    )
    if (keys.right.ephemeral && page.nextToken !== undefined)
      io.stderr(
        'note: no --token-key or SCANTALLY_TOKEN_KEYS, so this nextToken works only within this run\n',
      )
  }
  const failing = plan.failOn === undefined ? 0 : countAtOrAbove(page.items, plan.failOn)
  if (plan.failOn !== undefined && failing > 0) {
    io.stderr(failOnLine(failing, plan.failOn))
    return exitCodes.findingsAtOrAbove
  }
  return exitCodes.ok
}

type ReadyPlan = Omit<Plan, 'query'> & { readonly query: Query }

// The service's message says `nextToken`; on the command line the token came from --starting-token.
const namingStartingToken = (e: ScantallyError): ScantallyError =>
  e._tag === 'InvalidPaginationTokenException' ? { ...e, message: `--starting-token: ${e.message}` } : e

// The answer in pieces: one with hundreds of thousands of groups is written as it is made.
const render = (plan: ReadyPlan, page: Page): Iterable<string> => {
  const groupBy = plan.query.groupBy
  const columns = plan.operation === 'Query' || plan.allColumns ? extendedColumns : awsColumns
  const partial = page.nextToken !== undefined || plan.query.nextToken !== undefined
  if (plan.format === 'table') return renderTable(groupBy, page.items, columns, partial)
  if (plan.format === 'markdown') return renderMarkdown(groupBy, page.items, columns, partial)
  if (plan.format === 'csv') return renderCsv(groupBy, page.items, columns)
  // With --max-items the AWS CLI prints its own NextToken in place of the service's nextToken.
  const capped = plan.paging.maxItems !== undefined
  const shown = { ...page, items: [], nextToken: capped ? undefined : page.nextToken }
  const query = plan.operation === 'Query'
  const response = query ? toQueryResponse(randomUUID(), shown) : toAwsResponse(randomUUID(), shown)
  return renderJsonPieces(
    capped && page.nextToken !== undefined ? { ...response, NextToken: page.nextToken } : response,
    query ? 'groups' : 'responses',
    page.items,
    query ? groupEntryText : awsEntryText(groupBy),
  )
}

const parse = (argv: ReadonlyArray<string>, io: Io): 'help' | E.Either<string, Plan> => {
  const parsed = parseCommandLine(argv, options)
  if (E.isLeft(parsed)) return parsed
  const { values, positionals } = parsed.right
  if (values.help) return 'help'
  if (positionals.length === 0)
    return E.left(noInput(argv, options, 'export files, directories, or - for standard input'))

  const format = parseFormat(values.output ?? (io.stdoutIsTty ? 'table' : 'json'))
  if (E.isLeft(format)) return format
  const source = parseSourceOptions(values)
  if (E.isLeft(source)) return source
  const pageSize =
    values['page-size'] === undefined
      ? E.right(defaultPageSize)
      : wholeNumber('--page-size', values['page-size'], 1, 1000)
  if (E.isLeft(pageSize)) return pageSize
  const columns = oneOf('--columns', values.columns ?? 'aws', ['aws', 'all'])
  if (E.isLeft(columns)) return columns
  const failOn = parseFailOn(values['fail-on'])
  if (E.isLeft(failOn)) return failOn
  const maxItems =
    values['max-items'] === undefined
      ? E.right(undefined)
      : wholeNumber('--max-items', values['max-items'], 1, Number.MAX_SAFE_INTEGER)
  if (E.isLeft(maxItems)) return maxItems
  const maxResults =
    values['max-results'] === undefined
      ? E.right(undefined)
      : wholeNumber('--max-results', values['max-results'], 1, 1000)
  if (E.isLeft(maxResults)) return maxResults
  const extendedWords = checkExtendedWords(values)
  if (E.isLeft(extendedWords)) return extendedWords

  const filter = values.filter === undefined ? E.right(undefined) : parseFilter(values.filter)
  if (E.isLeft(filter)) return filter
  const where = (values.where ?? []).map(parseWhere)
  const badWhere = where.find(E.isLeft)
  if (badWhere !== undefined && E.isLeft(badWhere)) return E.left(badWhere.left)

  const extended =
    values['group-by'] !== undefined ||
    values['sort-by'] !== undefined ||
    values['sort-order'] !== undefined ||
    values['max-results'] !== undefined ||
    where.length > 0
  const token = values['starting-token']
  let query: E.Either<ScantallyError, Query>
  if (!extended) {
    query = E.map((r: Parameters<typeof fromAwsRequest>[0]) => fromAwsRequest(r, pageSize.right))(
      decodeAggregationsRequest({
        ...(filter.right === undefined ? {} : { filter: filter.right }),
        ...(token === undefined ? {} : { nextToken: token }),
      }),
    )
  } else {
    const f = filter.right as { name?: unknown; values?: unknown } | undefined
    const fromFilter = Array.isArray(f?.values)
      ? f.values.map((value: unknown) => ({ field: f.name, comparison: 'EQUALS', value }))
      : []
    query = decodeQuery({
      groupBy: values['group-by'] ?? (typeof f?.name === 'string' ? f.name : 'accountId'),
      filters: [...fromFilter, ...where.flatMap((w) => (E.isRight(w) ? [w.right] : []))],
      ...(values['sort-by'] === undefined ? {} : { sortBy: values['sort-by'] }),
      ...(values['sort-order'] === undefined ? {} : { sortOrder: values['sort-order'] }),
      maxResults: maxResults.right ?? pageSize.right,
      ...(token === undefined ? {} : { nextToken: token }),
    })
  }
  return E.right({
    operation: extended ? 'Query' : 'ListImageScanFindingAggregations',
    query,
    pageSize: pageSize.right,
    failOn: failOn.right,
    allColumns: columns.right === 'all',
    paging: { paginate: values['no-paginate'] !== true, maxItems: maxItems.right },
    format: format.right,
    source: source.right,
    inputs: positionals,
    quiet: values.quiet === true,
    tokenKeys: values['token-key'] ?? [],
  })
}

const formats: ReadonlyArray<Format> = ['json', 'table', 'markdown', 'csv']

// A path where a format belongs (`--output report.csv`) is said as such: the AWS CLI writes to
// stdout only, so the file is a redirect, in the format its extension suggests.
const parseFormat = (text: string): E.Either<string, Format> => {
  if ((formats as ReadonlyArray<string>).includes(text)) return E.right(text as Format)
  if (/[./\\]/.test(text)) {
    const ext = /\.([A-Za-z]+)$/.exec(text)?.[1]?.toLowerCase()
    const like = ext === 'csv' ? 'csv' : ext === 'md' ? 'markdown' : ext === 'txt' ? 'table' : 'json'
    return E.left(
      `--output takes a format (${wordList(formats)}), not a file: ${JSON.stringify(text)}; to write a file, redirect stdout: -o ${like} > ${text}`,
    )
  }
  return E.left(`--output must be ${wordList(formats)}, got ${JSON.stringify(text)}`)
}

// The extended query's words are checked here, so a wrong one is wrong usage naming the option
// (the core codec would name the query member instead).
const checkExtendedWords = (values: {
  readonly 'group-by'?: string | undefined
  readonly 'sort-by'?: string | undefined
  readonly 'sort-order'?: string | undefined
}): E.Either<string, unknown> => {
  const checks = [
    ['--group-by', values['group-by'], groupKeys],
    ['--sort-by', values['sort-by'], sortFields],
    ['--sort-order', values['sort-order'], sortOrders],
  ] as const
  for (const [flag, value, accepted] of checks) {
    const checked = value === undefined ? E.right(value) : oneOf(flag, value, accepted)
    if (E.isLeft(checked)) return checked
  }
  return E.right(undefined)
}
