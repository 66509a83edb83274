/** The gate without a `license` section: captures are served, and everyone is told so. */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { LicenseGate } from "../../domain/LicenseGate.js"
import { licenseState } from "../../domain/LicenseValidation.js"

export const unlicensedState = licenseState("not configured", "running unlicensed (development only)")

export const Unlicensed: Layer.Layer<LicenseGate> = Layer.effect(
  LicenseGate,
  Effect.as(
    Effect.logWarning("license: no license section in the configuration; the service runs unlicensed (development only)"),
    { state: Effect.succeed(unlicensedState), check: Effect.void }
  )
)
