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
  // Not vacuous: the SDK is in the chunks the command imports when a run needs it.
  const main = loaded.get('scantally.js') as string
  const dynamic = [...main.matchAll(/import\("\.\/([^"]+)"\)/g)].map((m) => m[1] as string)
  t.true(dynamic.length >= 2, 'the S3 and the live sources are imported when needed')
  let sdk = 0
  for (const name of dynamic) for (const text of (await loadedFrom(name)).values()) sdk += awsModules(text)
  t.true(sdk > 100, `${sdk} AWS SDK modules in the chunks loaded when needed`)
})
