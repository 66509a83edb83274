/**
 * The engine's keys from `keys_dir`. On first start without a service key, development keys are
 * generated there (the same layout as `iad-capture keygen`) and the directory is logged, never
 * the key material.
 */
import * as Effect from "effect/Effect"
import { resolve } from "node:path"
import { type EngineKeys, generateKeys, hasServiceKey, loadEngineKeys } from "../../capture/KeysDir.js"

export const ensureEngineKeys = (keysDir: string): Effect.Effect<EngineKeys, Error> =>
  Effect.gen(function*() {
    const dir = resolve(keysDir)
    const present = yield* Effect.promise(() => hasServiceKey(dir))
    if (!present) {
      yield* Effect.tryPromise({ try: () => generateKeys(dir), catch: (cause) => asError(cause) })
      yield* Effect.logWarning(
        `no service key in ${dir}: generated development keys there (service, sdk, attestation). ` +
          `Build test captures with: npx iad-capture build --keys ${dir} ...`
      )
    }
    const keys = yield* Effect.tryPromise({ try: () => loadEngineKeys(dir), catch: (cause) => asError(cause) })
    if (keys.sdk.length === 0) yield* Effect.logWarning(`no sdk*.pub in ${dir}: every capture will fail its SDK signature check`)
    if (keys.attestation.length === 0) yield* Effect.logWarning(`no attestation*.pub in ${dir}: no capture can be attested`)
    yield* Effect.logInfo(`native engine keys loaded from ${dir}: ${keys.files.join(", ")}`)
    return keys
  })

const asError = (cause: unknown): Error => (cause instanceof Error ? cause : new Error(String(cause)))
