/**
 * Chooses the license gate from the configuration: `Unlicensed` without a `license` section,
 * else the Cryptlex client. Only configuration problems fail startup; an unreachable license
 * server does not (the gate answers "not activated" and keeps retrying).
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { LicenseConfig } from "../../domain/LicenseConfig.js"
import { LicenseGate } from "../../domain/LicenseGate.js"
import { LicenseStartupError } from "../../domain/LicenseStartupError.js"
import type { ServiceConfig } from "../../domain/ServiceConfig.js"
import { makeCryptlexApi } from "./CryptlexApi.js"
import { makeCryptlexLicense } from "./CryptlexLicense.js"
import { machineFingerprint } from "./Fingerprint.js"
import { licenseFiles } from "./LicenseFiles.js"
import { readLicenseKey, readProductPublicKey } from "./LicenseSecrets.js"
import { Unlicensed } from "./Unlicensed.js"

/** Sent to Cryptlex as `appVersion`. */
export const APP_VERSION = "2.0.0"

export const cryptlexLicenseLayer = (section: LicenseConfig): Layer.Layer<LicenseGate, LicenseStartupError> =>
  Layer.scoped(
    LicenseGate,
    Effect.gen(function*() {
      const key = yield* readLicenseKey(section)
      const productKey = yield* readProductPublicKey(section)
      const files = licenseFiles(section.license_dir)
      const startupError = (message: string) => new LicenseStartupError({ message })
      yield* Effect.mapError(files.ensureDirectory, (error) => startupError(error.message))
      const fingerprint = yield* Effect.mapError(
        machineFingerprint(section.product_id, files),
        (error) => startupError(`license.license_dir must be writable: ${error.message}`)
      )
      const api = yield* makeCryptlexApi(section.host, section.request_timeout)
      return yield* makeCryptlexLicense({
        key,
        productId: section.product_id,
        productKey,
        fingerprint,
        appVersion: APP_VERSION,
        retryIntervalSeconds: section.retry_interval,
        deactivateOnShutdown: section.deactivate_on_shutdown,
        api,
        files
      })
    })
  ).pipe(Layer.provide(FetchHttpClient.layer))

export const licenseLayer = (config: ServiceConfig): Layer.Layer<LicenseGate, LicenseStartupError> =>
  config.license === undefined ? Unlicensed : cryptlexLicenseLayer(config.license)
