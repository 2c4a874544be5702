import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import test from 'ava'

const bundle = fileURLToPath(new URL('../dist/bundle/', import.meta.url))

// The files a bundle file loads as it starts (its static imports, and theirs), by name.
const loadedFrom = async (entry: string): Promise<ReadonlyMap<string, string>> => {
  const files = new Map<string, string>()
  const visit = async (name: string): Promise<void> => {
    if (files.has(name)) return
    const text = await readFile(`${bundle}${name}`, 'utf8')
    files.set(name, text)
    // `import { a, b } from "./x.js";`, over one line or several, and `import "./x.js";`.
    for (const m of text.matchAll(/(?:from|^import) "\.\/([^"]+)";$/gm)) await visit(m[1] as string)
  }
  await visit(entry)
  return files
}

// The bundler names each module it took in a comment with its path.
const awsModules = (text: string): number => (text.match(/^\/\/ .*\/@aws-sdk\//gm) ?? []).length

test('a run of local exports loads no AWS SDK: the command starts without it, and loads it only when a run needs it', async (t) => {
  const loaded = await loadedFrom('scantally.js')
  // What the command shares with the chunks it loads when needed (core, the export reader) is
  // in chunks of its own.
  t.true(loaded.size >= 2)
  for (const [name, text] of loaded) t.is(awsModules(text), 0, `${name} holds AWS SDK modules`)
  // Not vacuous: the SDK is in the chunks imported when a run needs them (a command, when it
  // runs; the S3 and the live sources, when a run reads them), and only there.
  const dynamic = new Map<string, string>()
  const follow = async (files: ReadonlyMap<string, string>): Promise<void> => {
    for (const text of files.values())
      for (const m of text.matchAll(/import\("\.\/([^"]+)"\)/g)) {
        const name = m[1] as string
        if (dynamic.has(name) || loaded.has(name)) continue
        const more = await loadedFrom(name)
        for (const [n, t] of more) if (!loaded.has(n)) dynamic.set(n, t)
        await follow(more)
      }
  }
  await follow(loaded)
  let sdk = 0
  for (const text of dynamic.values()) sdk += awsModules(text)
  t.true(sdk > 100, `${sdk} AWS SDK modules in the chunks loaded when needed`)
})

// The chunk a command's loader imports, by the command's module name.
const commandChunk = (main: string, module: string): string | undefined =>
  main.match(new RegExp(`import\\("\\./(${module}-[^"]+)"\\)`))?.[1]

const importsHttp = (files: ReadonlyMap<string, string>): boolean =>
  [...files.values()].some((text) => /from "node:http"/.test(text))

test('aggregate loads no HTTP server: each command is loaded when it runs', async (t) => {
  const loaded = await loadedFrom('scantally.js')
  const main = loaded.get('scantally.js') as string
  const aggregate = commandChunk(main, 'Aggregate')
  const serve = commandChunk(main, 'Serve')
  if (aggregate === undefined || serve === undefined) return t.fail('a command is not loaded on its own')
  t.false(importsHttp(loaded), 'the command starts without node:http')
  t.false(importsHttp(await loadedFrom(aggregate)), 'aggregate loads node:http')
  // Not vacuous: serve does load it.
  t.true(importsHttp(await loadedFrom(serve)))
})
