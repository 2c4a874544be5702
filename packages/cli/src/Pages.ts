/**
 * Which groups `scantally aggregate` prints, as the AWS CLI pages: every page from the first
 * (the default), one page (`--no-paginate`), or at most `--max-items` groups in all, with a
 * `NextToken` to resume from with `--starting-token`.
 *
 * @module
 */
import type { Group } from '@scantally/core'
import { type Page, type PagePlan, type TokenConfig, takePage, takePages } from '@scantally/core/internal'

/**
 * How the answer is paged.
 *
 * @category model
 */
export interface Paging {
  /** Follow every page (the AWS CLI's default) or print one (`--no-paginate`). */
  readonly paginate: boolean
  /** The most groups to print in all (`--max-items`). */
  readonly maxItems: number | undefined
}

/**
 * The page printed. With `maxItems`, at most that many groups from the planned position (and
 * at most one page's with `--no-paginate`); its token is signed for the request as given, so
 * the same command with `--starting-token` goes on from the group after the last one printed.
 *
 * @category utils
 */
export const pageOf = (
  tokens: TokenConfig,
  plan: PagePlan,
  groups: ReadonlyArray<Group>,
  paging: Paging,
): Page => {
  if (paging.maxItems === undefined) return takePages(tokens, plan, groups, paging.paginate ? 'all' : 'one')
  const size = paging.paginate ? paging.maxItems : Math.min(paging.maxItems, plan.size)
  return takePage(tokens, { ...plan, size }, groups)
}

/**
 * The line printed on stderr after a table or CSV that is not the whole answer: the token that
 * continues it, under the name the AWS CLI gives it (`NextToken` with `--max-items`).
 *
 * @category utils
 */
export const nextTokenLine = (page: Page, paging: Paging): string =>
  page.nextToken === undefined
    ? ''
    : `${paging.maxItems === undefined ? 'nextToken' : 'NextToken'}: ${page.nextToken}\n`
