import { chmod, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer, Logger } from "effect"
import { LicenseGate } from "../../src/domain/LicenseGate.js"
import { defaultConfig } from "../../src/domain/ServiceConfig.js"
import { machineFingerprint } from "../../src/infra/license/Fingerprint.js"
import { licenseFiles, MACHINE_ID_FILE } from "../../src/infra/license/LicenseFiles.js"
import { licenseLayer } from "../../src/infra/license/LicenseLayer.js"
import { fakeCryptlex } from "./FakeCryptlexServer.js"
import { alignClocks, KEY, licenseSection, PRODUCT, startGate, tempDir } from "./harness.js"

/** Collects every log line, so that tests can look for warnings and for leaked secrets. */
const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ logLevel, message }) => lines.push(`${logLevel.label} ${JSON.stringify(message)}`))
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

describe("licenseLayer", () => {
  it.scoped("without a license section: Unlicensed, serves captures, says so in the log and in the detail", () => {
    const logs = captureLogs()
    return Effect.gen(function*() {
      const gate = yield* LicenseGate
      expect(yield* gate.state).toEqual({
        status: "not configured",
        servesCaptures: true,
        detail: "license: not configured, running unlicensed (development only)"
      })
      yield* gate.check
      expect(logs.lines.some((line) => line.startsWith("WARN") && line.includes("runs unlicensed"))).toBe(true)
    }).pipe(Effect.provide(Layer.provide(licenseLayer(defaultConfig), logs.layer)))
  })

  it.scoped("with a license section: the Cryptlex client, and the key never reaches the log", () => {
    const logs = captureLogs()
    return Effect.gen(function*() {
      const server = yield* fakeCryptlex({ key: KEY, productId: PRODUCT })
      yield* alignClocks(server)
      const dir = yield* tempDir
      const keyFile = join(dir, "license.key")
      yield* Effect.promise(() => writeFile(keyFile, `${KEY}\n`))
      yield* Effect.promise(() => chmod(keyFile, 0o666))
      const section = yield* licenseSection(server, { key: undefined, key_file: keyFile })
      server.answerNext({ kind: "error", status: 400, code: "INVALID_LICENSE_KEY" })
      const config = { ...defaultConfig, license: section }
      const state = yield* Effect.flatMap(LicenseGate, (gate) => gate.state).pipe(Effect.provide(licenseLayer(config)))
      expect(state.status).toBe("invalid")
      expect((server.requests[0]?.body as Record<string, unknown>)["key"]).toBe(KEY)
      expect(logs.lines.some((line) => line.startsWith("WARN") && line.includes("has mode 0666"))).toBe(true)
      expect(logs.lines.some((line) => line.includes("INVALID_LICENSE_KEY"))).toBe(true)
      expect(logs.lines.join("\n")).not.toContain(KEY)
      expect(state.detail).not.toContain(KEY)
    }).pipe(Effect.provide(logs.layer))
  })

  it.scoped("a missing key file or an unusable public key is a startup error naming the key", () =>
    Effect.gen(function*() {
      const server = yield* fakeCryptlex({ key: KEY, productId: PRODUCT })
      const missingKey = yield* Effect.either(startGate(yield* licenseSection(server, { key: undefined, key_file: "/nonexistent/key" })))
      expect(Either.isLeft(missingKey) && missingKey.left.message).toBe("license.key_file /nonexistent/key cannot be read (ENOENT)")
      const missingPem = yield* Effect.either(startGate(yield* licenseSection(server, { public_key_file: "/nonexistent/product.pem" })))
      expect(Either.isLeft(missingPem) && missingPem.left.message).toBe("license.public_key_file /nonexistent/product.pem cannot be read (ENOENT)")
      const dir = yield* tempDir
      yield* Effect.promise(() => writeFile(join(dir, "bad.pem"), "not a key"))
      const badPem = yield* Effect.either(startGate(yield* licenseSection(server, { public_key_file: join(dir, "bad.pem") })))
      expect(Either.isLeft(badPem) && badPem.left._tag).toBe("LicenseStartupError")
      expect(Either.isLeft(badPem) && badPem.left.message).toContain("is unusable: it is not a PEM public key")
      expect(server.requests).toHaveLength(0)
    }))

  it.effect("the fingerprint is stable per machine; without an OS machine id it comes from the license directory", () =>
    Effect.gen(function*() {
      const files = licenseFiles(yield* tempDir)
      const first = yield* machineFingerprint("P", files, [])
      expect(first).toMatch(/^[0-9a-f]{64}$/)
      expect(yield* machineFingerprint("P", files, [])).toBe(first)
      expect(yield* machineFingerprint("Q", files, [])).not.toBe(first)
      const id = (yield* Effect.promise(() => readFile(join(files.directory, MACHINE_ID_FILE), "utf8"))).trim()
      expect(first).not.toContain(id)
      const elsewhere = licenseFiles(yield* tempDir)
      expect(yield* machineFingerprint("P", elsewhere, [])).not.toBe(first)
      const osIdFile = join(files.directory, "os-machine-id")
      yield* Effect.promise(() => writeFile(osIdFile, "abc\n"))
      expect(yield* machineFingerprint("P", files, [osIdFile])).toBe(yield* machineFingerprint("P", elsewhere, [osIdFile]))
    }))
})
