import { describe, expect, it } from "@effect/vitest"
import { faceMessageOf, faceProblemTable, publicReasonOf, rejectionReasonTable } from "../../src/domain/EngineReasons.js"
import { isLive, SCORE_LIMIT, scoreOf } from "../../src/domain/Liveness.js"
import type { Assessment } from "../../src/domain/AssessCapture.js"
import { decideLiveness } from "../../src/domain/Verdict.js"

const assessment = (overrides: Partial<Assessment> = {}): Assessment => ({
  probability: 0.97,
  reasons: [],
  decisive: false,
  faceProblem: undefined,
  faceProbability: 0.99,
  ...overrides
})

describe("score", () => {
  it("is the logit of the probability", () => {
    expect(scoreOf(0.5)).toBe(0)
    expect(scoreOf(0.9)).toBeCloseTo(Math.log(9), 10)
    expect(scoreOf(0.1)).toBeCloseTo(-Math.log(9), 10)
  })
  it("is clipped to +/-16.1 and total on odd inputs", () => {
    expect(scoreOf(1)).toBe(SCORE_LIMIT)
    expect(scoreOf(0)).toBe(-SCORE_LIMIT)
    expect(scoreOf(1 - 1e-12)).toBe(SCORE_LIMIT)
    expect(scoreOf(Number.NaN)).toBe(-SCORE_LIMIT)
    expect(scoreOf(7)).toBe(SCORE_LIMIT)
  })
  it("Live iff probability >= threshold", () => {
    expect(isLive(0.5, 0.5)).toBe(true)
    expect(isLive(0.4999, 0.5)).toBe(false)
  })
})

describe("engine reason mapping", () => {
  it("maps every known code and nothing else", () => {
    for (const [code, reason] of Object.entries(rejectionReasonTable)) expect(publicReasonOf(code)).toBe(reason)
    for (const [code, message] of Object.entries(faceProblemTable)) expect(faceMessageOf(code)).toBe(message)
  })
  it("is total: unknown codes, prototype names and empty strings are Unknown", () => {
    for (const code of ["", "NEW_REASON", "toString", "__proto__", "constructor", "untrusted_device"]) {
      expect(publicReasonOf(code)).toBe("Unknown")
      expect(faceMessageOf(code)).toBeUndefined()
    }
  })
})

describe("decideLiveness", () => {
  it("Live with reason None", () => {
    expect(decideLiveness(assessment(), 0.5)).toMatchObject({ _tag: "Answered", diagnostic: "Live", reason: "None" })
  })
  it("a rejection reason below threshold wins over a face problem", () => {
    const verdict = decideLiveness(
      assessment({ probability: 0.1, reasons: ["UNTRUSTED_ENVIRONMENT", "UNTRUSTED_CONTENT"], faceProblem: "FACE_TOO_SMALL" }),
      0.5
    )
    expect(verdict).toMatchObject({ _tag: "Answered", diagnostic: "NoLive", reason: "UntrustedEnvironment" })
  })
  it("a face problem on a trusted capture is a face rejection", () => {
    expect(decideLiveness(assessment({ faceProblem: "EYES_CLOSED" }), 0.5)).toEqual({
      _tag: "FaceRejected",
      message: "NoneBecauseEyesClosed"
    })
  })
  it("strong evidence is NoLive whatever the threshold", () => {
    for (const threshold of [0, 1e-6, 0.005]) {
      expect(decideLiveness(assessment({ probability: 0.0095, reasons: ["SDK_INTEGRITY_VIOLATION"], decisive: true }), threshold))
        .toMatchObject({ diagnostic: "NoLive", reason: "SdkIntegrityViolation" })
    }
  })
  it("weak reasons on a capture above a lowered threshold do not make it NoLive", () => {
    expect(decideLiveness(assessment({ reasons: ["SUSPICIOUS_ACTIVITY"] }), 0.5)).toMatchObject({ diagnostic: "Live" })
  })
  it("NoLive without a reason is Unknown", () => {
    expect(decideLiveness(assessment({ probability: 0.2 }), 0.5)).toMatchObject({ diagnostic: "NoLive", reason: "Unknown" })
  })
})
