import { readFile, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import { LAST_SEEN_FILE, TOKEN_FILE } from "../../src/infra/license/LicenseFiles.js"
import { fakeCryptlex } from "./FakeCryptlexServer.js"
import { alignClocks, eventually, KEY, licenseSection, PRODUCT, startGate, T0, untilScheduled } from "./harness.js"

const DAY = 24 * 3600
const setup = (license: Parameters<typeof fakeCryptlex>[0] extends infer O ? Partial<O & object> : never = {}) =>
  Effect.gen(function*() {
    const server = yield* fakeCryptlex({ key: KEY, productId: PRODUCT, ...license })
    yield* alignClocks(server)
    return server
  })

describe("Cryptlex license gate", () => {
  it.scoped("activates at startup, caches the token 0600 and reports ok with the expiry date", () =>
    Effect.gen(function*() {
      const server = yield* setup({ eat: T0 + 365 * DAY })
      const section = yield* licenseSection(server)
      const { gate, stop } = yield* startGate(section)
      const state = yield* gate.state
      expect(state).toEqual({ status: "ok", servesCaptures: true, detail: "license: ok, expires 2027-01-01" })
      yield* gate.check
      const activation = server.requests[0]
      expect(activation?.method).toBe("POST")
      expect(activation?.path).toBe("/v3/activations")
      const body = activation?.body as Record<string, unknown>
      expect(body["key"]).toBe(KEY)
      expect(body["productId"]).toBe(PRODUCT)
      expect(body["fingerprint"]).toMatch(/^[0-9a-f]{64}$/)
      expect(body["os"]).toBe("linux")
      expect(body["appVersion"]).toBe("2.0.0")
      expect(typeof body["hostname"]).toBe("string")
      const tokenFile = join(section.license_dir, TOKEN_FILE)
      expect((yield* Effect.promise(() => stat(tokenFile))).mode & 0o777).toBe(0o600)
      yield* stop
    }))

  it.scoped("restarts from the cached token with the server down, same fingerprint, then syncs when it is back", () =>
    Effect.gen(function*() {
      const server = yield* setup()
      const section = yield* licenseSection(server)
      const first = yield* startGate(section)
      expect((yield* first.gate.state).status).toBe("ok")
      yield* first.stop
      const fingerprint = (server.requests[0]?.body as Record<string, unknown>)["fingerprint"]

      server.answerAlways({ kind: "error", status: 503 })
      const second = yield* startGate(section)
      expect((yield* second.gate.state).status).toBe("ok")
      expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(2 - 1)
      // first sync 2 s after start fails (503): the cached token still serves, the detail says why
      yield* untilScheduled(2)
      yield* TestClock.adjust("2 seconds")
      const degraded = yield* eventually(second.gate.state, (s) => s.detail.includes("last server sync failed"))
      expect(degraded.status).toBe("ok")
      expect(degraded.detail).toContain("HTTP 503")

      server.answerAlways(undefined)
      yield* untilScheduled(60)
      yield* TestClock.adjust("60 seconds")
      const synced = yield* eventually(second.gate.state, (s) => !s.detail.includes("failed"))
      expect(synced.status).toBe("ok")
      const patch = server.requests.find((r) => r.method === "PATCH")
      expect(patch?.path).toBe("/v3/activations/activation-1")
      expect((patch?.body as Record<string, unknown>)["fingerprint"]).toBe(fingerprint)
      yield* second.stop
    }))

  it.scoped("restarts from the cache when the server port is closed (connection refused)", () =>
    Effect.gen(function*() {
      const server = yield* setup()
      const section = yield* licenseSection(server)
      const first = yield* startGate(section)
      yield* first.stop
      yield* server.close
      const second = yield* startGate(section)
      expect((yield* second.gate.state).status).toBe("ok")
      yield* second.stop
    }))

  it.scoped("starts 'not activated' when the server is unreachable, answers LicenseUnavailable, retries on schedule", () =>
    Effect.gen(function*() {
      const server = yield* setup()
      server.answerNext({ kind: "error", status: 500 })
      const { gate, stop } = yield* startGate(yield* licenseSection(server, { retry_interval: 30 }))
      const state = yield* gate.state
      expect(state.status).toBe("not activated")
      expect(state.servesCaptures).toBe(false)
      expect(state.detail).toBe("license: not activated, the license server answered HTTP 500")
      const refused = yield* Effect.either(gate.check)
      expect(Either.isLeft(refused) && refused.left._tag).toBe("LicenseUnavailable")
      yield* untilScheduled(30)
      yield* TestClock.adjust("30 seconds")
      expect((yield* eventually(gate.state, (s) => s.status === "ok")).status).toBe("ok")
      expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(2)
      yield* stop
    }))

  it.scoped("a hung server times out after request_timeout without failing startup", () =>
    Effect.gen(function*() {
      const server = yield* setup()
      server.answerAlways({ kind: "hang" })
      const started = Date.now()
      const { gate, stop } = yield* startGate(yield* licenseSection(server, { request_timeout: 0.3 }))
      const elapsed = Date.now() - started
      expect(elapsed).toBeGreaterThanOrEqual(250)
      expect(elapsed).toBeLessThan(2000)
      expect((yield* gate.state).detail).toBe("license: not activated, the license server did not answer within 0.3 s")
      yield* stop
    }))

  it.scoped("an expired license reports expired", () =>
    Effect.gen(function*() {
      const server = yield* setup({ eat: T0 - DAY })
      const { gate, stop } = yield* startGate(yield* licenseSection(server))
      expect(yield* gate.state).toEqual({ status: "expired", servesCaptures: false, detail: "license: expired, expired on 2025-12-31" })
      yield* stop
    }))

  it.scoped("a license expires while running, between syncs", () =>
    Effect.gen(function*() {
      const server = yield* setup({ eat: T0 + 1800, ssi: 3600 })
      const { gate, stop } = yield* startGate(yield* licenseSection(server))
      expect((yield* gate.state).status).toBe("ok")
      yield* TestClock.adjust("1801 seconds")
      expect((yield* gate.state).status).toBe("expired")
      yield* stop
    }))

  it.scoped("suspension and revocation take effect at the next sync", () =>
    Effect.gen(function*() {
      const server = yield* setup({ ssi: 600 })
      const section = yield* licenseSection(server)
      const { gate, stop } = yield* startGate(section)
      expect((yield* gate.state).status).toBe("ok")
      server.license.suspended = true
      expect((yield* gate.state).status).toBe("ok")
      yield* untilScheduled(600)
      yield* TestClock.adjust("600 seconds")
      expect((yield* eventually(gate.state, (s) => s.status !== "ok")).status).toBe("suspended")

      server.license.revoked = true
      yield* untilScheduled(600)
      yield* TestClock.adjust("600 seconds")
      const revoked = yield* eventually(gate.state, (s) => s.status === "revoked")
      expect(revoked).toEqual({ status: "revoked", servesCaptures: false, detail: "license: revoked" })
      const cached = yield* Effect.promise(() => stat(join(section.license_dir, TOKEN_FILE)).then(() => true, () => false))
      expect(cached).toBe(false)
      yield* stop
    }))

  it.scoped("network errors keep the token until the grace period ends, then 'grace period over'", () =>
    Effect.gen(function*() {
      const server = yield* setup({ ssi: 3600, gracePeriod: 3 * 3600 })
      const { gate, stop } = yield* startGate(yield* licenseSection(server, { retry_interval: 600 }))
      server.answerAlways({ kind: "error", status: 502 })
      yield* untilScheduled(3600)
      yield* TestClock.adjust("2 hours")
      yield* eventually(Effect.sync(() => server.requests.length), (n) => n >= 2)
      const inGrace = yield* gate.state
      expect(inGrace.status).toBe("ok")
      yield* TestClock.adjust("1 hours")
      yield* TestClock.adjust("1 seconds")
      const over = yield* gate.state
      expect(over.status).toBe("grace period over")
      expect(over.detail).toBe("license: grace period over, no successful server sync since the grace period ended at 2026-01-01T03:00:00Z")
      yield* stop
    }))

  it.scoped("a clock set back more than 3800 s is 'clock tampered', also across a restart", () =>
    Effect.gen(function*() {
      const server = yield* setup({ ssi: 0 })
      const section = yield* licenseSection(server, { retry_interval: 3600 })
      const first = yield* startGate(section)
      server.answerAlways({ kind: "error", status: 503 })
      yield* TestClock.adjust("10 hours")
      expect((yield* first.gate.state).status).toBe("ok")
      yield* TestClock.setTime((T0 + 10 * 3600 - 3801) * 1000)
      const tampered = yield* first.gate.state
      expect(tampered.status).toBe("clock tampered")
      expect(tampered.servesCaptures).toBe(false)
      yield* first.stop
      const persisted = Number((yield* Effect.promise(() => readFile(join(section.license_dir, LAST_SEEN_FILE), "utf8"))).trim())
      expect(persisted).toBe(T0 + 10 * 3600)

      yield* server.close
      yield* TestClock.setTime((T0 + 5 * 3600) * 1000)
      const second = yield* startGate(section)
      expect((yield* second.gate.state).status).toBe("clock tampered")
      yield* TestClock.setTime((T0 + 10 * 3600) * 1000)
      expect((yield* second.gate.state).status).toBe("ok")
      yield* second.stop
    }))

  it.scoped("a token issued in the future beyond aco is 'clock tampered'", () =>
    Effect.gen(function*() {
      const server = yield* setup({ aco: 600 })
      server.now = () => T0 + 3600
      const { gate, stop } = yield* startGate(yield* licenseSection(server))
      expect((yield* gate.state).status).toBe("clock tampered")
      yield* stop
    }))

  it.scoped("429 waits for Retry-After, not for the retry interval", () =>
    Effect.gen(function*() {
      const server = yield* setup()
      server.answerNext({ kind: "rateLimit", retryAfter: "120" })
      const { gate, stop } = yield* startGate(yield* licenseSection(server, { retry_interval: 60 }))
      expect((yield* gate.state).detail).toBe("license: not activated, rate limited by the license server")
      yield* untilScheduled(120)
      yield* TestClock.adjust("119 seconds")
      yield* eventually(Effect.sync(() => server.requests.length), (n) => n > 1, 200)
      expect(server.requests).toHaveLength(1)
      yield* TestClock.adjust("1 seconds")
      expect((yield* eventually(gate.state, (s) => s.status === "ok")).status).toBe("ok")
      expect(server.requests).toHaveLength(2)
      yield* stop
    }))

  it.scoped("a token signed by another key is rejected, from the server and from the cache", () =>
    Effect.gen(function*() {
      const server = yield* setup()
      server.answerNext({ kind: "foreignToken" })
      const section = yield* licenseSection(server)
      const first = yield* startGate(section)
      const state = yield* first.gate.state
      expect(state.status).toBe("invalid")
      expect(state.detail).toContain("signature does not match the product public key")
      yield* first.stop

      const claims = { aid: "a", pid: PRODUCT, key: KEY, fp: (server.requests[0]?.body as Record<string, string>)["fingerprint"], iat: T0 }
      yield* Effect.promise(() => writeFile(join(section.license_dir, TOKEN_FILE), server.signToken(claims, { otherKey: true })))
      server.answerAlways({ kind: "error", status: 503 })
      const second = yield* startGate(section)
      expect((yield* second.gate.state).status).toBe("not activated")
      yield* second.stop
    }))

  it.scoped("server refusals: invalid key, activation limit, revoked", () =>
    Effect.gen(function*() {
      const wrongKey = yield* setup({ key: "ANOTHER-KEY-0000000000" })
      const a = yield* startGate(yield* licenseSection(wrongKey))
      expect(yield* a.gate.state).toEqual({
        status: "invalid",
        servesCaptures: false,
        detail: "license: invalid, the license server refused the activation (INVALID_LICENSE_KEY)"
      })
      yield* a.stop
      const full = yield* setup({ activationLimit: 0 })
      const b = yield* startGate(yield* licenseSection(full))
      expect((yield* b.gate.state).detail).toBe("license: not activated, the activation limit of the license is reached")
      yield* b.stop
      const revoked = yield* setup({ revoked: true })
      const c = yield* startGate(yield* licenseSection(revoked))
      expect((yield* c.gate.state).status).toBe("revoked")
      yield* c.stop
    }))

  it.scoped("an activation deleted on the server (404 at sync) is activated again", () =>
    Effect.gen(function*() {
      const server = yield* setup({ ssi: 600, activationLimit: 2 })
      const { gate, stop } = yield* startGate(yield* licenseSection(server))
      server.activations.clear()
      yield* untilScheduled(600)
      yield* TestClock.adjust("600 seconds")
      yield* eventually(Effect.sync(() => server.activations.size), (n) => n === 1)
      expect(server.requests.map((r) => r.method)).toEqual(["POST", "PATCH", "POST"])
      expect((yield* gate.state).status).toBe("ok")
      yield* stop
    }))

  it.scoped("deactivates on shutdown when configured and forgets the token", () =>
    Effect.gen(function*() {
      const server = yield* setup()
      const section = yield* licenseSection(server, { deactivate_on_shutdown: true })
      const { stop } = yield* startGate(section)
      expect(server.activations.size).toBe(1)
      yield* stop
      expect(server.activations.size).toBe(0)
      expect(server.requests.at(-1)?.method).toBe("DELETE")
      const cached = yield* Effect.promise(() => stat(join(section.license_dir, TOKEN_FILE)).then(() => true, () => false))
      expect(cached).toBe(false)
    }))

  it.scoped("keeps the activation on shutdown by default", () =>
    Effect.gen(function*() {
      const server = yield* setup()
      const { stop } = yield* startGate(yield* licenseSection(server))
      yield* stop
      expect(server.activations.size).toBe(1)
      expect(server.requests.map((r) => r.method)).toEqual(["POST"])
    }))
})
