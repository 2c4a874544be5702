/**
 * Copies of records that cannot be read again from their input (a gzipped file, standard input,
 * an S3 object), kept for `scantally serve` in a temporary file instead of memory: appended as
 * they are loaded, read back by position. The file is unlinked as soon as it is created, so it
 * takes disk space only while the process holds it open and nothing is left behind, however
 * the process ends. Its directory is the system's temporary one (`TMPDIR`).
 *
 * Writing the bytes as they are costs a copy into the page cache; deflating them in memory, as
 * before, cost more CPU than reading the export (zlib's fastest level runs at about a sixth of
 * inflating's speed) and still about 400 bytes a finding. The copy is the kernel's work, on
 * the loading thread (2.4 s of its 7.4 s loading a gzipped million findings); writing on libuv's
 * threads instead took 1.8 s of that off it but did not shorten a load on two cores, both
 * already busy, so the writes stay here, simple and bounded.
 *
 * @module
 */
import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// Bytes gathered before a write: few system calls, little memory.
const bufferBytes = 1 << 20

/**
 * An append-only temporary file of records. The first failure (no room, no permission) is kept
 * in {@link RecordSpool.failure} and nothing more is written: the caller reports it once the
 * load is over, rather than a failure surfacing from deep inside a read.
 *
 * @category model
 */
export class RecordSpool {
  private fd: number | undefined
  private readonly buffer = Buffer.allocUnsafe(bufferBytes)
  private buffered = 0
  // Bytes written to the file; the buffered ones follow them.
  private written = 0
  /** Why the spool stopped taking records, if it did. */
  failure: string | undefined

  constructor(private readonly dir: string = tmpdir()) {}

  /** Bytes appended so far. */
  get size(): number {
    return this.written + this.buffered
  }

  /** Appends a record's bytes; its offset, or -1 once the spool has failed. */
  append(bytes: Uint8Array): number {
    if (this.failure !== undefined) return -1
    const at = this.size
    try {
      if (this.buffered + bytes.length > bufferBytes) this.drain()
      if (bytes.length > bufferBytes) this.write(bytes)
      else {
        this.buffer.set(bytes, this.buffered)
        this.buffered += bytes.length
      }
      return at
    } catch (e) {
      this.fail(e)
      return -1
    }
  }

  /** Writes what is buffered; a failure is kept in {@link RecordSpool.failure}. */
  flush(): void {
    if (this.failure !== undefined) return
    try {
      this.drain()
    } catch (e) {
      this.fail(e)
    }
  }

  private drain(): void {
    if (this.buffered === 0) return
    const pending = this.buffered
    this.buffered = 0
    this.write(this.buffer.subarray(0, pending))
  }

  private fail(e: unknown): void {
    this.failure = `records cannot be kept in a temporary file in ${this.dir}: ${(e as Error).message} (set TMPDIR to a directory with room for the inflated records)`
  }

  /** The `size` bytes appended at `at` (once {@link RecordSpool.flush}ed). */
  read(at: number, size: number): Buffer {
    const out = Buffer.allocUnsafe(size)
    const n = readSync(this.file(), out, 0, size, at)
    if (n !== size) throw new Error(`${n} of ${size} bytes of a kept record read back at ${at}`)
    return out
  }

  /** Lets the file go: its space is given back. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
  }

  private write(bytes: Uint8Array): void {
    const fd = this.file()
    for (let done = 0; done < bytes.length; )
      done += writeSync(fd, bytes, done, bytes.length - done, this.written + done)
    this.written += bytes.length
  }

  // The file, created on first use in a directory of its own, both unlinked at once.
  private file(): number {
    if (this.fd !== undefined) return this.fd
    const dir = mkdtempSync(join(this.dir, 'scantally-serve-'))
    const path = join(dir, 'records')
    let fd: number
    try {
      fd = openSync(path, 'wx+', 0o600)
    } catch (e) {
      rmdirSync(dir)
      throw e
    }
    unlinkSync(path)
    rmdirSync(dir)
    this.fd = fd
    return fd
  }
}
