/**
 * A `LicenseGate` with a fixed state: the unlicensed development mode and a layer testers use to
 * exercise license answers without a license server.
 */
import { Effect, Layer } from "effect"
import { LicenseGate, type LicenseState, LicenseUnavailable } from "../domain/LicenseGate.js"

export const staticLicenseLayer = (state: LicenseState): Layer.Layer<LicenseGate> =>
  Layer.succeed(LicenseGate, {
    state: Effect.succeed(state),
    check: state.servesCaptures ? Effect.void : Effect.fail(new LicenseUnavailable({ state }))
  })

export const notConfiguredLicense: LicenseState = {
  status: "not configured",
  servesCaptures: true,
  detail: "license: not configured"
}
