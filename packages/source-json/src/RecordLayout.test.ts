import { readFileSync } from 'node:fs'
import * as core from '@scantally/core/internal'
import test from 'ava'
import {
  EXPLOIT_COUNT,
  EXPLOIT_FIRST,
  exploitValues,
  FIX_COUNT,
  FIX_FIRST,
  fixValues,
  literals,
  PACK_EXPLOIT_MASK,
  PACK_EXPLOIT_SHIFT,
  PACK_FIX_MASK,
  PACK_FIX_SHIFT,
  PACK_SEVERITY_MASK,
  PACK_SEVERITY_SHIFT,
  SEVERITY_COUNT,
  SEVERITY_FIRST,
  STATUS_COUNT,
  STATUS_FIRST,
} from './RecordLayout.js'

// The generator, from the package (dist/ is next to scripts/).
interface Generator {
  readonly readSpec: () => unknown
  readonly generated: (spec: unknown, vocabularies: unknown) => ReadonlyArray<readonly [string, string]>
}
const generator = (): Promise<Generator> =>
  import(new URL('../scripts/generate-layout.mjs', import.meta.url).href) as Promise<Generator>

test('the generated layout files are what the table and core vocabularies give (run the build after changing them)', async (t) => {
  const g = await generator()
  const files = g.generated(g.readSpec(), core)
  t.is(files.length, 2)
  for (const [path, text] of files)
    t.is(readFileSync(new URL(`../${path}`, import.meta.url), 'utf8'), text, `${path} is stale`)
})

test("the walker's value literals are core's vocabularies, in their order", (t) => {
  const group = (first: number, count: number) => literals.slice(first, first + count)
  t.deepEqual(group(SEVERITY_FIRST, SEVERITY_COUNT), [
    'CRITICAL',
    'HIGH',
    'MEDIUM',
    'LOW',
    'INFORMATIONAL',
    'UNTRIAGED',
  ])
  t.deepEqual(group(STATUS_FIRST, STATUS_COUNT), ['ACTIVE', 'SUPPRESSED', 'CLOSED'])
  t.deepEqual(group(FIX_FIRST, FIX_COUNT), ['YES', 'NO', 'PARTIAL'])
  t.deepEqual(group(EXPLOIT_FIRST, EXPLOIT_COUNT), ['YES', 'NO'])
  t.deepEqual([...fixValues], ['YES', 'NO', 'PARTIAL'])
  t.deepEqual([...exploitValues], ['YES', 'NO'])
})

test('every severity, fix and exploit (or their absence) packs into one word and back', (t) => {
  const seen = new Set<number>()
  for (let severity = 0; severity < 6; severity++)
    for (let fix = -1; fix < 3; fix++)
      for (let exploit = -1; exploit < 2; exploit++) {
        const w =
          (severity << PACK_SEVERITY_SHIFT) |
          ((fix + 1) << PACK_FIX_SHIFT) |
          ((exploit + 1) << PACK_EXPLOIT_SHIFT)
        seen.add(w)
        t.deepEqual(
          [
            (w >>> PACK_SEVERITY_SHIFT) & PACK_SEVERITY_MASK,
            ((w >>> PACK_FIX_SHIFT) & PACK_FIX_MASK) - 1,
            ((w >>> PACK_EXPLOIT_SHIFT) & PACK_EXPLOIT_MASK) - 1,
          ],
          [severity, fix, exploit],
        )
      }
  t.is(seen.size, 6 * 4 * 3)
})
