/**
 * The license port: whether capture endpoints may serve, and what `/version` and `/health` say.
 * Implementations: `Unlicensed` (no license section: development) and the Cryptlex client.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"

export type LicenseStatus =
  | "ok"
  | "not configured"
  | "not activated"
  | "expired"
  | "suspended"
  | "revoked"
  | "grace period over"
  | "clock tampered"
  | "invalid"

export interface LicenseState {
  readonly status: LicenseStatus
  /** True when capture endpoints may run (valid license, or deliberately unlicensed). */
  readonly servesCaptures: boolean
  /** One line for operators (`/version`, logs); never contains the key. */
  readonly detail: string
}

export class LicenseUnavailable extends Data.TaggedError("LicenseUnavailable")<{
  readonly state: LicenseState
}> {}

export interface LicenseGateShape {
  readonly state: Effect.Effect<LicenseState>
  /** Succeeds when captures may be processed, fails with the current state otherwise. */
  readonly check: Effect.Effect<void, LicenseUnavailable>
}

export class LicenseGate extends Context.Tag("iad/LicenseGate")<LicenseGate, LicenseGateShape>() {}
