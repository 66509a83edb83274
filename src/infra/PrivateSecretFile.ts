/**
 * A secret the service generates for itself on first start and keeps in a file beside its keys
 * (the admin token, the session MAC key): created exclusively with mode 0600 from fresh random
 * bytes, read back on later starts. A file that others may read is refused, not fixed: the secret
 * may already have leaked, so the operator decides (chmod 600, or delete it to get a new one).
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import { randomBytes } from "node:crypto"
import * as path from "node:path"

export interface PrivateSecret {
  /** The secret's base64url text, as the file holds it. */
  readonly text: string
  readonly file: string
  readonly created: boolean
}

/**
 * `label` names the file in messages ("admin token file"); a file whose text is not at least
 * `bytes` base64url-encoded bytes was not made here and is refused.
 */
export const ensurePrivateSecretFile = (
  file: string,
  label: string,
  bytes: number
): Effect.Effect<PrivateSecret, string, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const failure = (what: string) => (error: { readonly message: string }) => `${label} ${file}: ${what}: ${error.message}`
    yield* fs.makeDirectory(path.dirname(file), { recursive: true, mode: 0o700 }).pipe(
      Effect.mapError(failure("cannot create its directory"))
    )
    const fresh = randomBytes(bytes).toString("base64url")
    const created = yield* fs.writeFileString(file, `${fresh}\n`, { flag: "wx", mode: 0o600 }).pipe(
      Effect.as(true),
      Effect.catchIf((error) => error._tag === "SystemError" && error.reason === "AlreadyExists", () => Effect.succeed(false)),
      Effect.mapError(failure("cannot create it"))
    )
    if (created) return { text: fresh, file, created }
    const info = yield* fs.stat(file).pipe(Effect.mapError(failure("cannot read it")))
    const mode = info.mode & 0o777
    if ((mode & 0o077) !== 0) {
      return yield* Effect.fail(
        `${label} ${file} has mode ${mode.toString(8).padStart(4, "0")}; ` +
          `it must be readable by the service's user only (chmod 600 ${file}, or delete it to get a new one)`
      )
    }
    const text = (yield* fs.readFileString(file).pipe(Effect.mapError(failure("cannot read it")))).trim()
    const decoded = /^[A-Za-z0-9_-]+$/.test(text) ? Buffer.from(text, "base64url") : Buffer.alloc(0)
    if (decoded.length < bytes) {
      return yield* Effect.fail(`${label} ${file} does not hold ${bytes} base64url bytes (delete it to get a new one)`)
    }
    return { text, file, created }
  })
