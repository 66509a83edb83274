/**
 * Admin is always authenticated (issue 11, item 1): a bearer token on GET and POST /config, also
 * on loopback; a token generated into keys_dir when none is set; no browser Origin; JSON only;
 * repeated wrong tokens refused for a while.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit, Redacted, Scope } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { decideAdmin } from "../../src/http/AdminAuth.js"
import {
  FAILURE_WINDOW_MS,
  FAILURES_BEFORE_LOCKOUT,
  LOCKOUT_MS,
  makeBadTokenThrottle
} from "../../src/http/AdminThrottle.js"
import { getConfig, makeTempDir, postConfig, request, startServer, TEST_ADMIN_TOKEN } from "../support/TestServer.js"

const TOKEN = Redacted.make("the-right-token")
const from = (authorization?: string, origin?: string, address = "127.0.0.1") => ({ address, authorization, origin })

describe("the admin decision", () => {
  it("needs the bearer token, whatever the client address", () => {
    const throttle = makeBadTokenThrottle()
    expect(decideAdmin(from(undefined), TOKEN, throttle, 0)._tag).toBe("MissingToken")
    expect(decideAdmin(from("Basic dGhlLXJpZ2h0LXRva2Vu"), TOKEN, throttle, 0)._tag).toBe("MissingToken")
    expect(decideAdmin(from("Bearer "), TOKEN, throttle, 0)._tag).toBe("MissingToken")
    expect(decideAdmin(from("Bearer the-right-token-not"), TOKEN, throttle, 0)._tag).toBe("WrongToken")
    expect(decideAdmin(from("Bearer the-right-token", undefined, "::1"), TOKEN, throttle, 0)._tag).toBe("Allowed")
    expect(decideAdmin(from("bearer the-right-token", undefined, "10.0.0.7"), TOKEN, throttle, 0)._tag).toBe("Allowed")
  })

  it("refuses any request carrying an Origin, even with the right token", () => {
    const decision = decideAdmin(from("Bearer the-right-token", "https://evil.example"), TOKEN, makeBadTokenThrottle(), 0)
    expect(decision).toEqual({ _tag: "ForeignOrigin", origin: "https://evil.example" })
  })

  it(`locks a client out for ${LOCKOUT_MS} ms after ${FAILURES_BEFORE_LOCKOUT} wrong tokens, right token or not`, () => {
    const throttle = makeBadTokenThrottle()
    for (let i = 0; i < FAILURES_BEFORE_LOCKOUT; i++) {
      expect(decideAdmin(from("Bearer guess" + i), TOKEN, throttle, 1000 + i)._tag).toBe("WrongToken")
    }
    expect(decideAdmin(from("Bearer the-right-token"), TOKEN, throttle, 2000)).toMatchObject({ _tag: "LockedOut" })
    // Another client is not affected.
    expect(decideAdmin(from("Bearer the-right-token", undefined, "10.0.0.8"), TOKEN, throttle, 2000)._tag).toBe("Allowed")
    const after = 1000 + FAILURES_BEFORE_LOCKOUT - 1 + LOCKOUT_MS
    expect(decideAdmin(from("Bearer the-right-token"), TOKEN, throttle, after)._tag).toBe("Allowed")
  })

  it("forgets failures older than the window", () => {
    const throttle = makeBadTokenThrottle()
    for (let i = 0; i < FAILURES_BEFORE_LOCKOUT - 1; i++) decideAdmin(from("Bearer guess"), TOKEN, throttle, i)
    decideAdmin(from("Bearer guess"), TOKEN, throttle, FAILURE_WINDOW_MS + 10)
    expect(decideAdmin(from("Bearer the-right-token"), TOKEN, throttle, FAILURE_WINDOW_MS + 20)._tag).toBe("Allowed")
  })

  it("remembers a bounded number of clients", () => {
    const throttle = makeBadTokenThrottle(100)
    for (let i = 0; i < 1000; i++) throttle.recordFailure(`10.0.${i >> 8}.${i & 255}`, 0)
    expect(throttle.trackedClients()).toBe(100)
  })
})

const readLog = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "")

/** A server with no FACEPHI_IAD_ADMIN_TOKEN, logging to a file in its directory. */
const tokenlessServer = (dir: string) =>
  startServer({
    dir,
    env: { FACEPHI_IAD_ADMIN_TOKEN: undefined },
    config: { log: { log_path: path.join(dir, "service.log"), log_level: "INFO", log_size_limit: 1048576 } }
  })

