import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { DEFAULT_LICENSE_HOST, LicenseConfig } from "../../src/domain/LicenseConfig.js"
import { defaultConfig, needsRestart, redact, validateConfig } from "../../src/domain/ServiceConfig.js"

const decode = Schema.decodeUnknownEither(LicenseConfig)
const minimal = { key: "SECRET-KEY-123", product_id: "p", public_key_file: "product.pem" }

describe("license section of config.json", () => {
  it("fills defaults: Cryptlex host, 10 s timeout, 60 s retry, ./license, keep activation", () => {
    const section = Either.getOrThrow(decode(minimal))
    expect(section).toEqual({
      ...minimal,
      host: DEFAULT_LICENSE_HOST,
      request_timeout: 10,
      retry_interval: 60,
      license_dir: "license",
      deactivate_on_shutdown: false
    })
  })

  it("needs exactly one of key and key_file", () => {
    expect(Either.isLeft(decode({ product_id: "p", public_key_file: "k" }))).toBe(true)
    expect(Either.isLeft(decode({ ...minimal, key_file: "/run/key" }))).toBe(true)
    expect(Either.isRight(decode({ product_id: "p", public_key_file: "k", key_file: "/run/key" }))).toBe(true)
  })

  it("accepts https hosts (EU, on-premise) and plain http only on loopback", () => {
    for (const host of ["https://api.eu.cryptlex.com", "https://licenses.example.com/api/", "http://127.0.0.1:8080", "http://localhost:1"]) {
      expect(Either.isRight(decode({ ...minimal, host }))).toBe(true)
    }
    for (const host of ["http://api.cryptlex.com", "ftp://x", "api.cryptlex.com", "https://u:p@x.com", ""]) {
      expect(Either.isLeft(decode({ ...minimal, host }))).toBe(true)
    }
  })

  it("is part of ServiceConfig: validated with the rest, bad keys named", () => {
    const ok = validateConfig({ ...defaultConfig, license: minimal })
    expect(Either.isRight(ok) && ok.right.license?.host).toBe(DEFAULT_LICENSE_HOST)
    const bad = validateConfig({ ...defaultConfig, license: { ...minimal, request_timeout: -1, surprise: 1 } })
    expect(Either.isLeft(bad) && bad.left.message).toContain('config key "license.request_timeout"')
    expect(Either.isLeft(bad) && bad.left.message).toContain('config key "license.surprise": unknown key')
  })

  it("never shows the key in /config", () => {
    const shown = JSON.stringify(redact({ ...defaultConfig, license: minimal }))
    expect(shown).not.toContain("SECRET-KEY-123")
    expect(shown).toContain('"key":"<redacted>"')
  })

  it("every license key needs a restart", () => {
    expect(needsRestart("license")).toBe(true)
    expect(needsRestart("license.host")).toBe(true)
    expect(needsRestart("license.key")).toBe(true)
    expect(needsRestart("liveness_threshold")).toBe(false)
    expect(needsRestart("log.log_level")).toBe(false)
    expect(needsRestart("log.log_path")).toBe(true)
  })
})
