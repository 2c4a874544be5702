/**
 * A consumer that takes a read's counted findings as ids rather than as objects: an index (and a
 * store of its rows) being built, or a one-pass aggregation, whose dictionaries the read's
 * strings are interned into once each. A split read then hands over each finding as a few integers, with where its record lies,
 * and makes no finding object on the thread that chains the pieces.
 *
 * @module
 */
import type { FindingIds, GroupKey } from '@scantally/core'
import type { RecordLocation } from './RecordLocation.js'

/**
 * Where a read puts counted findings as ids (see `ReadOptions.into`). `intern` gives the id of a
 * string in the dictionary of column `key` (the same id for the same string, never 0); `add`
 * takes one counted, de-duplicated finding: its account, image build, pipeline and vulnerability
 * as such ids (0: absent), its severity as an index into core's `severities`, its
 * `fixAvailable` as a code of core's `fixCodes`, whether it has a known exploit, and where its
 * record lies when the read locates records. The location is lent for the call only (the next
 * call may give the same object with other numbers), and so are a `Copied` record's bytes (a
 * view of the read's buffers, which are used again): a sink keeps what it needs of them, copied.
 *
 * @category model
 */
export interface FindingIdSink {
  readonly intern: (key: GroupKey, value: string) => number
  readonly add: (...finding: [...ids: Parameters<FindingIds>, at: RecordLocation | undefined]) => void
}
