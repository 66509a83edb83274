import { describe, expect, it } from "@effect/vitest"
import { effectiveMaxConnections, RESERVED_DESCRIPTORS } from "../../src/http/ConnectionLimits.js"
import { bytesToReserve, UploadBudget } from "../../src/http/UploadBudget.js"
import { UploadBytes } from "../../src/http/UploadBytes.js"

describe("UploadBudget", () => {
  it("refuses what does not fit, takes it back on release (once), and reports the peak when drained", () => {
    const drained: Array<number> = []
    const budget = new UploadBudget(() => 100, (peak) => drained.push(peak))
    const a = budget.reserve(60)!
    expect(budget.reserve(41)).toBeUndefined()
    const b = budget.reserve(40)!
    expect(budget.bytesHeld).toBe(100)
    a()
    a()
    expect(budget.bytesHeld).toBe(40)
    expect(drained).toEqual([])
    b()
    expect(budget.bytesHeld).toBe(0)
    expect(drained).toEqual([100])
  })

  it("never refuses a request without a body, and has no ceiling without a limit", () => {
    const tiny = new UploadBudget(() => 10)
    expect(tiny.reserve(0)).toBeDefined()
    // Alone, an upload larger than the budget passes (else it could never pass); not beside another.
    const alone = tiny.reserve(50)
    expect(alone).toBeDefined()
    expect(tiny.reserve(1)).toBeUndefined()
    expect(tiny.reserve(0)).toBeDefined()
    expect(new UploadBudget(() => undefined).reserve(2 ** 40)).toBeDefined()
  })

  it("reserves the declared length, at most the body limit; chunked bodies the limit", () => {
    expect(bytesToReserve({ "content-length": "500" }, 1000)).toBe(500)
    expect(bytesToReserve({ "content-length": "5000" }, 1000)).toBe(1000)
    expect(bytesToReserve({ "content-length": "5000" }, undefined)).toBe(5000)
    expect(bytesToReserve({ "transfer-encoding": "chunked" }, 1000)).toBe(1000)
    expect(bytesToReserve({}, 1000)).toBe(0)
    // A malformed length is Node's to refuse; it never reserves a negative or NaN amount here.
    expect(bytesToReserve({ "content-length": "-5" }, 1000)).toBe(0)
    expect(bytesToReserve({ "content-length": "1e3" }, 1000)).toBe(0)
  })
})

describe("effectiveMaxConnections", () => {
  it("stays below the descriptor limit less the reserve; 0 means as many as that allows", () => {
    expect(effectiveMaxConnections(1000, 20_000)).toBe(1000)
    expect(effectiveMaxConnections(1000, 1024)).toBe(1024 - RESERVED_DESCRIPTORS)
    expect(effectiveMaxConnections(0, 1024)).toBe(1024 - RESERVED_DESCRIPTORS)
    expect(effectiveMaxConnections(0, undefined)).toBe(0)
    expect(effectiveMaxConnections(10, 50)).toBe(1)
  })
})

describe("UploadBytes", () => {
  it("keeps chunks in order, growing past the expected size when a body is longer", () => {
    const bytes = new UploadBytes(4)
    const chunks = Array.from({ length: 40 }, (_, i) => new Uint8Array(5000).fill(i))
    for (const chunk of chunks) bytes.append(chunk)
    expect(Buffer.from(bytes.bytes).equals(Buffer.concat(chunks))).toBe(true)
    expect(new UploadBytes(undefined).bytes.length).toBe(0)
  })
})
