/**
 * The C allocator's thresholds, raised once a process inflates gzip data on its calling thread:
 * a setting of the whole process, allowed by its owner (the `scantally` command), never by the
 * library on its own.
 *
 * glibc's `malloc` serves a request of at least its mmap threshold (128 KiB at first) with a
 * mapping of its own; when such a mapping is freed, it raises the threshold to that mapping's size
 * (if at most 32 MiB) and its trim threshold, past which the free top of the heap is given back to
 * the system, to twice that. zlib's stream inflates into a fresh 1 MiB buffer per MiB, each freed
 * once read (see `releaseInflated`): with the thresholds raised by those buffers alone, the heap's
 * top went back to the system and was faulted in again every few MiB, in some runs and not in
 * others (50,000 to 56,000 page faults against 15,000 to 20,000 for a million-finding gzipped
 * export, and 15 to 20% more time). A mapping of 2 MiB freed at the start raises both for the
 * rest of the process (to 2 and 4 MiB), so a freed buffer stays in the heap for the next one.
 * Nothing is written to it, so no memory is used; other allocators are not affected. (It is
 * freed by the next garbage collection, which comes long before a read has inflated much.) A
 * process that inflates nothing keeps glibc's own thresholds: raised from the start, they cost
 * a few MB more where nothing is gzipped (grouping a million findings by image build).
 *
 * @module
 */
import { detach } from './Detach.js'

// Twice zlib's buffers: the free top of the heap is then given back past 4 MiB (two freed
// buffers side by side stay). 2 and 4 MiB kept every measured run near 16,000 faults; a higher
// threshold only keeps more freed memory in the heap.
const thresholdBytes = 2 << 20

let allowed = false
let raised = false

/**
 * Allows this thread's reads to raise glibc's mmap and trim thresholds (to 2 and 4 MiB) once they
 * inflate gzip data, so that zlib's buffers of a MiB, freed and made again, are served from the
 * heap rather than from the system each time.
 *
 * @example
 * ```ts
 * import { raiseMallocThresholdsWhenInflating } from '@scantally/source-json'
 *
 * // Once, at the start of a command that may read gzipped exports.
 * raiseMallocThresholdsWhenInflating()
 * ```
 *
 * @category configuration
 */
export const raiseMallocThresholdsWhenInflating = (): void => {
  allowed = true
}

/** Raises the thresholds, the first time, if this thread's owner allowed it: before inflating. */
export const beforeInflating = (): void => {
  if (!allowed || raised) return
  raised = true
  detach(Buffer.allocUnsafeSlow(thresholdBytes).buffer)
}
