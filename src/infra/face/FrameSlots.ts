/**
 * Shared memory for what the service's thread hands to its face workers with each capture: the
 * frames' JPEG bytes and the pixels the forensics decoded them to. One SharedArrayBuffer cut into
 * fixed slots, given to every worker once at spawn (`workerData`); a request names the slot
 * holding a frame's bytes or pixels instead of carrying them.
 *
 * Why: a buffer posted with each request (cloned, or transferred) is a new ArrayBuffer on the
 * worker, and V8 counts such buffers as external memory until a full collection frees them. That
 * churn (~0.5 MB of pixels and ~0.45 MB of JPEG bytes a capture) started a mark-compact on each
 * face worker every ~30 captures, with a burst of recompiles after each (docs/performance.md), and
 * a clone also copies the bytes twice on the way. Slots reuse the same memory every time.
 *
 * The service's thread owns the slots: it takes one per frame before it posts a request and gives
 * them back once the answer (or failure) is in, so a worker only reads a slot while the request
 * that named it is in flight. The forensics' decodes write their pixels into slots of their own
 * (`SharedFrameDecodes`), held for the whole capture and named in the request as they are. When every slot is taken, or a frame is larger than a slot, the
 * bytes travel as before (pixels transferred, JPEG bytes cloned), so the count bounds memory,
 * never correctness.
 */

/**
 * A 1920x1080 frame at 1/4, packed RGB: the largest decode `SharedFrameDecodes` makes at its usual
 * shrinks. A JPEG of up to 380 KiB fits too (an SDK's 1280x720 frame is ~150 KB).
 */
export const FRAME_SLOT_BYTES = 480 * 270 * 3

export interface FrameSlots {
  /** The memory the workers get at spawn. */
  readonly memory: SharedArrayBuffer
  /** A free slot holding a copy of `bytes`, or `undefined` when none is free or `bytes` does not fit one. */
  readonly store: (bytes: Uint8Array) => number | undefined
  /** A free slot for its taker to write (`slotView`), or `undefined` when none is free. */
  readonly reserve: () => number | undefined
  /** The whole of a slot, to write into. */
  readonly slotView: (slot: number) => Uint8Array
  /** Gives a slot back; its contents may be overwritten from now on. */
  readonly release: (slot: number) => void
  /** Slots in use now (for tests and diagnostics). */
  readonly inUse: () => number
}

/**
 * `count` slots. Free slots are reused last-in first-out, so the pages a quiet service touches
 * stay few: RSS grows only with the slots concurrency really needs.
 */
export const makeFrameSlots = (count: number): FrameSlots => {
  const memory = new SharedArrayBuffer(count * FRAME_SLOT_BYTES)
  const view = new Uint8Array(memory)
  const free = Array.from({ length: count }, (_, i) => count - 1 - i)
  const taken = new Set<number>()
  const reserve = () => {
    const slot = free.pop()
    if (slot !== undefined) taken.add(slot)
    return slot
  }
  return {
    memory,
    store: (bytes) => {
      const slot = bytes.byteLength > FRAME_SLOT_BYTES ? undefined : reserve()
      if (slot !== undefined) view.set(bytes, slot * FRAME_SLOT_BYTES)
      return slot
    },
    reserve,
    slotView: (slot) => view.subarray(slot * FRAME_SLOT_BYTES, (slot + 1) * FRAME_SLOT_BYTES),
    release: (slot) => {
      if (taken.delete(slot)) free.push(slot)
    },
    inUse: () => taken.size
  }
}

/** A worker's view of `length` bytes of a slot, or `undefined` when the slot is not in `memory` or the bytes do not fit it. */
export const frameSlotView = (memory: SharedArrayBuffer, slot: number, length: number): Uint8Array | undefined => {
  if (!Number.isInteger(slot) || slot < 0 || !Number.isInteger(length) || length < 0 || length > FRAME_SLOT_BYTES) return undefined
  const start = slot * FRAME_SLOT_BYTES
  if (start + FRAME_SLOT_BYTES > memory.byteLength) return undefined
  return new Uint8Array(memory, start, length)
}
