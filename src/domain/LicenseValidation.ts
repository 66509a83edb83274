/**
 * Pure validation of a verified activation token, in LexActivator's order (signature is checked
 * before this, by whoever parsed the token). Also the one place that words `detail` lines.
 */
import type { LicenseState, LicenseStatus } from "./LicenseGate.js"
import type { ActivationClaims } from "./LicenseToken.js"

/** LexActivator reports E_TIME_MODIFIED when the clock went back more than this since last seen. */
export const CLOCK_ROLLBACK_TOLERANCE_SECONDS = 3800

export interface ExpectedIdentity {
  readonly key: string
  readonly productId: string
  readonly fingerprint: string
}

const isoDate = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString().slice(0, 10)
const isoTime = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z")

/** Builds a state; every detail line starts with "license: <status>" and never carries the key. */
export const licenseState = (status: LicenseStatus, explanation?: string): LicenseState => ({
  status,
  servesCaptures: status === "ok" || status === "not configured",
  detail: explanation === undefined ? `license: ${status}` : `license: ${status}, ${explanation}`
})

/** Why a token cannot be this service's activation (other key, product or machine), if it cannot. */
export const identityMismatch = (claims: ActivationClaims, expected: ExpectedIdentity): string | undefined => {
  if (claims.key !== expected.key || claims.pid !== expected.productId) {
    return "the activation token belongs to another key or product"
  }
  if (claims.fp !== expected.fingerprint) return "the activation token belongs to another machine"
  return undefined
}

/**
 * The state of a license held by a token whose signature already verified.
 * `now` and `lastSeen` are Unix seconds; `lastSeen` is the latest time this machine recorded.
 */
export const validateClaims = (
  claims: ActivationClaims,
  expected: ExpectedIdentity,
  now: number,
  lastSeen: number
): LicenseState => {
  const mismatch = identityMismatch(claims, expected)
  if (mismatch !== undefined) return licenseState("invalid", mismatch)
  if (lastSeen - now > CLOCK_ROLLBACK_TOLERANCE_SECONDS) {
    return licenseState("clock tampered", `the system clock is behind the last recorded time ${isoTime(lastSeen)}`)
  }
  if (claims.iat - now > claims.aco) {
    return licenseState("clock tampered", `the system clock is behind the token issue time ${isoTime(claims.iat)}`)
  }
  if (claims.leat !== 0 && (claims.leat < now || claims.leat < claims.iat)) {
    return licenseState("expired", `lease expired at ${isoTime(claims.leat)}`)
  }
  if (claims.ssi !== 0 && claims.ssgpeat !== 0 && claims.ssgpeat < now) {
    return licenseState("grace period over", `no successful server sync since the grace period ended at ${isoTime(claims.ssgpeat)}`)
  }
  if (claims.eat !== 0 && (claims.eat < now || claims.eat < claims.iat)) {
    return licenseState("expired", `expired on ${isoDate(claims.eat)}`)
  }
  if (claims.suspended) return licenseState("suspended")
  return licenseState("ok", claims.eat === 0 ? "no expiry" : `expires ${isoDate(claims.eat)}`)
}

/** The state after the license server refused an activation or a sync with an error code. */
export const refusalState = (code: string): LicenseState => {
  if (code === "REVOKED_LICENSE") return licenseState("revoked")
  if (code === "ACTIVATION_LIMIT_REACHED") return licenseState("not activated", "the activation limit of the license is reached")
  if (code.includes("SUSPENDED")) return licenseState("suspended")
  if (code.includes("EXPIRED")) return licenseState("expired")
  return licenseState("invalid", `the license server refused the activation (${code})`)
}
