import { describe, expect, it } from "@effect/vitest"
import { Effect, Scope, Exit } from "effect"
import * as fs from "node:fs"
import { adminHeaders, getConfig, request, startServer } from "../support/TestServer.js"

const postConfig = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  request(`${url}/config`, {
    method: "POST",
    headers: { ...adminHeaders(), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body)
  })

describe("GET|POST /config", () => {
  it.scoped("GET shows the effective configuration", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { liveness_threshold: 0.7 } })
      const answer = yield* getConfig(url)
      expect(answer.status).toBe(200)
      expect(answer.body).toMatchObject({ liveness_threshold: 0.7, engine_pool_size: 2, client_max_body_size: "10M" })
    }))

  it.scoped("POST applies a good change, says which keys need a restart, and persists it", () =>
    Effect.gen(function*() {
      const { url, configPath } = yield* startServer()
      const answer = yield* postConfig(url, { liveness_threshold: 0.8, engine_pool_size: 3, log: { log_level: "ERROR" } })
      expect(answer.status).toBe(200)
      expect(answer.body.changed).toEqual(["engine_pool_size", "liveness_threshold", "log.log_level"])
      expect(answer.body.restartRequired).toEqual(["engine_pool_size"])
      expect(answer.body.message).toMatch(/restart to apply: engine_pool_size/)
      const onDisk = JSON.parse(fs.readFileSync(configPath, "utf8"))
      expect(onDisk).toMatchObject({ liveness_threshold: 0.8, engine_pool_size: 3, log: { log_level: "ERROR" } })
      const after = yield* getConfig(url)
      expect(after.body).toMatchObject({ liveness_threshold: 0.8 })
    }))

  it.scoped("POST says engine_queue_timeout needs a restart: the engine pool reads it once, at startup", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const answer = yield* postConfig(url, { engine_queue_timeout: 3 })
      expect(answer.status).toBe(200)
      expect(answer.body.restartRequired).toEqual(["engine_queue_timeout"])
      expect(answer.body.message).toMatch(/restart to apply: engine_queue_timeout/)
    }))

  it.scoped("POST answers 400 to a body nested deeper than any config key, and changes nothing", () =>
    Effect.gen(function*() {
      const { url, configPath } = yield* startServer()
      const before = fs.readFileSync(configPath, "utf8")
      const answer = yield* postConfig(url, `${"{\"a\":".repeat(10_000)}1${"}".repeat(10_000)}`)
      expect(answer.status).toBe(400)
      expect(answer.body.message).toMatch(/nest/)
      expect(fs.readFileSync(configPath, "utf8")).toBe(before)
    }))

  it.scoped("a restart keeps what was posted", () =>
    Effect.gen(function*() {
      const first = yield* Scope.make()
      const server = yield* startServer().pipe(Scope.extend(first))
      expect((yield* postConfig(server.url, { liveness_threshold: 0.66 })).status).toBe(200)
      yield* Scope.close(first, Exit.void)
      const restarted = yield* startServer({ dir: server.dir })
      const answer = yield* getConfig(restarted.url)
      expect(answer.body).toMatchObject({ liveness_threshold: 0.66 })
    }))

  it.scoped("POST rejects a bad value with 400 naming the key, and changes nothing", () =>
    Effect.gen(function*() {
      const { url, configPath } = yield* startServer()
      const before = fs.readFileSync(configPath, "utf8")
      const badValue = yield* postConfig(url, { liveness_threshold: 0.8, engine_pool_size: 0 })
      expect(badValue.status).toBe(400)
      expect(badValue.body.message).toMatch(/"engine_pool_size"/)
      const unknownKey = yield* postConfig(url, { log: { log_colour: "red" } })
      expect(unknownKey.status).toBe(400)
      expect(unknownKey.body.message).toMatch(/"log.log_colour".*unknown key/)
      const badSize = yield* postConfig(url, { client_max_body_size: "ten megs" })
      expect(badSize.body.message).toMatch(/client_max_body_size/)
      const notJson = yield* postConfig(url, "{nope")
      expect(notJson.status).toBe(400)
      expect(notJson.body.message).toMatch(/not valid JSON/)
      const notObject = yield* postConfig(url, [1, 2])
      expect(notObject.status).toBe(400)
      expect(fs.readFileSync(configPath, "utf8")).toBe(before)
      expect((yield* getConfig(url)).body).toMatchObject({ liveness_threshold: 0.5 })
    }))

  it.scoped("replay settings are neither shown nor accepted", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ env: { FACEPHI_IAD_REPLAY_ATTACK_CHECKER_ENABLED: "true" } })
      const shown = yield* getConfig(url)
      expect(JSON.stringify(shown.body)).not.toMatch(/replay/i)
      const posted = yield* postConfig(url, { replay_attack_checker_enabled: false })
      expect(posted.status).toBe(400)
    }))

  it.scoped("with FACEPHI_IAD_ADMIN_TOKEN set, POST needs the bearer token", () =>
    Effect.gen(function*() {
      const secret = "s3cret-admin-token-value"
      const { url } = yield* startServer({ env: { FACEPHI_IAD_ADMIN_TOKEN: secret } })
      const missing = yield* postConfig(url, { liveness_threshold: 0.6 }, { authorization: "" })
      expect(missing.status).toBe(401)
      expect(missing.headers.get("www-authenticate")).toBe("Bearer")
      const wrong = yield* postConfig(url, { liveness_threshold: 0.6 }, { authorization: "Bearer nope" })
      expect(wrong.status).toBe(403)
      const right = yield* postConfig(url, { liveness_threshold: 0.6 }, { authorization: `Bearer ${secret}` })
      expect(right.status).toBe(200)
      const shown = yield* getConfig(url, secret)
      expect(shown.status).toBe(200)
      expect(JSON.stringify(shown.body)).not.toContain(secret)
    }))

  it.scoped("environment overrides win over config.json and are reported", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ env: { FACEPHI_IAD_LIVENESS_THRESHOLD: "0.9" } })
      expect((yield* getConfig(url)).body).toMatchObject({ liveness_threshold: 0.9 })
      const posted = yield* postConfig(url, { liveness_threshold: 0.3 })
      expect(posted.body.overriddenByEnvironment).toEqual(["liveness_threshold"])
      expect((yield* getConfig(url)).body).toMatchObject({ liveness_threshold: 0.9 })
    }))
})
