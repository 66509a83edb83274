import { describe, expect, it } from "@effect/vitest"
import { cleanProbability, integrityVerdict, rejectedProbability } from "../../src/domain/IntegrityVerdict.js"

const clean = { sdkSignature: "valid", attestation: "valid", environmentSignals: [], virtualCamera: false } as const

describe("integrityVerdict", () => {
  it("has no objection to a signed, attested capture from a clean environment", () => {
    expect(integrityVerdict(clean)).toEqual({ probability: cleanProbability, reasons: [] })
  })

  it("maps each integrity fact onto its reason, strongest first", () => {
    expect(integrityVerdict({ ...clean, sdkSignature: "unknown-key" }).reasons).toEqual(["SDK_INTEGRITY_VIOLATION"])
    expect(integrityVerdict({ ...clean, sdkSignature: "invalid" }).reasons).toEqual(["SDK_INTEGRITY_VIOLATION"])
    for (const attestation of ["invalid", "missing", "other-capture", "other-device", "untrusted-authority"] as const) {
      expect(integrityVerdict({ ...clean, attestation }).reasons).toEqual(["UNTRUSTED_DEVICE"])
    }
    expect(integrityVerdict({ ...clean, environmentSignals: ["emulator"] }).reasons).toEqual(["UNTRUSTED_ENVIRONMENT"])
    expect(integrityVerdict({ ...clean, virtualCamera: true }).reasons).toEqual(["UNTRUSTED_CONTENT"])
    const all = integrityVerdict({ sdkSignature: "invalid", attestation: "missing", environmentSignals: ["rooted"], virtualCamera: true })
    expect(all).toEqual({
      probability: rejectedProbability,
      reasons: ["SDK_INTEGRITY_VIOLATION", "UNTRUSTED_CONTENT", "UNTRUSTED_DEVICE", "UNTRUSTED_ENVIRONMENT"]
    })
    expect(rejectedProbability).toBeLessThan(0.5)
    expect(cleanProbability).toBeGreaterThan(0.5)
  })
})
