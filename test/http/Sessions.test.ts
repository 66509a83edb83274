/**
 * Sessions of web captures over real HTTP (docs/web.md): `POST /sessions` (admin token, optional
 * origin), and what a web capture's token decides: a fresh valid token lets the web policy judge
 * the capture, no token / a forged one / another service's / an expired one is NoLive
 * UntrustedDevice, a second use is 400 Replay attack detected (also across instances through
 * Redis). Signed captures are not affected. The fake engine opens scripted web captures (platform
 * web, no SDK signature); the clock is the test's, so expiry is exact. Also the SDK route, the
 * demo's switch and its loopback-only session endpoint.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as fs from "node:fs"
import * as http from "node:http"
import * as path from "node:path"
import { encodeFakeCapture, type FakeCaptureInput } from "../../src/infra/fake/FakeCaptureDocument.js"
import { startRedisServer } from "../support/RedisServer.js"
import {
  adminHeaders,
  makeTempDir,
  postCapture,
  request,
  startServer,
  TEST_ADMIN_TOKEN
} from "../support/TestServer.js"

const createSession = (url: string, body?: string, headers: Record<string, string> = adminHeaders()) =>
  request(`${url}/sessions`, { method: "POST", headers, ...(body === undefined ? {} : { body }) })

const newToken = (url: string) =>
  Effect.map(createSession(url), (answer) => {
    expect(answer.status, JSON.stringify(answer.body)).toBe(201)
    return answer.body["token"] as string
  })

const hex = (text: string) => Buffer.from(text, "utf8").toString("hex")

/** A web capture as the browser SDK makes it: platform web, unsigned, no attestation, no motion. */
const webCapture = (token: string | undefined, extra: Partial<FakeCaptureInput["signals"]> = {}) =>
  encodeFakeCapture({
    outcome: "Live",
    signals: {
      sdk: { name: "iad-capture-web", version: "1.0.0", platform: "web" },
      attestation: "missing",
      motion: [],
      touches: [],
      ...(token === undefined ? {} : { sessionToken: hex(token) }),
      ...extra
    }
  })

const evaluate = (url: string, capture: Uint8Array) => postCapture(`${url}/liveness/evaluate`, capture)

const untrustedDevice = { status: 200, body: { diagnostic: "NoLive", reason: "UntrustedDevice" } }

describe("POST /sessions", () => {
  it.scoped("issues a token bound to a session id and an expiry (sessions.ttl_seconds), not cached", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { sessions: { ttl_seconds: 300, allowed_origins: [] } } })
      yield* TestClock.setTime(1_780_000_000_000)
      const answer = yield* createSession(url)
      expect(answer.status).toBe(201)
      expect(answer.headers.get("cache-control")).toBe("no-store")
      expect(answer.body["sessionId"]).toMatch(/^[0-9a-f]{32}$/)
      expect(answer.body["token"]).toMatch(/^iads1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/)
      expect(answer.body["expiresAt"]).toBe(new Date(1_780_000_000_000 + 300_000).toISOString())
      const claims = JSON.parse(Buffer.from((answer.body["token"] as string).split(".")[1]!, "base64url").toString("utf8"))
      expect(claims).toEqual({ sid: answer.body["sessionId"], exp: 1_780_000_300_000 })
      const other = yield* createSession(url, "")
      expect(other.body["sessionId"]).not.toBe(answer.body["sessionId"])
    }))

  it.scoped("needs the admin token, and no browser Origin", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      expect((yield* createSession(url, undefined, {})).status).toBe(401)
      expect((yield* createSession(url, undefined, adminHeaders("wrong-token"))).status).toBe(403)
      expect((yield* createSession(url, undefined, { ...adminHeaders(), origin: "https://shop.example" })).status).toBe(403)
    }))

  it.scoped("an origin is bound into the token; with sessions.allowed_origins only those", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { sessions: { ttl_seconds: 120, allowed_origins: ["https://shop.example"] } } })
      const bound = yield* createSession(url, JSON.stringify({ origin: "https://shop.example" }))
      expect(bound.status).toBe(201)
      const claims = JSON.parse(Buffer.from((bound.body["token"] as string).split(".")[1]!, "base64url").toString("utf8"))
      expect(claims.org).toBe("https://shop.example")
      expect(yield* createSession(url, JSON.stringify({ origin: "https://evil.example" }))).toMatchObject({
        status: 400,
        body: { message: "Origin \"https://evil.example\" is not in sessions.allowed_origins" }
      })
    }))

  it.scoped("bad bodies: not JSON, unknown keys, not an origin, not JSON content, too large", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      for (const body of ["{nope", "[1]", JSON.stringify({ origin: "https://a.example/path" }), JSON.stringify({ ttl: 5 }), JSON.stringify({ origin: 7 })]) {
        const answer = yield* createSession(url, body)
        expect(answer.status, body).toBe(400)
        expect(typeof answer.body["message"]).toBe("string")
      }
      const plain = yield* createSession(url, "origin=x", { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "text/plain" })
      expect(plain.status).toBe(400)
      expect((yield* createSession(url, JSON.stringify({ origin: "x".repeat(5000) }))).status).toBe(413)
    }))

  it.scoped("the session secret is generated once into keys_dir, mode 0600; a readable one is refused", () =>
    Effect.gen(function*() {
      const dir = makeTempDir()
      const server = yield* startServer({ dir })
      const file = path.join(dir, "keys", "session.secret")
      expect(fs.statSync(file).mode & 0o777).toBe(0o600)
      const token = yield* newToken(server.url)
      expect(token).not.toContain(fs.readFileSync(file, "utf8").trim())
      fs.chmodSync(file, 0o644)
      const restarted = yield* Effect.either(startServer({ dir }))
      expect(restarted._tag).toBe("Left")
      expect(String(restarted._tag === "Left" ? restarted.left : "")).toMatch(/session\.secret has mode 0644/)
    }))
})

