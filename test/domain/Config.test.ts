import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { parseByteSize } from "../../src/domain/ByteSize.js"
import { isFresh, replayPolicyFromEnv } from "../../src/domain/ReplayPolicy.js"
import { defaultConfig, redact, resolveConfig, withoutRedactedSecrets } from "../../src/domain/ServiceConfig.js"

describe("client_max_body_size strings", () => {
  it("reads Drogon sizes", () => {
    expect(parseByteSize("1024")).toEqual(Either.right(1024))
    expect(parseByteSize("1k")).toEqual(Either.right(1024))
    expect(parseByteSize("10M")).toEqual(Either.right(10 * 1024 * 1024))
    expect(parseByteSize("1G")).toEqual(Either.right(1024 ** 3))
    expect(parseByteSize("")).toEqual(Either.right(undefined))
  })
  it("rejects anything else", () => {
    for (const text of ["1.5M", "-1", "10MB", "k", "9999999999999999999G"]) expect(Either.isLeft(parseByteSize(text))).toBe(true)
  })
})

describe("configuration precedence", () => {
  it("environment > config.json > defaults", () => {
    const config = Either.getOrThrow(resolveConfig({ port: 7000, engine_pool_size: 4 }, { FACEPHI_IAD_PORT: "7100" }))
    expect(config.port).toBe(7100)
    expect(config.engine_pool_size).toBe(4)
    expect(config.liveness_threshold).toBe(defaultConfig.liveness_threshold)
  })
  it("names every bad key", () => {
    const result = resolveConfig({ port: "x", nope: 1 }, {})
    expect(Either.isLeft(result) && result.left.message).toMatch(/"port".*"nope"|"nope".*"port"/)
  })
})

describe("redaction", () => {
  it("hides secret-looking values at any depth and keeps the rest", () => {
    expect(redact({ license: { key: "ABC", key_file: "/k" }, admin_token: "t", port: 1 })).toEqual({
      license: { key: "<redacted>", key_file: "/k" },
      admin_token: "<redacted>",
      port: 1
    })
  })
  it("a redacted placeholder posted back is dropped, not stored", () => {
    expect(withoutRedactedSecrets({ license: { key: "<redacted>", host: "h" } })).toEqual({ license: { host: "h" } })
  })
})

describe("replay policy", () => {
  it("reads the environment with defaults", () => {
    expect(replayPolicyFromEnv({})).toEqual(Either.right({ enabled: false, toleranceSeconds: 300 }))
    expect(replayPolicyFromEnv({ FACEPHI_IAD_REPLAY_ATTACK_CHECKER_ENABLED: "TRUE", FACEPHI_IAD_REPLAY_ATTACK_TOLERANCE_TIME: "60" }))
      .toEqual(Either.right({ enabled: true, toleranceSeconds: 60 }))
  })
  it("windows are inclusive at the edge, in both directions", () => {
    const policy = { enabled: true, toleranceSeconds: 10 }
    expect(isFresh(policy, 0, 10_000)).toBe(true)
    expect(isFresh(policy, 0, 10_001)).toBe(false)
    expect(isFresh(policy, 20_000, 10_000)).toBe(true)
    expect(isFresh(policy, 20_001, 10_000)).toBe(false)
    expect(isFresh(policy, Number.NaN, 0)).toBe(false)
  })
})
