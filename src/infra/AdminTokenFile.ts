/**
 * The admin token when `FACEPHI_IAD_ADMIN_TOKEN` is unset: generated on first start into
 * `<keys_dir>/admin.token` and read back on later starts (PrivateSecretFile.ts: mode 0600, a file
 * others may read is refused). To choose the token yourself, set the variable instead.
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as path from "node:path"
import { ensurePrivateSecretFile } from "./PrivateSecretFile.js"

export const ADMIN_TOKEN_FILE = "admin.token"
/** 32 random bytes: guessing is hopeless even without the bad-token throttle. */
const TOKEN_BYTES = 32

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
  ensurePrivateSecretFile(adminTokenFileOf(keysDir), "admin token file", TOKEN_BYTES).pipe(
    Effect.map(({ created, file, text }) => ({ token: Redacted.make(text), file, created })),
    Effect.mapError((message) => new AdminTokenFileError({ message }))
  )
