import { describe, expect, it } from "@effect/vitest"
import { evidence, STRONG, WEAK } from "../../src/domain/Evidence.js"
import { CLEAN_PROBABILITY, reasonPriority, score } from "../../src/domain/Scoring.js"
import { rejectionReasonTable } from "../../src/domain/EngineReasons.js"

describe("Scoring", () => {
  it("a capture without evidence gets the clean probability and no reason", () => {
    expect(score([])).toEqual({ probability: CLEAN_PROBABILITY, reasons: [] })
  })

  it("any single item rejects at the default threshold, a weak one less firmly than a strong one", () => {
    const strong = score([evidence("UNTRUSTED_CONTENT", STRONG, "x", "")])
    const weak = score([evidence("UNTRUSTED_CONTENT_LOW_CONFIDENCE", WEAK, "x", "")])
    expect(strong.probability).toBeLessThan(0.05)
    expect(weak.probability).toBeLessThan(0.5)
    expect(weak.probability).toBeGreaterThan(strong.probability)
  })

  it("orders reasons by priority, whatever the order of the evidence, and lists each once", () => {
    const result = score([
      evidence("UNTRUSTED_CONTENT_LOW_CONFIDENCE", WEAK, "a", ""),
      evidence("SUSPICIOUS_ACTIVITY", STRONG, "b", ""),
      evidence("SDK_INTEGRITY_VIOLATION", STRONG, "c", ""),
      evidence("SUSPICIOUS_ACTIVITY", STRONG, "d", "")
    ])
    expect(result.reasons).toEqual(["SDK_INTEGRITY_VIOLATION", "SUSPICIOUS_ACTIVITY", "UNTRUSTED_CONTENT_LOW_CONFIDENCE"])
  })

  it("the priority list names every rejection reason exactly once", () => {
    expect([...reasonPriority].sort()).toEqual(Object.keys(rejectionReasonTable).sort())
  })
})
