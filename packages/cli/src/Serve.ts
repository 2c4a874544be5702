/**
 * `scantally serve`: loads export files into an index and a finding store, then serves
 * ListImageScanFindingAggregations and ListImageScanFindings over the AWS wire protocol until
 * SIGINT or SIGTERM. With a token key file, SIGHUP reads the file again and rotates the keys
 * while serving.
 *
 * @module
 */
import { type FileHandle, open, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { defaultPageSize, type FindingSource, foldSource, type TokenKey } from '@scantally/core'
import { countOf, isFromRow, makeBuilder, makeScanFindingStoreBuilder } from '@scantally/core/internal'
import {
  type AccessEntry,
  accessLogLine,
  type Credential,
  decodeCredentials,
  defaultPort,
  startServer,
  stderrLogger,
} from '@scantally/server'
import { type FindingIdSink, likelyFindings, releaseYoungGeneration } from '@scantally/source-json'
import * as E from 'fp-ts/lib/Either.js'
import { noInput, parseCommandLine, wholeNumber } from './Args.js'
import { type InputError, openInputs } from './Inputs.js'
import { stopped, untilStopped } from './Interrupt.js'
import { exitCodes, type Io } from './Io.js'
import { loadKeyFile } from './KeyFile.js'
import { keysFrom } from './Keys.js'
import { checkHost, listenFailure, probeListen } from './Listen.js'
import { inputBytes, progressOf } from './Progress.js'
import { makeRecordDetails } from './RecordDetails.js'
import {
  loadSourceOptions,
  noteSkippedInputs,
  parseSourceOptions,
  sourceOptionSpecs,
} from './SourceOptions.js'
import { formatBytes, renderSummary } from './Summary.js'
import { failed, usageError } from './Usage.js'

/**
 * Help text of `scantally serve`.
 *
 * @category model
 */
export const serveHelp = `Usage: scantally serve [options] <file|dir|s3://bucket/prefix|inspector:[REGION]>...

Checks that it can listen on HOST:PORT, loads scan-finding exports (a progress bar on a
terminal), then serves POST /ListImageScanFindingAggregations and
POST /ListImageScanFindings in the AWS restJson1 protocol, so the AWS SDK and CLI can call it
(endpoint http://HOST:PORT). Prints "listening on http://HOST:PORT" on stdout once ready; stops
cleanly on SIGINT or SIGTERM.

Options:
  --host HOST              address to bind (default 127.0.0.1; without --credentials only a
                           loopback address is allowed)
  --port PORT              port (default ${defaultPort}; 0 picks a free one)
  --credentials FILE       JSON [{"accessKeyId","secretAccessKey","accountIds":[...]}]: verify every
                           request's SigV4 signature (service imagebuilder) and scope each key
                           to its accounts
  --rate LIMIT             requests per second per caller (token bucket); over it: 429
  --page-size N            groups per ListImageScanFindingAggregations page, 1-1000 (default ${defaultPageSize})
  --token-key KEY          token signing key(s), [id:]hex-or-base64, newest first, comma-separated
                           (or SCANTALLY_TOKEN_KEYS); without one an ephemeral key is made
  --token-key-file FILE    token keys, one [id:]hex-or-base64 per line, newest first ('#' comments);
                           read again on SIGHUP: put a new key first to sign with it while old
                           tokens keep working, then remove the old key to reject its tokens
  --access-log FILE|-       one line per request (ISO time, caller: the access key id or
                           anonymous, operation, HTTP status, milliseconds), appended to FILE;
                           - writes them to stdout, after the "listening on" line
  --status, --include-unlinked, --pipeline-map, --resolve-pipelines, --on-invalid, --workers,
  --include                as for 'scantally aggregate' (inputs too: inspector: reads live findings)

Examples:
  scantally serve examples/imagebuilder-findings.json
  scantally serve --port 0 --credentials creds.json --rate 20 --token-key "$KEY" exports/
`

const options = {
  host: { type: 'string' },
  port: { type: 'string' },
  credentials: { type: 'string' },
  rate: { type: 'string' },
  'page-size': { type: 'string' },
  'token-key': { type: 'string', multiple: true },
  'token-key-file': { type: 'string' },
  'access-log': { type: 'string' },
  ...sourceOptionSpecs,
  help: { type: 'boolean', short: 'h' },
} as const

/**
 * Runs `scantally serve`; resolves with the exit code once the server has stopped.
 *
 * @category commands
 */
export const serve = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  // Answering makes short-lived garbage at a high rate, which a young generation grown during the
  // load (as V8 grows it by default) collects less often: held small through the load, the server
  // answered 4% fewer requests a second, with a p99 of 15 ms instead of 13 (by hand; the load's
  // peak is within its target either way).
  releaseYoungGeneration()
  const parsed = parseCommandLine(argv, options)
  if (E.isLeft(parsed)) return usageError(io, 'serve', parsed.left)
  const { values, positionals: inputs } = parsed.right
  if (values.help) {
    io.stdout(serveHelp)
    return exitCodes.ok
  }
  if (inputs.length === 0)
    return usageError(io, 'serve', noInput(argv, options, 'export files or directories'))
  const port = values.port === undefined ? E.right(defaultPort) : wholeNumber('--port', values.port, 0, 65535)
  if (E.isLeft(port)) return usageError(io, 'serve', port.left)
  const pageSize =
    values['page-size'] === undefined
      ? E.right(defaultPageSize)
      : wholeNumber('--page-size', values['page-size'], 1, 1000)
  if (E.isLeft(pageSize)) return usageError(io, 'serve', pageSize.left)
  const host = checkHost(values.host ?? '127.0.0.1', values.credentials !== undefined)
  if (E.isLeft(host)) return usageError(io, 'serve', host.left)
  const rate = values.rate === undefined ? undefined : Number(values.rate)
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0))
    return usageError(
      io,
      'serve',
      `--rate must be a positive number of requests per second, got ${JSON.stringify(values.rate)}`,
    )
  const sourceOptions = parseSourceOptions(values)
  if (E.isLeft(sourceOptions)) return usageError(io, 'serve', sourceOptions.left)
  const keyFile = values['token-key-file']
  if (keyFile !== undefined && values['token-key'] !== undefined)
    return usageError(io, 'serve', '--token-key and --token-key-file exclude each other')
  const keys =
    keyFile === undefined ? keysFrom(values['token-key'] ?? [], io.env.SCANTALLY_TOKEN_KEYS) : undefined
  if (keys !== undefined && E.isLeft(keys)) return usageError(io, 'serve', keys.left)
  let tokenKeys = keys?.right
  if (keyFile !== undefined) {
    const loaded = await loadKeyFile(keyFile)
    if (E.isLeft(loaded))
      return failed(io, { _tag: 'TokenKeyFile', message: `--token-key-file ${loaded.left}` })
    if (loaded.right.readableByOthers)
      io.stderr(`warning: ${keyFile} is readable by other users; token keys are secrets (chmod 600)\n`)
    tokenKeys = { keys: loaded.right.keys, ephemeral: false }
  }
  if (tokenKeys === undefined) return usageError(io, 'serve', 'no token keys')

  let credentials: ReadonlyArray<Credential> | undefined
  if (values.credentials !== undefined) {
    const loaded = await loadCredentials(values.credentials)
    if (E.isLeft(loaded))
      return failed(io, { ...loaded.left, message: `--credentials ${loaded.left.message}` })
    credentials = loaded.right
  }
  // Where it will listen and log is checked before the load, which can take minutes.
  const probed = await probeListen(host.right, port.right)
  if (E.isLeft(probed)) return failed(io, { _tag: 'ListenFailed', message: probed.left })
  const accessLog =
    values['access-log'] === undefined ? undefined : await openAccessLog(io, values['access-log'])
  if (accessLog !== undefined && E.isLeft(accessLog)) return failed(io, accessLog.left)
  const read = await loadSourceOptions(sourceOptions.right, noteSkippedInputs(io.stderr, false))
  if (E.isLeft(read)) return failed(io, read.left)

  const started = io.now()
  const progress = await progressOf(io, inputs, false)
  const loading = startLoad(await inputBytes(inputs, true))
  // Located records: ListImageScanFindings serves each finding whole, read back from its export.
  const source = await openInputs(
    inputs,
    sourceOptions.right,
    {
      ...read.right,
      locate: true,
      findingArns: false,
      into: loading.sink,
      onProgress: (bytes) => progress.update(bytes, loading.findings()),
    },
    { io, command: 'serve', quiet: false },
  )
  if (E.isLeft(source)) return source.left
  const finished = await untilStopped(io, loading.load(source.right))
  progress.done()
  if (E.isLeft(finished)) {
    await accessLog?.right.close()
    return stopped(io, 'serve', finished.left)
  }
  const loaded = finished.right
  if (E.isLeft(loaded)) return failed(io, loaded.left)
  io.stderr(renderSummary(loaded.right.report, io.now() - started))
  if (loaded.right.fromRows > 0)
    io.stderr(
      `note: ${loaded.right.fromRows} findings come from combination rows: they are counted in aggregations, and ListImageScanFindings does not list them (rows hold counts, not findings)\n`,
    )

  if (loaded.right.copiedBytes > 0)
    io.stderr(
      `note: ${formatBytes(loaded.right.copiedBytes)} of records from inputs that cannot be read again (gzip, standard input, S3) are kept, for ListImageScanFindings, in a deleted temporary file under ${tmpdir()} (TMPDIR) until scantally serve stops\n`,
    )
  if (tokenKeys.ephemeral)
    io.stderr(
      'no --token-key or SCANTALLY_TOKEN_KEYS: using an ephemeral token key; tokens stop working on restart\n',
    )
  let running: Awaited<ReturnType<typeof startServer>>
  try {
    running = await startServer({
      index: loaded.right.index,
      engineOptions: { keys: tokenKeys.keys, pageSize: pageSize.right },
      store: loaded.right.store,
      ...(credentials === undefined ? {} : { credentials }),
      ...(rate === undefined ? {} : { rateLimit: { perSecond: rate } }),
      host: host.right,
      port: port.right,
      logger: stderrLogger,
      ...(accessLog === undefined ? {} : { onAnswered: accessLog.right.write }),
    })
  } catch (e) {
    await accessLog?.right.close()
    const error = e as NodeJS.ErrnoException
    const message = error.code === undefined ? error.message : listenFailure(host.right, port.right, error)
    io.stderr(`scantally serve: ${message}\n`)
    return exitCodes.failed
  }
  const stopReloading = keyFile === undefined ? () => {} : reloadKeysOnSignal(io, keyFile, running.handler)
  io.stdout(`listening on ${running.url}\n`)
  const signal = await io.stopSignal
  stopReloading()
  io.stderr(`${signal}: shutting down\n`)
  await running.close()
  await accessLog?.right.close()
  return exitCodes.ok
}

