import { describe, expect, it } from "@effect/vitest"
import { stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { generateKeys, keyFiles, keyIdOf, loadEncoderKeys, loadEngineKeys } from "../../src/capture/index.js"
import { tempDir } from "../native/helpers.js"

describe("keys directory", () => {
  it("keygen writes the six key files with private keys readable by the owner only", async () => {
    const dir = join(await tempDir("kg"), "keys")
    await generateKeys(dir)
    for (const file of Object.values(keyFiles)) {
      const mode = (await stat(join(dir, file))).mode & 0o777
      expect(mode, file).toBe(file.endsWith(".key") ? 0o600 : 0o644)
    }
    expect((await stat(dir)).mode & 0o777).toBe(0o700)
  })

  it("keygen refuses to overwrite existing keys unless asked", async () => {
    const dir = join(await tempDir("kg"), "keys")
    await generateKeys(dir)
    const before = await loadEncoderKeys(dir)
    await expect(generateKeys(dir)).rejects.toThrow(/already exists/)
    await generateKeys(dir, { overwrite: true })
    const after = await loadEncoderKeys(dir)
    expect(keyIdOf(after.servicePublic).equals(keyIdOf(before.servicePublic))).toBe(false)
  })

  it("the engine loads every service*.key for rotation, and names a bad file without quoting it", async () => {
    const dir = join(await tempDir("kg"), "keys")
    const other = join(await tempDir("kg"), "keys")
    await generateKeys(dir)
    await generateKeys(other)
    const { readFile } = await import("node:fs/promises")
    await writeFile(join(dir, "service-2025.key"), await readFile(join(other, "service.key")), { mode: 0o600 })
    const keys = await loadEngineKeys(dir)
    expect(keys.service).toHaveLength(2)
    expect(keys.sdk).toHaveLength(1)
    expect(keys.attestation).toHaveLength(1)
    expect(keys.files).toContain("service-2025.key")

    await writeFile(join(dir, "sdk-broken.pub"), "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n")
    await expect(loadEngineKeys(dir)).rejects.toThrow(/sdk-broken\.pub is not a PEM public key$/)
  })

  it("a key id names the public half, whichever half it is given", async () => {
    const dir = join(await tempDir("kg"), "keys")
    await generateKeys(dir)
    const keys = await loadEncoderKeys(dir)
    const { createPublicKey } = await import("node:crypto")
    expect(keyIdOf(keys.sdkPrivate)).toEqual(keyIdOf(createPublicKey(keys.sdkPrivate)))
    expect(keyIdOf(keys.sdkPrivate)).toHaveLength(8)
  })
})
