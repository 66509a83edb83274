import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { ActivationClaims } from "../../src/domain/LicenseToken.js"
import { refusalState, validateClaims } from "../../src/domain/LicenseValidation.js"

const NOW = 1_767_225_600
const expected = { key: "KEY", productId: "P", fingerprint: "F" }
const claims = (extra: Record<string, unknown> = {}) =>
  Schema.decodeUnknownSync(ActivationClaims)({ aid: "a", pid: "P", key: "KEY", fp: "F", iat: NOW - 10, ...extra })
const status = (extra: Record<string, unknown> = {}, lastSeen = 0) => validateClaims(claims(extra), expected, NOW, lastSeen).status

describe("activation token validation, in LexActivator's order", () => {
  it("ok without expiry, with expiry date in the detail", () => {
    expect(validateClaims(claims(), expected, NOW, 0).detail).toBe("license: ok, no expiry")
    expect(validateClaims(claims({ eat: NOW + 86400 }), expected, NOW, 0).detail).toBe("license: ok, expires 2026-01-02")
  })

  it("key, product and fingerprint mismatches are invalid", () => {
    expect(status({ key: "OTHER" })).toBe("invalid")
    expect(status({ pid: "OTHER" })).toBe("invalid")
    expect(validateClaims(claims({ fp: "OTHER" }), expected, NOW, 0).detail).toBe("license: invalid, the activation token belongs to another machine")
  })

  it("clock checks: rolled back beyond 3800 s, or token issued beyond aco in the future", () => {
    expect(status({}, NOW + 3800)).toBe("ok")
    expect(status({}, NOW + 3801)).toBe("clock tampered")
    expect(status({ iat: NOW + 100, aco: 100 })).toBe("ok")
    expect(status({ iat: NOW + 101, aco: 100 })).toBe("clock tampered")
  })

  it("lease, grace period, expiry, suspension", () => {
    expect(status({ leat: NOW - 1 })).toBe("expired")
    expect(status({ ssi: 3600, ssgpeat: NOW - 1 })).toBe("grace period over")
    expect(status({ ssi: 0, ssgpeat: NOW - 1 })).toBe("ok")
    expect(status({ eat: NOW - 1 })).toBe("expired")
    expect(status({ suspended: true })).toBe("suspended")
  })

  it("keeps the order: mismatch before clock before grace before expiry before suspension", () => {
    const everything = { eat: NOW - 1, ssi: 1, ssgpeat: NOW - 1, suspended: true }
    expect(status({ ...everything, fp: "X", iat: NOW + 9999 })).toBe("invalid")
    expect(status({ ...everything, iat: NOW + 9999 })).toBe("clock tampered")
    expect(status(everything)).toBe("grace period over")
    expect(status({ eat: NOW - 1, suspended: true })).toBe("expired")
  })

  it("only ok serves captures", () => {
    expect(validateClaims(claims({ suspended: true }), expected, NOW, 0).servesCaptures).toBe(false)
    expect(validateClaims(claims(), expected, NOW, 0).servesCaptures).toBe(true)
  })

  it("maps server refusal codes to statuses", () => {
    expect(refusalState("REVOKED_LICENSE").status).toBe("revoked")
    expect(refusalState("ACTIVATION_LIMIT_REACHED").status).toBe("not activated")
    expect(refusalState("INVALID_LICENSE_KEY").status).toBe("invalid")
    expect(refusalState("VM_ACTIVATION_NOT_ALLOWED").detail).toBe("license: invalid, the license server refused the activation (VM_ACTIVATION_NOT_ALLOWED)")
  })
})
