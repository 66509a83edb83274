/**
 * Upload buffers reused from one capture to the next.
 *
 * Why: V8 counts every new ArrayBuffer as external memory, and the upload buffers (~0.6 MB a
 * capture) outlive the young generation's collections; once 64 MB of them have piled up, V8 starts
 * a full mark-compact, which also throws away the optimized code of Effect's per-call closures, so
 * TurboFan compiles them again (docs/performance.md, "What changed in round 8"). A buffer that is
 * reused is counted once.
 *
 * Buffers of `POOLED_CAPACITY` bytes are pooled (an SDK capture of three 1280x720 frames is ~0.6
 * MB); a larger upload gets a buffer of its own, as before. The pool holds its idle buffers only
 * weakly: under load they are taken again long before a full collection, and once the service is
 * idle the heap release (IdleMemoryTrim.ts) collects them and gives their memory back.
 */

/** Capacity of a pooled upload buffer. */
export const POOLED_CAPACITY = 1024 * 1024
/** Idle buffers kept (weakly): more than the uploads in flight at once on a loaded instance. */
const MAX_IDLE = 32

export interface UploadBuffers {
  /** A buffer of at least `capacity` bytes: a pooled one when it fits, else a buffer of its own. */
  readonly take: (capacity: number) => Buffer
  /** Gives a buffer back: nothing may read or write it afterwards. Buffers not from `take`'s pool are left to the collector. */
  readonly give: (buffer: Buffer) => void
}

export const makeUploadBuffers = (): UploadBuffers => {
  const idle: Array<WeakRef<Buffer>> = []
  return {
    take: (capacity) => {
      if (capacity <= POOLED_CAPACITY) {
        for (let reused = idle.pop(); reused !== undefined; reused = idle.pop()) {
          const buffer = reused.deref()
          if (buffer !== undefined) return buffer
        }
        return Buffer.allocUnsafeSlow(POOLED_CAPACITY)
      }
      return Buffer.allocUnsafeSlow(capacity)
    },
    give: (buffer) => {
      if (buffer.byteLength === POOLED_CAPACITY && buffer.byteOffset === 0 && idle.length < MAX_IDLE) idle.push(new WeakRef(buffer))
    }
  }
}

/** The service's pool: uploads are read on the service's thread only. */
export const uploadBuffers: UploadBuffers = makeUploadBuffers()
