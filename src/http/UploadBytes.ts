/**
 * The bytes of one upload, kept in a single allocation sized up front from the declared length.
 *
 * Why not an array of the received chunks: each chunk is a slice of one of Node's 64 KiB socket
 * read buffers, which glibc serves from its heap; 150 stalled 10 MB uploads left RSS at 1.9 GB
 * after they closed, because the freed buffers were scattered through the heap and it could not
 * shrink. One large buffer per upload is mmap'ed and goes back to the OS when freed, the read
 * buffers die young and are reused, and no final concatenation doubles the peak
 * (docs/operations.md, "Limits").
 */
const MIN_CAPACITY = 64 * 1024

export class UploadBytes {
  private buffer: Buffer
  private length = 0

  constructor(expected: number | undefined) {
    this.buffer = Buffer.allocUnsafeSlow(Math.max(MIN_CAPACITY, expected ?? 0))
  }

  append(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + chunk.length))
      this.buffer.copy(grown, 0, 0, this.length)
      this.buffer = grown
    }
    this.buffer.set(chunk, this.length)
    this.length += chunk.length
  }

  /** The bytes received (a view, not a copy). */
  get bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length)
  }
}
