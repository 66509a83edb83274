/**
 * The key that MACs session tokens: 32 random bytes in `<keys_dir>/session.secret` (base64url),
 * generated on first start and read back on later starts, like the admin token
 * (PrivateSecretFile.ts: mode 0600, a file others may read is refused). Instances behind one load balancer share `keys_dir` (they need the same service
 * keys anyway), so a token issued by one is accepted by the others.
 *
 * Why an HMAC secret rather than a signing key pair: the service is the only party that issues and
 * checks tokens, so a public key would serve nobody; HMAC-SHA256 is smaller and faster, and the
 * secret never leaves the service (never logged, never answered).
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as path from "node:path"
import { ensurePrivateSecretFile } from "../PrivateSecretFile.js"

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
  ensurePrivateSecretFile(sessionSecretFileOf(keysDir), "session secret file", SECRET_BYTES).pipe(
    Effect.map(({ created, file, text }) => ({ secret: Redacted.make(Buffer.from(text, "base64url")), file, created })),
    Effect.mapError((message) => new SessionSecretFileError({ message }))
  )
