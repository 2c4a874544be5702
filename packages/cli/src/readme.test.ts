// The README's TypeScript examples compile as written: each ```ts block is typechecked as a
// module of its own against the built packages, with the project's compiler settings.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import ts from 'typescript'

const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8')
const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string)

// Inside this package, so that `@scantally/*` resolve as they do for a user's project.
const workdir = (): string => mkdtempSync(fileURLToPath(new URL('../.readme-', import.meta.url)))

const diagnose = (files: ReadonlyArray<string>): ReadonlyArray<string> => {
  const program = ts.createProgram(files, {
    strict: true,
    exactOptionalPropertyTypes: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    skipLibCheck: true,
  })
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where =
      d.file === undefined || d.start === undefined
        ? ''
        : `${d.file.fileName.split('/').pop()}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: `
    return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
  })
}

test('the README has TypeScript examples of the library and the handler', (t) => {
  t.true(blocks.length >= 3, `found ${blocks.length} blocks`)
  t.true(blocks.some((b) => b.includes("from '@scantally/core'")))
  t.true(blocks.some((b) => b.includes("from '@scantally/server'")))
})

test('every TypeScript example of the README typechecks as written', (t) => {
  const dir = workdir()
  try {
    const files = blocks.map((code, i) => {
      const file = join(dir, `example-${i + 1}.mts`)
      writeFileSync(file, code)
      return file
    })
    t.deepEqual(diagnose(files), [])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a broken example is caught: the check is not vacuous', (t) => {
  const dir = workdir()
  try {
    const file = join(dir, 'broken.mts')
    writeFileSync(file, `import { makeEngine } from '@scantally/core'\nmakeEngine(42)\n`)
    t.true(diagnose([file]).length > 0)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
