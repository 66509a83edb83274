/**
 * The bytes of one upload, kept in a single allocation sized up front from the declared length.
 *
 * Why not an array of the received chunks: each chunk is a slice of one of Node's 64 KiB socket
 * read buffers, which glibc serves from its heap; 150 stalled 10 MB uploads left RSS at 1.9 GB
 * after they closed, because the freed buffers were scattered through the heap and it could not
 * shrink. One large buffer per upload is mmap'ed and goes back to the OS when freed, the read
 * buffers die young and are reused, and no final concatenation doubles the peak
 * (docs/operations.md, "Limits"). That buffer comes from `UploadBuffers` and goes back to it with
 * `release`, once nothing reads the bytes any more.
 */
import { type UploadBuffers, uploadBuffers } from "./UploadBuffers.js"

const MIN_CAPACITY = 64 * 1024

export class UploadBytes {
  private buffer: Buffer
  private length = 0
  private released = false

  constructor(expected: number | undefined, private readonly buffers: UploadBuffers = uploadBuffers) {
    this.buffer = buffers.take(Math.max(MIN_CAPACITY, expected ?? 0))
  }

  append(chunk: Uint8Array): void {
    if (this.released) throw new Error("UploadBytes: append after release")
    if (this.length + chunk.length > this.buffer.length) {
      const grown = this.buffers.take(Math.max(this.buffer.length * 2, this.length + chunk.length))
      this.buffer.copy(grown, 0, 0, this.length)
      this.buffers.give(this.buffer)
      this.buffer = grown
    }
    this.buffer.set(chunk, this.length)
    this.length += chunk.length
  }

  /** The bytes received (a view, not a copy): valid until `release`. */
  get bytes(): Uint8Array {
    if (this.released) throw new Error("UploadBytes: bytes read after release")
    return this.buffer.subarray(0, this.length)
  }

  /** Gives the buffer back for another upload; the bytes must not be read afterwards. Idempotent. */
  release(): void {
    if (this.released) return
    this.released = true
    this.buffers.give(this.buffer)
  }
}
