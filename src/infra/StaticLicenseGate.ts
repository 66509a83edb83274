/**
 * A `LicenseGate` with a fixed state: testers use it to exercise license answers (503
 * NoneBecauseLicenseError, /health, /version) without a license server.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { LicenseGate, type LicenseState, LicenseUnavailable } from "../domain/LicenseGate.js"

export const staticLicenseLayer = (state: LicenseState): Layer.Layer<LicenseGate> =>
  Layer.succeed(LicenseGate, {
    state: Effect.succeed(state),
    check: state.servesCaptures ? Effect.void : Effect.fail(new LicenseUnavailable({ state }))
  })
