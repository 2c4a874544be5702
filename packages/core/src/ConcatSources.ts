/**
 * Several finding sources read as one, in order: the answer of one run over export files, S3
 * objects and a live service together. A finding whose `findingArn` an earlier source already
 * handed out is a duplicate, as it would be within one read; the first source that fails ends
 * the whole read with its error, and the sources after it are never opened.
 *
 * @module
 */
import * as Either from 'fp-ts/lib/Either.js'
import type { Finding } from './Finding.js'
import { type FindingSource, makeFindingSource } from './FindingSource.js'
import { concatIngestReports, emptyIngestReport, type IngestReport } from './IngestReport.js'

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * One source of the `sources`, read one after the other (each is opened only once the previous
 * one has ended). Findings are de-duplicated by `findingArn` across sources (each source
 * de-duplicates within itself already), so the sources' findings must carry their ARNs; a
 * dropped duplicate moves from `counted` to `excluded.duplicate` in the report, which is the
 * reports of the sources combined. A `Left` result is the first failing source's error (sources
 * never throw; `failed` names anything that does all the same).
 *
 * @category combinators
 */
export const concatSources = <E>(
  sources: ReadonlyArray<() => FindingSource<E>>,
  failed: (thrown: unknown) => E,
): FindingSource<E> => {
  if (sources.length === 1) return (sources[0] as () => FindingSource<E>)()
  const seen = new Set<string>()
  let report = emptyIngestReport
  let duplicates = 0
  const total = (): IngestReport => withDuplicates(report, duplicates)
  return makeFindingSource<E, ReadonlyArray<Finding>>(
    async function* () {
      for (const open of sources) {
        const source = open()
        for await (const batch of source) {
          const kept = batch.filter((f) => {
            const arn = f.findingArn
            if (arn === undefined) return true
            if (seen.has(arn)) {
              duplicates++
              return false
            }
            seen.add(arn)
            return true
          })
          if (kept.length > 0) yield kept
        }
        const result = await source.result
        if (Either.isLeft(result)) return result
        report = concatIngestReports(report, result.right)
      }
      return Either.right(total())
    },
    { failed, soFar: total },
  )
}

// The report with `n` counted findings found to be duplicates of an earlier source's.
const withDuplicates = (r: IngestReport, n: number): IngestReport =>
  n === 0
    ? r
    : { ...r, counted: r.counted - n, excluded: { ...r.excluded, duplicate: r.excluded.duplicate + n } }
