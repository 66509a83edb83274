/**
 * The key that MACs session tokens: 32 random bytes in `<keys_dir>/session.secret` (base64url),
 * generated on first start (created exclusively, mode 0600) and read back on later starts, like
 * the admin token. Instances behind one load balancer share `keys_dir` (they need the same service
 * keys anyway), so a token issued by one is accepted by the others.
 *
 * Why an HMAC secret rather than a signing key pair: the service is the only party that issues and
 * checks tokens, so a public key would serve nobody; HMAC-SHA256 is smaller and faster, and the
 * secret never leaves the service (never logged, never answered). A group- or world-readable file
 * is refused, not fixed: the secret may already have leaked.
 */
import { FileSystem } from "@effect/platform"
import { Data, Effect, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import * as path from "node:path"

export const SESSION_SECRET_FILE = "session.secret"
const SECRET_BYTES = 32

export class SessionSecretFileError extends Data.TaggedError("SessionSecretFileError")<{ readonly message: string }> {}

export interface SessionSecret {
  readonly secret: Redacted.Redacted<Buffer>
  readonly file: string
  readonly created: boolean
}

export const sessionSecretFileOf = (keysDir: string): string => path.resolve(keysDir, SESSION_SECRET_FILE)

export const ensureSessionSecret = (
  keysDir: string
): Effect.Effect<SessionSecret, SessionSecretFileError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const file = sessionSecretFileOf(keysDir)
    const failure = (what: string) => (error: { readonly message: string }) =>
      new SessionSecretFileError({ message: `session secret file ${file}: ${what}: ${error.message}` })
    yield* fs.makeDirectory(path.dirname(file), { recursive: true, mode: 0o700 }).pipe(
      Effect.mapError(failure("cannot create its directory"))
    )
    const fresh = randomBytes(SECRET_BYTES)
    const created = yield* fs.writeFileString(file, `${fresh.toString("base64url")}\n`, { flag: "wx", mode: 0o600 }).pipe(
      Effect.as(true),
      Effect.catchIf((error) => error._tag === "SystemError" && error.reason === "AlreadyExists", () => Effect.succeed(false)),
      Effect.mapError(failure("cannot create it"))
    )
    if (created) return { secret: Redacted.make(fresh), file, created }
    const info = yield* fs.stat(file).pipe(Effect.mapError(failure("cannot read it")))
    const mode = info.mode & 0o777
    if ((mode & 0o077) !== 0) {
      return yield* new SessionSecretFileError({
        message: `session secret file ${file} has mode ${mode.toString(8).padStart(4, "0")}; ` +
          `it must be readable by the service's user only (chmod 600 ${file}, or delete it to get a new secret)`
      })
    }
    const text = (yield* fs.readFileString(file).pipe(Effect.mapError(failure("cannot read it")))).trim()
    const secret = /^[A-Za-z0-9_-]+$/.test(text) ? Buffer.from(text, "base64url") : Buffer.alloc(0)
    if (secret.length < SECRET_BYTES) {
      return yield* new SessionSecretFileError({
        message: `session secret file ${file} does not hold ${SECRET_BYTES} base64url bytes (delete it to get a new one)`
      })
    }
    return { secret: Redacted.make(secret), file, created }
  })
