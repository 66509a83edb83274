/**
 * Reads what the license section points at: the key (inline or from `key_file`) and the product
 * public key. Both are startup errors when unreadable; the key file gets a warning when group or
 * others may write it or when it is looser than the 0644 the description asks operators for.
 */
import { stat, readFile } from "node:fs/promises"
import type { KeyObject } from "node:crypto"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { LicenseConfig } from "../../domain/LicenseConfig.js"
import { LicenseStartupError } from "../../domain/LicenseStartupError.js"
import { parseProductPublicKey } from "./ActivationToken.js"

/** Permission bits beyond rw-r--r--. */
const LOOSER_THAN_0644 = 0o133

const startupError = (message: string) => new LicenseStartupError({ message })
const reason = (error: unknown): string =>
  error instanceof Error && "code" in error ? String(error.code) : String(error)

export const readLicenseKey = (section: LicenseConfig): Effect.Effect<string, LicenseStartupError> => {
  if (section.key !== undefined) return Effect.succeed(section.key.trim())
  const path = section.key_file ?? ""
  return Effect.gen(function*() {
    const info = yield* Effect.tryPromise({
      try: () => stat(path),
      catch: (error) => startupError(`license.key_file ${path} cannot be read (${reason(error)})`)
    })
    const mode = info.mode & 0o777
    if ((mode & LOOSER_THAN_0644) !== 0) {
      yield* Effect.logWarning(
        `license.key_file ${path} has mode ${mode.toString(8).padStart(4, "0")}; use chmod 644 or stricter`
      )
    }
    const key = yield* Effect.tryPromise({
      try: () => readFile(path, "utf8"),
      catch: (error) => startupError(`license.key_file ${path} cannot be read (${reason(error)})`)
    })
    const trimmed = key.trim()
    if (trimmed === "") return yield* Effect.fail(startupError(`license.key_file ${path} is empty`))
    return trimmed
  })
}

export const readProductPublicKey = (section: LicenseConfig): Effect.Effect<KeyObject, LicenseStartupError> =>
  Effect.gen(function*() {
    const path = section.public_key_file
    const pem = yield* Effect.tryPromise({
      try: () => readFile(path, "utf8"),
      catch: (error) => startupError(`license.public_key_file ${path} cannot be read (${reason(error)})`)
    })
    return yield* Either.mapLeft(
      parseProductPublicKey(pem),
      (why) => startupError(`license.public_key_file ${path} is unusable: ${why}`)
    )
  })
