import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import test from 'ava'
import * as E from 'fp-ts/lib/Either.js'
import { tempDir } from './exports.test.util.js'
import { collectFindings } from './ReadFindings.js'

// An NDJSON export of `lines` findings, the one on line `bad` invalid (a severity that is none),
// and the byte offset where that line starts, counted here on the text.
const exportWithBadLine = (lines: number, bad: number) => {
  const text: Array<string> = []
  let offset = 0
  let badOffset = -1
  for (let n = 1; n <= lines; n++) {
    const line = `${JSON.stringify({
      awsAccountId: '111111111111',
      severity: n === bad ? 'SEVERE' : 'HIGH',
      imageBuildVersionArn: `arn:aws:imagebuilder:us-east-1:111111111111:image/web/1.0.${n}/1`,
      description: 'x'.repeat(200),
    })}\n`
    if (n === bad) badOffset = offset
    offset += Buffer.byteLength(line)
    text.push(line)
  }
  return { content: text.join(''), badOffset }
}

// Small enough to read in one pass, and large enough (about 40 MiB) to be cut and read on
// several threads, and to span many of the reader's buffers before the bad line.
for (const [lines, bad] of [
  [50, 37],
  [150_000, 149_321],
] as const)
  for (const parser of ['fast', 'plain'] as const)
    for (const workers of [1, 4])
      test(`an invalid record on NDJSON line ${bad} of ${lines} is named by line and byte (${parser} path, ${workers} workers)`, async (t) => {
        const { content, badOffset } = exportWithBadLine(lines, bad)
        const dir = await tempDir()
        try {
          const path = join(dir, 'findings.ndjson')
          await writeFile(path, content)
          const read = await collectFindings([path], { parser, workers })()
          if (E.isRight(read)) return t.fail('expected the read to fail')
          t.like(read.left, { _tag: 'InvalidRecord', line: bad, offset: badOffset, position: bad })
          t.regex(
            read.left.message,
            new RegExp(
              `findings\\.ndjson:${bad}: record ${bad} \\(byte ${badOffset}\\) is invalid: severity`,
            ),
          )
        } finally {
          await rm(dir, { recursive: true, force: true })
        }
      })