// The access log's sink: a file appended to, or stdout for -. A file that cannot be opened is
// an error naming --access-log, found before the load.
const openAccessLog = async (
  io: Io,
  target: string,
): Promise<
  E.Either<
    { readonly _tag: string; readonly message: string },
    { readonly write: (entry: AccessEntry) => void; readonly close: () => Promise<void> }
  >
> => {
  if (target === '-')
    return E.right({ write: (entry) => io.stdout(`${accessLogLine(entry)}\n`), close: async () => {} })
  let file: FileHandle
  try {
    file = await open(target, 'a')
  } catch (e) {
    return E.left({
      _tag: 'AccessLog',
      message: `--access-log ${target}: cannot be opened: ${(e as Error).message}`,
    })
  }
  const stream = file.createWriteStream()
  return E.right({
    write: (entry) => {
      stream.write(`${accessLogLine(entry)}\n`)
    },
    close: () => new Promise<void>((resolve) => stream.end(resolve)),
  })
}

// The index and the store, filled from the same counted findings so both operations agree, and
// only when the read succeeded as a whole: a failed read leaves nothing to serve. The store keeps
// each finding as its index row, so both share one set of strings; the inputs de-duplicate (by
// ARN, across every input), so the builders keep no ARNs. A split read puts its findings into
// the `sink` as ids of the index's dictionaries (no object per finding); the rest come as
// findings. Only the frozen structures outlive this: the builders' lookup tables are dropped with it.
const startLoad = (bytes: number) => {
  // Room for a combination (and a record's place) per finding the inflated files likely hold, so
  // that the index does not rehash while the chaining thread is the busiest; at most 2^20 (42 MB
  // of columns and slots, 16 MB of places), so that a wrong guess costs a bounded amount.
  const expected = Math.min(likelyFindings(bytes), 1 << 20)
  const index = makeBuilder({ dedupe: false, expectedRows: expected })
  const b = {
    index,
    store: makeScanFindingStoreBuilder({ index }),
    details: makeRecordDetails(undefined, expected),
    fromRows: 0,
    findings: 0,
  }
  const sink: FindingIdSink = {
    intern: index.intern,
    add: (account, build, pipeline, vulnerability, severity, fix, exploit, at) => {
      b.store.addIds(account, build, pipeline, vulnerability, severity, fix, exploit)
      b.details.addAt(at)
      b.findings++
    },
  }
  const load = async (source: FindingSource<InputError>) => {
    // A source's findings are valid records already: the store takes them without checking again.
    const loaded = await foldSource(source, b, (b, f) => {
      b.findings++
      // Counts from combination rows are aggregations only: there is no finding to list.
      if (isFromRow(f)) {
        b.index.add(f)
        b.fromRows += countOf(f)
      } else if (b.store.addFinding(f)) b.details.add(f)
      return b
    })()
    if (E.isLeft(loaded)) return loaded
    const { value, report } = loaded.right
    const details = value.details.freeze()
    if (E.isLeft(details)) return E.left({ _tag: 'RecordCopies', message: details.left })
    const store = value.store.freeze(details.right)
    return E.right({
      index: store.index,
      store,
      fromRows: value.fromRows,
      copiedBytes: value.details.copiedBytes(),
      report,
    })
  }
  return { sink, load, findings: () => b.findings }
}

