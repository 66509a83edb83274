import { describe, expect, it } from "@effect/vitest"
import { captureWith, engineFor, expectSuccess, freshKeys, jpeg, openAll } from "./helpers.js"

/** Failure codes by how often they occurred; throws if any input was accepted. */
const codesOf = (results: Awaited<ReturnType<typeof openAll>>) => {
  const codes: Record<string, number> = {}
  results.forEach((result, i) => {
    if (result.ok) throw new Error(`tampered input #${i} was accepted`)
    codes[result.codeName] = (codes[result.codeName] ?? 0) + 1
  })
  return codes
}

describe("native engine: tampering", () => {
  it("rejects every single-bit flip of a valid capture with a typed code", async () => {
    const keys = await freshKeys()
    const capture = await captureWith(keys, [await jpeg(33, 8, 8)], { motion: [], touches: [] })
    const engine = await engineFor(keys)
    expectSuccess(await engine.open(capture))
    const flipped = Array.from({ length: capture.length * 8 }, (_, bit) => {
      const copy = Buffer.from(capture)
      copy[bit >> 3]! ^= 1 << (bit & 7)
      return copy
    })
    const codes = codesOf(await openAll(engine, flipped))
    expect(Object.values(codes).reduce((a, b) => a + b, 0)).toBe(capture.length * 8)
    // Header fields each have their own code; everything under the AEAD fails authentication.
    expect(Object.keys(codes).sort()).toEqual(
      ["BAD_MAGIC", "DECRYPT_FAILED", "LENGTH_MISMATCH", "TRUNCATED", "UNKNOWN_SERVICE_KEY", "UNSUPPORTED_SUITE", "UNSUPPORTED_VERSION"].sort()
    )
    expect(codes.UNKNOWN_SERVICE_KEY).toBe(64)
    expect(codes.DECRYPT_FAILED).toBe((capture.length - 4 - 1 - 1 - 8 - 4) * 8)
  }, 60_000)

  it("rejects every truncation and every extension of a valid capture", async () => {
    const keys = await freshKeys()
    const capture = await captureWith(keys, [await jpeg(34, 8, 8)], { motion: [], touches: [] })
    const engine = await engineFor(keys)
    const truncated = Array.from({ length: capture.length }, (_, n) => capture.subarray(0, n))
    expect(codesOf(await openAll(engine, truncated))).toEqual({ TRUNCATED: capture.length })
    const extended = [Buffer.concat([capture, Buffer.from([0])]), Buffer.concat([capture, capture])]
    expect(codesOf(await openAll(engine, extended))).toEqual({ LENGTH_MISMATCH: 2 })
  }, 60_000)
})
