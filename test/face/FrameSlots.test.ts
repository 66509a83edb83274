/**
 * The shared frame memory's slots: a copy goes in a free slot, the most recently freed slot is
 * reused first, a full set or an oversized frame gives `undefined` (the caller sends the bytes in
 * the request instead), releasing is idempotent, and a worker's view checks its slot and length;
 * a worker reads a request's frames from their slots, and says which one it cannot find.
 */
import { describe, expect, it } from "@effect/vitest"
import { FaceAnalysisError } from "../../src/domain/FaceAnalyzer.js"
import { FRAME_SLOT_BYTES, frameSlotView, makeFrameSlots } from "../../src/infra/face/FrameSlots.js"
import { receivedFrames } from "../../src/infra/face/SentFrames.js"

describe("FrameSlots", () => {
  it("a worker reads frames sent in slots in place, takes cloned ones as they are, and names a slot it cannot find", () => {
    const slots = makeFrameSlots(2)
    expect(slots.store(new Uint8Array([0xff, 0xd8, 1, 2]))).toBe(0)
    const cloned = new Uint8Array([9, 9])
    const received = receivedFrames([{ slot: 0, byteLength: 4 }, cloned], slots.memory)
    expect(received).not.toBeInstanceOf(FaceAnalysisError)
    const [inSlot, asSent] = received as ReadonlyArray<Uint8Array>
    expect([...inSlot!]).toEqual([0xff, 0xd8, 1, 2])
    expect(inSlot!.buffer).toBe(slots.memory)
    expect(asSent).toBe(cloned)
    const outside = receivedFrames([cloned, { slot: 2, byteLength: 4 }], slots.memory)
    expect(outside).toMatchObject({ kind: "ModelFailure", detail: "frame 1 was sent in a slot, but slot 2 is outside the shared frame memory" })
    const noMemory = receivedFrames([{ slot: 0, byteLength: 4 }], undefined)
    expect(noMemory).toMatchObject({ kind: "ModelFailure", detail: "frame 0 was sent in a slot, but this worker has no shared frame memory" })
  })


  it("copies pixels into free slots, reuses the last freed first, and refuses when full or too large", () => {
    const slots = makeFrameSlots(2)
    expect(slots.memory.byteLength).toBe(2 * FRAME_SLOT_BYTES)
    const a = new Uint8Array([1, 2, 3])
    const b = new Uint8Array([4, 5, 6])
    expect(slots.store(a)).toBe(0)
    expect(slots.store(b)).toBe(1)
    expect(slots.inUse()).toBe(2)
    expect(slots.store(a)).toBeUndefined()
    a[0] = 9 // the slot holds a copy
    expect([...frameSlotView(slots.memory, 0, 3)!]).toEqual([1, 2, 3])
    expect([...frameSlotView(slots.memory, 1, 3)!]).toEqual([4, 5, 6])
    slots.release(0)
    slots.release(0) // twice is once
    expect(slots.inUse()).toBe(1)
    expect(slots.store(new Uint8Array([7]))).toBe(0)
    slots.release(1)
    slots.release(0)
    expect(slots.store(new Uint8Array([8]))).toBe(0)
    expect(slots.store(new Uint8Array(FRAME_SLOT_BYTES + 1))).toBeUndefined()
    expect(slots.store(new Uint8Array(FRAME_SLOT_BYTES))).toBe(1)
  })

  it("a view exists only for a slot of the memory and a length that fits a slot", () => {
    const { memory } = makeFrameSlots(2)
    expect(frameSlotView(memory, 1, FRAME_SLOT_BYTES)?.byteOffset).toBe(FRAME_SLOT_BYTES)
    expect(frameSlotView(memory, 2, 3)).toBeUndefined()
    expect(frameSlotView(memory, -1, 3)).toBeUndefined()
    expect(frameSlotView(memory, 0.5, 3)).toBeUndefined()
    expect(frameSlotView(memory, 0, FRAME_SLOT_BYTES + 1)).toBeUndefined()
  })
})
