/**
 * The generated exports a benchmark reads: written once per seed, size and layout into a folder
 * under the system's temporary directory (never into the repository), and reused by later runs.
 *
 * @module
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import { type Layout, makeUniverse, pipelineMapOf, type Shape, shapes, writeExport } from './Generator.js'

/**
 * One generated export on disk.
 *
 * @category model
 */
export interface Dataset {
  readonly path: string
  readonly layout: Layout
  readonly findings: number
  readonly shape: Shape
  readonly bytes: number
  readonly pipelineMap: string
}

/**
 * The folder generated exports live in (`SCANTALLY_BENCH_DIR`, else a folder of the temporary
 * directory).
 *
 * @category constructors
 */
export const dataDir = (): string => process.env.SCANTALLY_BENCH_DIR ?? join(tmpdir(), 'scantally-bench')

/**
 * The export of `findings` findings of a seed in a layout, generated unless it already exists.
 * A file is written under a temporary name and renamed when complete, so an interrupted run
 * never leaves a truncated export to be reused.
 *
 * @category constructors
 */
export const ensureDataset = async (
  seed: number,
  findings: number,
  layout: Layout,
  log: (line: string) => void,
  shape: Shape = shapes.low,
): Promise<Dataset> => {
  const dir = dataDir()
  await mkdir(dir, { recursive: true })
  // The low world keeps its historical names, so exports generated before shapes existed are reused.
  const name = shape.name === 'low' ? `${seed}` : `${shape.name}-${seed}`
  const path = join(dir, `inspector-${name}-${findings}.${layout}`)
  const pipelineMap = join(dir, `pipelines-${name}.json`)
  if (!existsSync(pipelineMap))
    await writeFile(pipelineMap, JSON.stringify(pipelineMapOf(makeUniverse(seed, shape)), null, 2))
  if (!existsSync(path)) {
    log(`generating ${path}`)
    const started = performance.now()
    await writeExport(`${path}.partial`, seed, findings, layout, shape)
    await rename(`${path}.partial`, path)
    log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  }
  return { path, layout, findings, shape, bytes: (await stat(path)).size, pipelineMap }
}

/**
 * The gzip copy of an export (level 6, as `gzip` writes by default), written beside it once.
 *
 * @category constructors
 */
export const ensureGzip = async (ds: Dataset, log: (line: string) => void): Promise<Dataset> => {
  const path = `${ds.path}.gz`
  if (!existsSync(path)) {
    log(`compressing ${path}`)
    await pipeline(createReadStream(ds.path), createGzip({ level: 6 }), createWriteStream(`${path}.partial`))
    await rename(`${path}.partial`, path)
  }
  return { ...ds, path, bytes: (await stat(path)).size }
}

/**
 * The same export as a JSON writer that escapes every '/' writes it (PHP's `json_encode` does by
 * default), so every ARN is written with escapes: written beside it once. A '/' is only ever
 * inside a string in JSON, and no byte of a multi-byte UTF-8 sequence is one, so each is replaced
 * as it is.
 *
 * @category constructors
 */
export const ensureEscapedSlashes = async (ds: Dataset, log: (line: string) => void): Promise<Dataset> => {
  const path = ds.path.replace(/(\.[a-z]+)$/, '.escaped$1')
  if (!existsSync(path)) {
    log(`writing ${path} with every '/' escaped`)
    const slash = Buffer.from('/')
    const escaped = Buffer.from('\\/')
    await pipeline(
      createReadStream(ds.path, { highWaterMark: 1 << 20 }),
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          const parts: Array<Buffer> = []
          let from = 0
          for (let at = chunk.indexOf(slash); at >= 0; at = chunk.indexOf(slash, from)) {
            parts.push(chunk.subarray(from, at), escaped)
            from = at + 1
          }
          parts.push(chunk.subarray(from))
          yield Buffer.concat(parts)
        }
      },
      createWriteStream(`${path}.partial`),
    )
    await rename(`${path}.partial`, path)
  }
  return { ...ds, path, bytes: (await stat(path)).size }
}

/**
 * The NDJSON export `ds` as `parts` gzipped files of about equal size, cut between lines (a
 * folder of report parts), written once beside it; the folder is the dataset's path, its bytes
 * the parts' compressed bytes.
 *
 * @category constructors
 */
export const ensureGzipParts = async (
  ds: Dataset,
  parts: number,
  log: (line: string) => void,
): Promise<Dataset> => {
  const dir = `${ds.path}.${parts}-parts`
  if (!existsSync(dir)) {
    log(`cutting ${ds.path} into ${parts} gzipped parts`)
    const partial = `${dir}.partial`
    await rm(partial, { recursive: true, force: true })
    await mkdir(partial)
    const share = Math.ceil(ds.bytes / parts)
    let k = 0
    let written = 0
    let out = createGzip({ level: 6 })
    let done = pipeline(out, createWriteStream(join(partial, `part-${k}.ndjson.gz`)))
    const write = (bytes: Buffer): Promise<void> =>
      out.write(bytes) ? Promise.resolve() : new Promise((resolve) => out.once('drain', () => resolve()))
    for await (const chunk of createReadStream(ds.path, { highWaterMark: 1 << 20 })) {
      let rest = chunk as Buffer
      // A part ends at the first line end past its share (the last takes the rest).
      while (k < parts - 1 && written + rest.length > share) {
        const nl = rest.indexOf(0x0a, Math.max(0, share - written))
        if (nl < 0) break
        await write(rest.subarray(0, nl + 1))
        out.end()
        await done
        k++
        written = 0
        rest = rest.subarray(nl + 1)
        out = createGzip({ level: 6 })
        done = pipeline(out, createWriteStream(join(partial, `part-${k}.ndjson.gz`)))
      }
      await write(rest)
      written += rest.length
    }
    out.end()
    await done
    await rename(partial, dir)
  }
  let bytes = 0
  for (const name of await readdir(dir)) bytes += (await stat(join(dir, name))).size
  return { ...ds, path: dir, bytes }
}
