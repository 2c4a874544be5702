// Aggregates the example Image Builder export through the core API and prints the AWS
// ListImageScanFindingAggregations response, first grouped by account, then by pipeline.
import { readFileSync } from 'node:fs'
import {
  buildIndex,
  fromImageScanFinding,
  generateTokenKey,
  listImageScanFindingAggregations,
  makeEngine,
} from '@scantally/core'

const file = new URL('imagebuilder-findings.json', import.meta.url)
const { findings } = JSON.parse(readFileSync(file, 'utf8'))
const normalized = findings.flatMap((raw, i) => {
  const r = fromImageScanFinding(raw)
  if (r._tag === 'Left') throw new Error(`finding #${i}: ${r.left}`)
  return r.right._tag === 'Counted' ? [r.right.finding] : []
})
const index = buildIndex(normalized)
if (index._tag === 'Left') throw new Error(index.left.message)
const engine = makeEngine(index.right, { keys: [generateTokenKey()] })
const ask = listImageScanFindingAggregations(engine)

for (const request of [
  {},
  {
    filter: {
      name: 'imagePipelineArn',
      values: ['arn:aws:imagebuilder:us-east-1:111122223333:image-pipeline/web-server'],
    },
  },
]) {
  const answer = ask(request)
  if (answer._tag === 'Left') throw new Error(`${answer.left.name}: ${answer.left.message}`)
  console.log(JSON.stringify(answer.right, null, 2))
}