// Reloads run one after the other, so a slow read never overwrites a newer one. A file that
// cannot be used leaves the keys as they are: a typo must not take every token down.
const reloadKeysOnSignal = (
  io: Io,
  path: string,
  handler: { readonly setTokenKeys: (keys: ReadonlyArray<TokenKey>) => void },
): (() => void) => {
  if (io.onReload === undefined) return () => {}
  let queue = Promise.resolve()
  return io.onReload(() => {
    queue = queue.then(async () => {
      const loaded = await loadKeyFile(path)
      if (E.isLeft(loaded)) {
        io.stderr(`SIGHUP: token keys not reloaded, the previous keys stay in use: ${loaded.left}\n`)
        return
      }
      try {
        handler.setTokenKeys(loaded.right.keys)
        io.stderr(
          `SIGHUP: token keys reloaded from ${path}: signing with ${loaded.right.keys[0].id}, accepting ${loaded.right.keys.map((k) => k.id).join(', ')}\n`,
        )
      } catch (e) {
        io.stderr(`SIGHUP: token keys not reloaded, the previous keys stay in use: ${(e as Error).message}\n`)
      }
    })
  })
}

const loadCredentials = async (
  path: string,
): Promise<E.Either<{ readonly _tag: string; readonly message: string }, ReadonlyArray<Credential>>> => {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    return E.left({ _tag: 'ReadFailed', message: `${path}: cannot be read: ${(e as Error).message}` })
  }
  let u: unknown
  try {
    u = JSON.parse(text)
  } catch (e) {
    return E.left({ _tag: 'MalformedJson', message: `${path}: ${(e as Error).message}` })
  }
  return E.mapLeft((err: { readonly _tag: string; readonly message: string }) => ({
    _tag: err._tag,
    message: `${path}: ${err.message}`,
  }))(decodeCredentials(u))
}
