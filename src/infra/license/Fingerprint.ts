/**
 * The machine fingerprint sent to Cryptlex: stable across restarts, distinct per machine.
 * Source: the OS machine id when there is one, else an id generated once in the license
 * directory (containers have no /etc/machine-id; the license directory is a mounted volume,
 * so the id survives a new container). Hashed with the product id: 64 hex characters, inside
 * Cryptlex's 64..1024 range, and the raw machine id never leaves the host.
 */
import { createHash } from "node:crypto"
import { readFile } from "node:fs/promises"
import * as Effect from "effect/Effect"
import type { LicenseFileError, LicenseFiles } from "./LicenseFiles.js"

export const OS_MACHINE_ID_FILES: ReadonlyArray<string> = ["/etc/machine-id", "/var/lib/dbus/machine-id"]

const firstReadable = (paths: ReadonlyArray<string>): Effect.Effect<string | undefined> =>
  Effect.promise(async () => {
    for (const path of paths) {
      const text = await readFile(path, "utf8").then((value) => value.trim(), () => "")
      if (text !== "") return text
    }
    return undefined
  })

export const machineFingerprint = (
  productId: string,
  files: LicenseFiles,
  osMachineIdFiles: ReadonlyArray<string> = OS_MACHINE_ID_FILES
): Effect.Effect<string, LicenseFileError> =>
  Effect.gen(function*() {
    const osId = yield* firstReadable(osMachineIdFiles)
    const id = osId ?? (yield* files.machineId)
    return createHash("sha256").update(`iad-service|${productId}|${id}`).digest("hex")
  })
