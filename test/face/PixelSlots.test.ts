/**
 * The shared pixel memory's slots: a copy goes in a free slot, the most recently freed slot is
 * reused first, a full set or an oversized frame gives `undefined` (the caller transfers instead),
 * releasing is idempotent, and a worker's view checks its slot and length.
 */
import { describe, expect, it } from "@effect/vitest"
import { makePixelSlots, PIXEL_SLOT_BYTES, pixelSlotView } from "../../src/infra/face/PixelSlots.js"

describe("PixelSlots", () => {
  it("copies pixels into free slots, reuses the last freed first, and refuses when full or too large", () => {
    const slots = makePixelSlots(2)
    expect(slots.memory.byteLength).toBe(2 * PIXEL_SLOT_BYTES)
    const a = new Uint8Array([1, 2, 3])
    const b = new Uint8Array([4, 5, 6])
    expect(slots.store(a)).toBe(0)
    expect(slots.store(b)).toBe(1)
    expect(slots.inUse()).toBe(2)
    expect(slots.store(a)).toBeUndefined()
    a[0] = 9 // the slot holds a copy
    expect([...pixelSlotView(slots.memory, 0, 3)!]).toEqual([1, 2, 3])
    expect([...pixelSlotView(slots.memory, 1, 3)!]).toEqual([4, 5, 6])
    slots.release(0)
    slots.release(0) // twice is once
    expect(slots.inUse()).toBe(1)
    expect(slots.store(new Uint8Array([7]))).toBe(0)
    slots.release(1)
    slots.release(0)
    expect(slots.store(new Uint8Array([8]))).toBe(0)
    expect(slots.store(new Uint8Array(PIXEL_SLOT_BYTES + 1))).toBeUndefined()
    expect(slots.store(new Uint8Array(PIXEL_SLOT_BYTES))).toBe(1)
  })

  it("a view exists only for a slot of the memory and a length that fits a slot", () => {
    const { memory } = makePixelSlots(2)
    expect(pixelSlotView(memory, 1, PIXEL_SLOT_BYTES)?.byteOffset).toBe(PIXEL_SLOT_BYTES)
    expect(pixelSlotView(memory, 2, 3)).toBeUndefined()
    expect(pixelSlotView(memory, -1, 3)).toBeUndefined()
    expect(pixelSlotView(memory, 0.5, 3)).toBeUndefined()
    expect(pixelSlotView(memory, 0, PIXEL_SLOT_BYTES + 1)).toBeUndefined()
  })
})
