/**
 * The admin token when `FACEPHI_IAD_ADMIN_TOKEN` is unset: generated on first start into
 * `<keys_dir>/admin.token` (created exclusively, mode 0600), read back on later starts. A file
 * that others may read is refused rather than fixed: the token may already have leaked, so the
 * operator should replace it (delete the file and restart) or at least decide (`chmod 600`).
 */
import { FileSystem } from "@effect/platform"
import { Data, Effect, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import * as path from "node:path"

export const ADMIN_TOKEN_FILE = "admin.token"
/** 32 random bytes: guessing is hopeless even without the bad-token throttle. */
const TOKEN_BYTES = 32
/** A shorter token in the file was not made here and is too weak to guard the configuration. */
const MIN_TOKEN_LENGTH = 32

export class AdminTokenFileError extends Data.TaggedError("AdminTokenFileError")<{ readonly message: string }> {}

export interface AdminTokenFromFile {
  readonly token: Redacted.Redacted<string>
  readonly file: string
  readonly created: boolean
}

export const adminTokenFileOf = (keysDir: string): string => path.resolve(keysDir, ADMIN_TOKEN_FILE)

export const ensureAdminTokenFile = (
  keysDir: string
): Effect.Effect<AdminTokenFromFile, AdminTokenFileError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const file = adminTokenFileOf(keysDir)
    const failure = (what: string) => (error: { readonly message: string }) =>
      new AdminTokenFileError({ message: `admin token file ${file}: ${what}: ${error.message}` })
    yield* fs.makeDirectory(path.dirname(file), { recursive: true, mode: 0o700 }).pipe(
      Effect.mapError(failure("cannot create its directory"))
    )
    const token = randomBytes(TOKEN_BYTES).toString("base64url")
    const created = yield* fs.writeFileString(file, `${token}\n`, { flag: "wx", mode: 0o600 }).pipe(
      Effect.as(true),
      Effect.catchIf((error) => error._tag === "SystemError" && error.reason === "AlreadyExists", () => Effect.succeed(false)),
      Effect.mapError(failure("cannot create it"))
    )
    if (created) return { token: Redacted.make(token), file, created }
    const info = yield* fs.stat(file).pipe(Effect.mapError(failure("cannot read it")))
    const mode = info.mode & 0o777
    if ((mode & 0o077) !== 0) {
      return yield* new AdminTokenFileError({
        message: `admin token file ${file} has mode ${mode.toString(8).padStart(4, "0")}; ` +
          `it must be readable by the service's user only (chmod 600 ${file}, or delete it to get a new token)`
      })
    }
    const existing = (yield* fs.readFileString(file).pipe(Effect.mapError(failure("cannot read it")))).trim()
    if (existing.length < MIN_TOKEN_LENGTH || /\s/.test(existing)) {
      return yield* new AdminTokenFileError({
        message:
          `admin token file ${file} does not hold a token of at least ${MIN_TOKEN_LENGTH} characters (delete it to get a new one)`
      })
    }
    return { token: Redacted.make(existing), file, created }
  })