describe("web captures and their session", () => {
  it.scoped("a valid token: the web policy judges the capture (Live); the same token again is a replay", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const token = yield* newToken(url)
      expect(yield* evaluate(url, webCapture(token))).toMatchObject({ status: 200, body: { diagnostic: "Live", reason: "None" } })
      // Another capture (another capture id) with the used token.
      const again = webCapture(token, { captureId: "ab".repeat(16) })
      expect(yield* evaluate(url, again)).toEqual(expect.objectContaining({ status: 400, body: { message: "Replay attack detected" } }))
      expect(yield* postCapture(`${url}/extract`, webCapture(token, { captureId: "cd".repeat(16) }))).toMatchObject({
        status: 400,
        body: { message: "Replay attack detected" }
      })
    }))

  it.scoped("no token, garbage, a forged MAC, another service's token, an expired token: NoLive UntrustedDevice", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { sessions: { ttl_seconds: 60, allowed_origins: [] } } })
      const other = yield* startServer()
      const token = yield* newToken(url)
      const [head, claims, mac] = token.split(".") as [string, string, string]
      const forgedMac = `${head}.${claims}.${mac.slice(0, -2)}${mac.endsWith("AA") ? "BB" : "AA"}`
      const longer = Buffer.from(JSON.stringify({ sid: "0".repeat(32), exp: 9_999_999_999_999 })).toString("base64url")
      const forgedClaims = `${head}.${longer}.${mac}`
      for (const bad of [undefined, "not a token", forgedMac, forgedClaims, yield* newToken(other.url)]) {
        expect(yield* evaluate(url, webCapture(bad)), String(bad)).toMatchObject(untrustedDevice)
      }
      // Invalid UTF-8 in the token bytes.
      expect(yield* evaluate(url, webCapture(undefined, { sessionToken: "ff00fe" }))).toMatchObject(untrustedDevice)
      const expiring = yield* newToken(url)
      yield* TestClock.adjust("60001 millis")
      expect(yield* evaluate(url, webCapture(expiring))).toMatchObject(untrustedDevice)
      // A token rejected as invalid was not consumed: the valid, unexpired one still works once.
      const fresh = yield* newToken(url)
      expect(yield* evaluate(url, webCapture(fresh))).toMatchObject({ status: 200, body: { diagnostic: "Live" } })
    }))

  it.scoped("with a verified session, browser-observed signals still reject, as detection.web_environment_signals says", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const automated = { environment: { emulator: true, remoteControl: true, virtualCamera: true } }
      expect(yield* evaluate(url, webCapture(yield* newToken(url), automated))).toMatchObject({
        status: 200,
        body: { diagnostic: "NoLive", reason: "UntrustedEnvironment" }
      })
      expect(yield* evaluate(url, webCapture(yield* newToken(url), { camera: { name: "OBS Virtual Camera" } }))).toMatchObject({
        status: 200,
        body: { diagnostic: "NoLive", reason: "UntrustedContent" }
      })
      const tolerant = yield* startServer({ config: { detection: { web_environment_signals: ["rooted"] } } })
      expect(yield* evaluate(tolerant.url, webCapture(yield* newToken(tolerant.url), automated))).toMatchObject({
        status: 200,
        body: { diagnostic: "Live" }
      })
      // Motion a page does report is still judged: a flat, synthetic signal is suspicious.
      const flat = { motion: Array.from({ length: 60 }, (_, i) => [i * 10, 0, 9.81, 0, 0, 0, 0] as const) }
      expect(yield* evaluate(url, webCapture(yield* newToken(url), flat))).toMatchObject({
        status: 200,
        body: { diagnostic: "NoLive", reason: "SuspiciousActivity" }
      })
    }))

  it.scoped("signed captures are not affected: no token needed, a token they carry is not consulted", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      expect(yield* evaluate(url, encodeFakeCapture({ outcome: "Live" }))).toMatchObject({ status: 200, body: { diagnostic: "Live" } })
      const signedWithJunk = encodeFakeCapture({ outcome: "Live", signals: { sessionToken: hex("junk") } })
      expect(yield* evaluate(url, signedWithJunk)).toMatchObject({ status: 200, body: { diagnostic: "Live" } })
      // A capture with no SDK signature that is not web stays an integrity violation (missing attestation too).
      const forged = encodeFakeCapture({ outcome: "Live", signals: { sdkSignature: "forged" } })
      expect(yield* evaluate(url, forged)).toMatchObject({ status: 200, body: { diagnostic: "NoLive", reason: "SdkIntegrityViolation" } })
    }))

  it.scopedLive("instances sharing keys_dir and a Redis replay store: a token used at one is a replay at the other", () =>
    Effect.gen(function*() {
      const redis = yield* startRedisServer()
      const keysDir = path.join(makeTempDir(), "keys")
      const env = { FACEPHI_IAD_REPLAY_ATTACK_STORE: redis.url }
      const first = yield* startServer({ env, config: { keys_dir: keysDir } })
      const second = yield* startServer({ env, config: { keys_dir: keysDir } })
      const token = yield* newToken(first.url)
      expect(yield* evaluate(second.url, webCapture(token))).toMatchObject({ status: 200, body: { diagnostic: "Live" } })
      expect(yield* evaluate(first.url, webCapture(token, { captureId: "ef".repeat(16) }))).toMatchObject({
        status: 400,
        body: { message: "Replay attack detected" }
      })
    }), 30_000)
})

