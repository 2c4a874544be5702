// The JSDoc examples of the public entry compile as written: every ```ts block of an `@example`
// in core's modules is typechecked as a module of its own against the built package, with the
// project's strict settings, and every name of `@scantally/core` carries `@since` (and, for the
// runtime names and the main types, an example of its own).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import ts from 'typescript'

// -------------------------------------------------------------------------------------
// what the sources hold
// -------------------------------------------------------------------------------------

const srcDir = fileURLToPath(new URL('../src/', import.meta.url))
const modules = readdirSync(srcDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))

interface Example {
  readonly file: string
  readonly line: number
  readonly code: string
}

// The text of a JSDoc comment without its ` * ` margins.
const unmargin = (comment: string): string =>
  comment
    .replace(/^\/\*\*/, '')
    .replace(/\*\/$/, '')
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, ''))
    .join('\n')

// The ```ts blocks of the `@example` sections of one JSDoc comment: a section runs from its tag
// to the next block tag outside a fence.
const examplesOf = (comment: string): ReadonlyArray<string> => {
  const out: string[] = []
  let inExample = false
  let fence: string[] | undefined
  for (const line of unmargin(comment).split('\n')) {
    if (fence !== undefined) {
      if (line.trim() === '```') {
        if (inExample) out.push(`${fence.join('\n')}\n`)
        fence = undefined
      } else fence.push(line)
    } else if (line.startsWith('```')) fence = line.trim() === '```ts' ? [] : undefined
    else if (line.startsWith('@')) inExample = line.startsWith('@example')
  }
  return out
}

const examples: ReadonlyArray<Example> = modules.flatMap((file) => {
  const text = readFileSync(join(srcDir, file), 'utf8')
  return [...text.matchAll(/\/\*\*[\s\S]*?\*\//g)].flatMap((m) =>
    examplesOf(m[0]).map((code) => ({
      file,
      line: text.slice(0, m.index).split('\n').length,
      code,
    })),
  )
})

// The public entry as the compiler sees it: each exported name, whether it is a runtime value,
// and the JSDoc tags of each of its declarations (a codec and its type are two declarations).
interface Exported {
  readonly name: string
  readonly declarations: ReadonlyArray<{
    readonly isType: boolean
    readonly tags: ReadonlyArray<{ readonly name: string; readonly text: string }>
  }>
}

const publicEntry = (): ReadonlyArray<Exported> => {
  const program = ts.createProgram([join(srcDir, 'index.ts')], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
    types: [],
  })
  const checker = program.getTypeChecker()
  const entry = program.getSourceFile(join(srcDir, 'index.ts'))
  const symbol = entry === undefined ? undefined : checker.getSymbolAtLocation(entry)
  if (symbol === undefined) return []
  return checker.getExportsOfModule(symbol).map((exported) => {
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
    return {
      name: exported.name,
      declarations: (target.declarations ?? []).map((d) => ({
        isType: ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d),
        tags: ts.getJSDocTags(d).map((tag) => ({
          name: tag.tagName.text,
          text: ts.getTextOfJSDocComment(tag.comment) ?? '',
        })),
      })),
    }
  })
}

// The main types of the public entry: each has an example of its own, like every runtime name.
const mainTypes = [
  'Engine',
  'EngineOptions',
  'Index',
  'Finding',
  'FindingSource',
  'Folded',
  'IngestReport',
  'Classified',
  'PipelineResolver',
  'InspectorMappingOptions',
  'ImageScanMappingOptions',
  'Query',
  'Group',
  'Criterion',
  'TokenKey',
  'ScantallyError',
  'Caller',
  'Accumulated',
  'GroupAccumulator',
  'ScanFindingStore',
  'ListImageScanFindingsResponse',
]

// -------------------------------------------------------------------------------------
// typechecking
// -------------------------------------------------------------------------------------

// Inside this package, so that '@scantally/core' resolves through its package.json `exports`
// to the built package, as it does for an embedder.
const workdir = (): string => mkdtempSync(fileURLToPath(new URL('../.examples-', import.meta.url)))

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

const typecheck = (sources: ReadonlyArray<{ readonly name: string; readonly code: string }>) => {
  const dir = workdir()
  try {
    return diagnose(
      sources.map(({ name, code }) => {
        const file = join(dir, `${name}.mts`)
        writeFileSync(file, code)
        return file
      }),
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// -------------------------------------------------------------------------------------
// tests
// -------------------------------------------------------------------------------------

test('the modules of core hold at least 40 TypeScript examples', (t) => {
  t.true(examples.length >= 40, `found ${examples.length} examples`)
})

test('every example imports only @scantally/core, node builtins and fp-ts', (t) => {
  const specifiers = examples.flatMap((e) =>
    [...e.code.matchAll(/from '([^']+)'/g)].map((m) => ({ where: `${e.file}:${e.line}`, from: m[1] })),
  )
  t.deepEqual(
    specifiers.filter(
      ({ from }) => !/^(@scantally\/core|node:[a-z_/]+|fp-ts\/lib\/[A-Za-z]+\.js)$/.test(from ?? ''),
    ),
    [],
  )
  t.true(examples.every((e) => e.code.includes("from '@scantally/core'")))
})

test('every example typechecks as written', (t) => {
  const diagnostics = typecheck(
    examples.map((e, i) => ({ name: `${e.file.replace(/\.ts$/, '')}-${e.line}-${i}`, code: e.code })),
  )
  t.deepEqual(diagnostics, [])
})

test('every name of the public entry has @since, every runtime name and main type an example using it', async (t) => {
  const runtime = Object.keys(await import('./index.js')).sort()
  const entry = publicEntry()
  const byName = new Map(entry.map((e) => [e.name, e]))
  t.true(runtime.length >= 40, `${runtime.length} runtime names`)
  t.deepEqual(
    runtime.filter((name) => !byName.has(name)),
    [],
    'the compiler sees every runtime name',
  )
  t.deepEqual(
    entry.flatMap((e) =>
      e.declarations.flatMap((d) =>
        d.tags.some((tag) => tag.name === 'since' && tag.text === '0.1.0') ? [] : [e.name],
      ),
    ),
    [],
    'names without @since 0.1.0',
  )
  const example = (e: Exported, types: boolean): boolean =>
    e.declarations
      .filter((d) => d.isType === types)
      .some((d) =>
        d.tags.some(
          (tag) => tag.name === 'example' && /```ts\n[\s\S]*```/.test(tag.text) && tag.text.includes(e.name),
        ),
      )
  t.deepEqual(
    runtime.filter((name) => {
      const e = byName.get(name)
      return e === undefined || !example(e, false)
    }),
    [],
    'runtime names without an example that uses them',
  )
  t.deepEqual(
    mainTypes.filter((name) => {
      const e = byName.get(name)
      return e === undefined || !example(e, true)
    }),
    [],
    'main types without an example that uses them',
  )
})

test('a broken example is caught: the check is not vacuous', (t) => {
  t.deepEqual(examplesOf('/**\n * @example\n * ```ts\n * makeEngine(42)\n * ```\n */'), ['makeEngine(42)\n'])
  const diagnostics = typecheck([
    { name: 'broken', code: "import { makeEngine } from '@scantally/core'\nmakeEngine(42)\n" },
  ])
  t.is(diagnostics.length, 1)
})
