/**
 * The license directory: the cached activation token, the last time this machine saw, and a
 * generated machine id. Writes are atomic (temporary file, fsync, rename) and mode 0600 because
 * the token carries the license key.
 */
import { randomBytes } from "node:crypto"
import { mkdir, open, readFile, rename, rm } from "node:fs/promises"
import { join } from "node:path"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

export const TOKEN_FILE = "activation-token.jwt"
export const LAST_SEEN_FILE = "last-seen"
export const MACHINE_ID_FILE = "machine-id"

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** A file of the license directory could not be written or removed; the message names it. */
export class LicenseFileError extends Data.TaggedError("LicenseFileError")<{ readonly message: string }> {}

const fileError = (message: string) => new LicenseFileError({ message })

/**
 * Writes `content` to `path` so that readers see the old file or the new one, never half.
 * Uninterruptible: an interrupted write would still land later and could overwrite a newer one.
 */
export const writeFileAtomic = (path: string, content: string): Effect.Effect<void, LicenseFileError> =>
  Effect.uninterruptible(Effect.tryPromise({
    try: async () => {
      const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`
      const handle = await open(temporary, "w", 0o600)
      try {
        await handle.writeFile(content, "utf8")
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(temporary, path).catch(async (error: unknown) => {
        await rm(temporary, { force: true })
        throw error
      })
    },
    catch: (error) => fileError(`cannot write ${path}: ${errorText(error)}`)
  }))

/** The file's text, or none when it does not exist or cannot be read. */
const readOptional = (path: string): Effect.Effect<Option.Option<string>> =>
  Effect.promise(() => readFile(path, "utf8").then((text) => Option.some(text), () => Option.none()))

export interface LicenseFiles {
  readonly directory: string
  readonly ensureDirectory: Effect.Effect<void, LicenseFileError>
  readonly readToken: Effect.Effect<Option.Option<string>>
  readonly writeToken: (raw: string) => Effect.Effect<void, LicenseFileError>
  readonly deleteToken: Effect.Effect<void, LicenseFileError>
  /** Unix seconds; 0 when never recorded or unreadable. */
  readonly readLastSeen: Effect.Effect<number>
  readonly writeLastSeen: (unixSeconds: number) => Effect.Effect<void, LicenseFileError>
  /** A random id generated once and kept, for machines without /etc/machine-id (containers). */
  readonly machineId: Effect.Effect<string, LicenseFileError>
}

export const licenseFiles = (directory: string): LicenseFiles => {
  const token = join(directory, TOKEN_FILE)
  const lastSeen = join(directory, LAST_SEEN_FILE)
  const machineId = join(directory, MACHINE_ID_FILE)
  return {
    directory,
    ensureDirectory: Effect.tryPromise({
      try: () => mkdir(directory, { recursive: true, mode: 0o700 }),
      catch: (error) => fileError(`cannot create the license directory ${directory}: ${errorText(error)}`)
    }),
    readToken: Effect.map(readOptional(token), Option.filter((text) => text.trim() !== "")),
    writeToken: (raw) => writeFileAtomic(token, raw),
    deleteToken: Effect.tryPromise({
      try: () => rm(token, { force: true }),
      catch: (error) => fileError(`cannot delete ${token}: ${errorText(error)}`)
    }),
    readLastSeen: Effect.map(readOptional(lastSeen), (text) => {
      const value = Number(Option.getOrElse(text, () => "0").trim())
      return Number.isFinite(value) && value > 0 ? value : 0
    }),
    writeLastSeen: (unixSeconds) => writeFileAtomic(lastSeen, `${Math.floor(unixSeconds)}\n`),
    machineId: Effect.flatMap(readOptional(machineId), (existing) =>
      Option.match(Option.filter(Option.map(existing, (text) => text.trim()), (id) => id !== ""), {
        onSome: Effect.succeed,
        onNone: () => {
          const fresh = randomBytes(32).toString("hex")
          return Effect.as(writeFileAtomic(machineId, `${fresh}\n`), fresh)
        }
      }))
  }
}
