/**
 * Shared memory for the decoded frames the service's thread hands to its face workers: one
 * SharedArrayBuffer cut into fixed slots, given to every worker once at spawn (`workerData`).
 * A request then names the slot holding a frame's pixels instead of carrying them.
 *
 * Why: a buffer transferred with each request is a new ArrayBuffer on the worker, and V8 counts
 * such buffers as external memory until a full collection frees them. That churn (~0.5 MB a
 * capture) started a mark-compact on each face worker every ~30 captures, with a burst of
 * recompiles after each (docs/performance.md); slots reuse the same memory every time.
 *
 * The service's thread owns the slots: it takes one per frame before it posts a request and gives
 * them back once the answer (or failure) is in, so a worker only reads a slot while the request
 * that named it is in flight. When every slot is taken, or a frame is larger than a slot, the
 * pixels travel as before (transferred), so the count bounds memory, never correctness.
 */

/** A 1920x1080 frame at 1/4, packed RGB: the largest decode `SharedFrameDecodes` makes at its usual shrinks. */
export const PIXEL_SLOT_BYTES = 480 * 270 * 3

export interface PixelSlots {
  /** The memory the workers get at spawn. */
  readonly memory: SharedArrayBuffer
  /** A free slot holding a copy of `rgb`, or `undefined` when none is free or `rgb` does not fit one. */
  readonly store: (rgb: Uint8Array) => number | undefined
  /** Gives a slot back; its contents may be overwritten from now on. */
  readonly release: (slot: number) => void
  /** Slots in use now (for tests and diagnostics). */
  readonly inUse: () => number
}

/**
 * `count` slots. Free slots are reused last-in first-out, so the pages a quiet service touches
 * stay few: RSS grows only with the slots concurrency really needs.
 */
export const makePixelSlots = (count: number): PixelSlots => {
  const memory = new SharedArrayBuffer(count * PIXEL_SLOT_BYTES)
  const bytes = new Uint8Array(memory)
  const free = Array.from({ length: count }, (_, i) => count - 1 - i)
  const taken = new Set<number>()
  return {
    memory,
    store: (rgb) => {
      if (rgb.byteLength > PIXEL_SLOT_BYTES) return undefined
      const slot = free.pop()
      if (slot === undefined) return undefined
      taken.add(slot)
      bytes.set(rgb, slot * PIXEL_SLOT_BYTES)
      return slot
    },
    release: (slot) => {
      if (taken.delete(slot)) free.push(slot)
    },
    inUse: () => taken.size
  }
}

/** A worker's view of `length` bytes of a slot, or `undefined` when the slot is not in `memory` or the bytes do not fit it. */
export const pixelSlotView = (memory: SharedArrayBuffer, slot: number, length: number): Uint8Array | undefined => {
  if (!Number.isInteger(slot) || slot < 0 || length > PIXEL_SLOT_BYTES) return undefined
  const start = slot * PIXEL_SLOT_BYTES
  if (start + PIXEL_SLOT_BYTES > memory.byteLength) return undefined
  return new Uint8Array(memory, start, length)
}
