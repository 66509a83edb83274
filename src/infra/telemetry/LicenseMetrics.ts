/**
 * The license state as gauges, refreshed from the LicenseGate just before each scrape (the state
 * can change between scrapes without any capture: a periodic Cryptlex sync, an expiry).
 */
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import { LicenseGate, type LicenseStatus } from "../../domain/LicenseGate.js"

/** Every status, so that the gauge of the status left behind drops to 0 (the Record keeps this list complete). */
const STATUSES: Record<LicenseStatus, true> = {
  "ok": true,
  "not configured": true,
  "not activated": true,
  "expired": true,
  "suspended": true,
  "revoked": true,
  "grace period over": true,
  "clock tampered": true,
  "invalid": true
}

const licenseStatus = Metric.gauge("iad_license_status", {
  description: "1 for the license status in force, 0 for the others"
})

const servesCaptures = Metric.gauge("iad_license_serves_captures", {
  description: "1 when the license lets capture endpoints serve (valid, or deliberately unlicensed), else 0"
})

export const refreshLicenseMetrics = Effect.gen(function*() {
  const state = yield* Effect.flatMap(LicenseGate, (gate) => gate.state)
  for (const status of Object.keys(STATUSES) as Array<LicenseStatus>) {
    yield* Metric.set(Metric.tagged(licenseStatus, "status", status), status === state.status ? 1 : 0)
  }
  yield* Metric.set(servesCaptures, state.servesCaptures ? 1 : 0)
})
