/**
 * Why an answer holds fewer findings than the files: notes on stderr for the two cases that
 * look like a bug to someone new to the AWS semantics. Inspector findings with no image build
 * linkage (no `Ec2ImageBuilderArn` tag) are not Image Builder findings, so they are left out
 * unless `--include-unlinked`; and findings lacking the grouping's field (an Inspector finding
 * has no pipeline unless a pipeline map gives it one) are in no group.
 *
 * @module
 */
import type { Group, IngestReport, Query } from '@scantally/core'
import { formatCount } from './Summary.js'

/**
 * What the hints are told about the run.
 *
 * @category model
 */
export interface HintContext {
  readonly report: IngestReport
  readonly query: Query
  readonly groups: ReadonlyArray<Group>
  readonly pipelineMap: boolean
}

const findings = (n: number): string => `${formatCount(n)} ${n === 1 ? 'finding was' : 'findings were'}`

/**
 * The notes for a run, each a line starting `note:`; empty when the answer needs none.
 *
 * @category utils
 */
export const hints = ({ report, query, groups, pipelineMap }: HintContext): string => {
  const lines: Array<string> = []
  const unlinked = report.excluded.noImageLinkage
  if (unlinked > 0)
    lines.push(
      `note: ${findings(unlinked)} not counted: they have no image build linkage (no Ec2ImageBuilderArn tag),` +
        ' as Image Builder counts; --include-unlinked counts them (accountId and vulnerabilityId groupings)',
    )
  if (groups.length === 0 && report.counted > 0 && query.nextToken === undefined) {
    const field = query.groupBy
    const why =
      (query.filters ?? []).length > 0 ? 'none matched the filters, or none carries' : 'none carries'
    const fix =
      field === 'imagePipelineArn' && !pipelineMap
        ? ' (Inspector findings get one from --pipeline-map FILE, a map of imageBuildVersionArn to imagePipelineArn)'
        : ''
    lines.push(
      `note: no groups: ${formatCount(report.counted)} findings counted, but ${why} the grouping field ${field}${fix}`,
    )
  }
  return lines.map((l) => `${l}\n`).join('')
}
