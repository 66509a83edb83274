import { describe, expect, it } from "@effect/vitest"
import { makeUploadBuffers, POOLED_CAPACITY } from "../../src/http/UploadBuffers.js"
import { UploadBytes } from "../../src/http/UploadBytes.js"

describe("UploadBuffers", () => {
  it("hands a given-back buffer to the next upload that fits, and a buffer of its own to one that does not", () => {
    const buffers = makeUploadBuffers()
    const first = buffers.take(600_000)
    expect(first.byteLength).toBe(POOLED_CAPACITY)
    buffers.give(first)
    expect(buffers.take(10)).toBe(first)
    // Taken again: the pool is empty, the next one is new.
    expect(buffers.take(10)).not.toBe(first)
    const large = buffers.take(POOLED_CAPACITY + 1)
    expect(large.byteLength).toBe(POOLED_CAPACITY + 1)
    buffers.give(large)
    expect(buffers.take(POOLED_CAPACITY + 1)).not.toBe(large)
  })

  it("keeps a view given back out of the pool: only whole pooled buffers are reused", () => {
    const buffers = makeUploadBuffers()
    const whole = buffers.take(100)
    buffers.give(whole.subarray(1))
    expect(buffers.take(100)).not.toBe(whole)
  })
})

describe("UploadBytes with a pool", () => {
  it("gives its buffer back once, on release, and refuses to be read or written after it", () => {
    const buffers = makeUploadBuffers()
    const upload = new UploadBytes(1000, buffers)
    upload.append(new Uint8Array([1, 2, 3]))
    expect([...upload.bytes]).toEqual([1, 2, 3])
    upload.release()
    upload.release()
    expect(() => upload.bytes).toThrow(/after release/)
    expect(() => upload.append(new Uint8Array(1))).toThrow(/after release/)
    // Released twice, given back once: two uploads never share a buffer.
    const a = new UploadBytes(1000, buffers)
    const b = new UploadBytes(1000, buffers)
    a.append(new Uint8Array([7]))
    b.append(new Uint8Array([9]))
    expect([...a.bytes, ...b.bytes]).toEqual([7, 9])
  })

  it("grows past a pooled buffer into one of its own, keeping every byte in order", () => {
    const buffers = makeUploadBuffers()
    const upload = new UploadBytes(100, buffers)
    const chunks = Array.from({ length: 30 }, (_, i) => new Uint8Array(50_000).fill(i))
    for (const chunk of chunks) upload.append(chunk)
    expect(upload.bytes.byteLength).toBe(1_500_000)
    expect(Buffer.from(upload.bytes).equals(Buffer.concat(chunks))).toBe(true)
    upload.release()
  })
})