/** A raw request, so that Host and forwarding headers are sent as given. */
const rawPost = (url: string, headers: Record<string, string>) =>
  Effect.async<{ status: number; body: string }>((resume) => {
    const target = new URL(url)
    const outgoing = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers }, (response) => {
      let body = ""
      response.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")))
      response.on("end", () => resume(Effect.succeed({ status: response.statusCode ?? 0, body })))
    })
    outgoing.on("error", (error) => resume(Effect.succeed({ status: 0, body: error.message })))
    outgoing.end()
  })

describe("the SDK and the demo routes", () => {
  it.scoped("the SDK bundle is served as JavaScript any page may import", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const response = yield* Effect.promise(() => fetch(`${url}/sdk/iad-capture.js`))
      expect(response.status).toBe(200)
      expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8")
      expect(response.headers.get("access-control-allow-origin")).toBe("*")
      expect(yield* Effect.promise(() => response.text())).toContain("captureFace")
    }))

  it.scoped("the demo does not exist unless demo.enabled; turned on, it applies at once", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      expect(yield* request(`${url}/demo`)).toMatchObject({ status: 404, body: { message: "No endpoint GET /api/v1/iad/demo" } })
      expect((yield* request(`${url}/demo/session`, { method: "POST" })).status).toBe(404)
      const on = yield* request(`${url}/config`, { method: "POST", headers: adminHeaders(), body: JSON.stringify({ demo: { enabled: true } }) })
      expect(on.status).toBe(200)
      const page = yield* Effect.promise(() => fetch(`${url}/demo`))
      expect(page.status).toBe(200)
      expect(page.headers.get("content-security-policy")).toContain("script-src 'self'")
      const html = yield* Effect.promise(() => page.text())
      expect(html).toContain("id=\"start\"")
      expect(html).toContain("id=\"result\"")
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/) // no inline script: the CSP allows none
    }))

  it.scoped("the demo session is for loopback requests only: no proxy headers, a loopback Host, its own Origin", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { engine: "fake", demo: { enabled: true } } })
      const session = `${url}/demo/session`
      const host = new URL(url).host
      // The fake engine has no keys: the demo says what it needs.
      expect((yield* rawPost(session, { host })).status).toBe(503)
      for (const headers of [
        { host: `evil.example:${new URL(url).port}` },
        { host, "x-forwarded-for": "203.0.113.9" },
        { host, forwarded: "for=203.0.113.9" },
        { host, origin: "https://evil.example" }
      ]) {
        const answer = yield* rawPost(session, headers)
        expect(answer, JSON.stringify(headers)).toEqual({ status: 403, body: JSON.stringify({ message: "The demo issues sessions to this machine only" }) })
      }
    }))
})
