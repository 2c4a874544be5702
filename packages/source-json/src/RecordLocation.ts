/**
 * Where a counted finding's record lies, for a reader that serves findings whole without
 * holding them: a byte range of a file that can be read again (checked against the file as it
 * was), or, for an input that cannot be (gzip, standard input, an object store), a copy of the
 * record's bytes. A read asked to locate (`ReadOptions.locate`) notes each finding's location;
 * findings stay plain normalized findings, and the note goes with the finding object.
 *
 * @module
 */
import type { Finding } from '@scantally/core'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * An export file as it was when read: a range read later is valid only while its size and
 * modification time are these.
 *
 * @category model
 */
export interface ExportFile {
  readonly path: string
  readonly size: bigint
  readonly mtimeNs: bigint
}

/**
 * Where one record lies: bytes `start` to `end` (exclusive) of an unchanged file, or a copy of
 * its JSON bytes.
 *
 * @category model
 */
export type RecordLocation =
  | { readonly _tag: 'InFile'; readonly file: ExportFile; readonly start: number; readonly end: number }
  | { readonly _tag: 'Copied'; readonly bytes: Buffer }

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

// Weak: a location lives as long as the finding it was noted for.
const locations = new WeakMap<Finding, RecordLocation>()

/**
 * Notes where a finding's record lies.
 *
 * @category utils
 */
export const noteLocation = (finding: Finding, at: RecordLocation): void => {
  locations.set(finding, at)
}

/**
 * Where the record of a finding handed out by a locating read lies; `undefined` for a finding
 * read otherwise, or whose record cannot be located (a row of a CSV report, a record nested in
 * a page inside an array).
 *
 * @category utils
 */
export const recordLocation = (finding: Finding): RecordLocation | undefined => locations.get(finding)
