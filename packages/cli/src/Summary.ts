/**
 * The read summary printed on stderr after a result: files, bytes, findings read, counted,
 * excluded by reason, skipped records, and the time taken.
 *
 * @module
 */
import type { IngestReport } from '@scantally/core'

/**
 * Bytes in human units (base 1024).
 *
 * @category utils
 */
export const formatBytes = (n: number): string => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`
}

/**
 * A count (not negative) with thousands separators, rounded, as `toLocaleString('en-US')`
 * writes it, without loading the locale data (30 ms of a run's start).
 *
 * @category utils
 */
export const formatCount = (n: number): string => String(Math.round(n)).replace(/\B(?=(\d{3})+$)/g, ',')

/**
 * The summary text.
 *
 * @category utils
 */
export const renderSummary = (report: IngestReport, milliseconds: number): string => {
  const x = report.excluded
  const excluded = x.notActive + x.duplicate + x.noImageLinkage + x.invalid
  const lines = [
    `read ${report.files} ${report.files === 1 ? 'file' : 'files'}, ${formatBytes(report.bytes)} in ${(milliseconds / 1000).toFixed(2)} s`,
    `findings: ${formatCount(report.read)} read, ${formatCount(report.counted)} counted, ${formatCount(excluded)} excluded` +
      ` (not active ${formatCount(x.notActive)}, duplicate ${formatCount(x.duplicate)},` +
      ` no image linkage ${formatCount(x.noImageLinkage)}, invalid ${formatCount(x.invalid)})`,
    ...report.skipped.map((s) => `skipped ${s.file} record ${s.position}: ${s.reason}`),
  ]
  return `${lines.join('\n')}\n`
}