describe("admin over HTTP", () => {
  it.scoped("with no token set, a loopback text/plain POST {\"liveness_threshold\":0} is refused and changes nothing", () =>
    Effect.gen(function*() {
      const dir = makeTempDir()
      const server = yield* tokenlessServer(dir)
      const csrf = yield* request(`${server.url}/config`, {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: "{\"liveness_threshold\":0}"
      })
      expect(csrf.status).toBe(401)
      expect(csrf.body).toEqual({ message: "Missing Authorization: Bearer <admin token>" })
      // Even with the token, a text/plain body (what a cross-site form can send) is not read.
      const withToken = yield* request(`${server.url}/config`, {
        method: "POST",
        headers: { "content-type": "text/plain", authorization: `Bearer ${server.adminToken}` },
        body: "{\"liveness_threshold\":0}"
      })
      expect(withToken.status).toBe(415)
      expect(withToken.body.message).toMatch(/application\/json/)
      const shown = yield* getConfig(server.url, server.adminToken)
      expect(shown.status).toBe(200)
      expect(shown.body.liveness_threshold).toBe(0.5)
    }))

  it.scoped("generates a 0600 token file in keys_dir, logs its path but never the token, and reuses it", () =>
    Effect.gen(function*() {
      const dir = makeTempDir()
      const file = path.join(dir, "keys", "admin.token")
      const first = yield* Scope.make()
      const server = yield* tokenlessServer(dir).pipe(Scope.extend(first))
      expect(fs.statSync(file).mode & 0o777).toBe(0o600)
      const token = fs.readFileSync(file, "utf8").trim()
      expect(token.length).toBeGreaterThanOrEqual(32)
      expect(server.adminToken).toBe(token)
      expect((yield* getConfig(server.url, token)).status).toBe(200)
      expect((yield* getConfig(server.url, TEST_ADMIN_TOKEN)).status).toBe(403)
      yield* Scope.close(first, Exit.void)
      const restarted = yield* tokenlessServer(dir)
      expect(fs.readFileSync(file, "utf8").trim()).toBe(token)
      expect((yield* postConfig(restarted.url, { liveness_threshold: 0.6 }, token)).status).toBe(200)
      const log = readLog(path.join(dir, "service.log"))
      expect(log).toMatch(/admin token generated/)
      expect(log).toMatch(/admin token read/)
      expect(log).toContain(file)
      expect(log).not.toContain(token)
    }))

  it.scoped("refuses to start on a token file others may read", () =>
    Effect.gen(function*() {
      const dir = makeTempDir()
      fs.mkdirSync(path.join(dir, "keys"))
      const file = path.join(dir, "keys", "admin.token")
      fs.writeFileSync(file, "x".repeat(40), { mode: 0o644 })
      fs.chmodSync(file, 0o644)
      const started = yield* Effect.either(tokenlessServer(dir))
      expect(Either.isLeft(started)).toBe(true)
      if (Either.isLeft(started)) expect(started.left.message).toMatch(/mode 0644.*chmod 600/)
    }))

  it.scoped("refuses a token file that holds no real token", () =>
    Effect.gen(function*() {
      const dir = makeTempDir()
      fs.mkdirSync(path.join(dir, "keys"))
      fs.writeFileSync(path.join(dir, "keys", "admin.token"), "short\n", { mode: 0o600 })
      const started = yield* Effect.either(tokenlessServer(dir))
      expect(Either.isLeft(started)).toBe(true)
    }))

  it.scoped("GET /config needs the token too; an Origin is refused even with it", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const anonymous = yield* request(`${url}/config`)
      expect(anonymous.status).toBe(401)
      expect(anonymous.headers.get("www-authenticate")).toBe("Bearer")
      const browser = yield* request(`${url}/config`, {
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, origin: "http://127.0.0.1:6982" }
      })
      expect(browser.status).toBe(403)
      expect(browser.body.message).toMatch(/Origin/)
    }))

  it.scoped("repeated wrong tokens: 403 each, then 429 with Retry-After, even for the right token", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      for (let i = 0; i < FAILURES_BEFORE_LOCKOUT; i++) {
        const wrong = yield* postConfig(url, { liveness_threshold: 0.7 }, `guess-${i}`)
        expect(wrong).toMatchObject({ status: 403, body: { message: "Invalid admin token" } })
      }
      const locked = yield* postConfig(url, { liveness_threshold: 0.7 })
      expect(locked.status).toBe(429)
      expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0)
      expect(Number(locked.headers.get("retry-after"))).toBeLessThanOrEqual(LOCKOUT_MS / 1000)
      expect(Object.keys(locked.body)).toEqual(["message"])
      const shown = yield* request(`${url}/config`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })
      expect(shown.status).toBe(429)
    }))
})
