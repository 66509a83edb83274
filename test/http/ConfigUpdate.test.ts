/**
 * `POST /config` cannot break the service: what an update means is checked before anything is
 * written, the file on disk is the base of the merge, and restart-only keys are told apart.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { request, startServer } from "../support/TestServer.js"

const TOKEN = "config-update-test-token"
const env = { FACEPHI_IAD_ADMIN_TOKEN: TOKEN }

const postConfig = (url: string, body: unknown) =>
  request(`${url}/config`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body)
  })
const getConfig = (url: string) => request(`${url}/config`, { headers: { authorization: `Bearer ${TOKEN}` } })

describe("POST /config refuses what would lock the operator out or stop the next start", () => {
  it.scoped("limits that would refuse every later call, and port 0, are 400 and change nothing", () =>
    Effect.gen(function*() {
      const { url, configPath } = yield* startServer({ env })
      const before = fs.readFileSync(configPath, "utf8")
      for (
        const [patch, key] of [
          [{ client_max_body_size: "0" }, "client_max_body_size"],
          [{ client_max_body_size: "1k" }, "client_max_body_size"],
          [{ port: 0 }, "port"],
          [{ idle_connection_timeout: 0 }, "idle_connection_timeout"],
          [{ engine_queue_timeout: 0.001 }, "engine_queue_timeout"]
        ] as const
      ) {
        const answer = yield* postConfig(url, patch)
        expect(answer.status).toBe(400)
        expect(answer.body.message).toContain(`"${key}"`)
      }
      expect(fs.readFileSync(configPath, "utf8")).toBe(before)
      // The service still takes captures and config calls.
      expect((yield* postConfig(url, { client_max_body_size: "64k" })).status).toBe(200)
      expect((yield* postConfig(url, { client_max_body_size: "" })).status).toBe(200)
    }))

  it.scoped("places the service writes to are set in config.json, not through the API", () =>
    Effect.gen(function*() {
      const { url, configPath } = yield* startServer({ env })
      const before = fs.readFileSync(configPath, "utf8")
      for (const patch of [{ keys_dir: "/tmp/elsewhere" }, { log: { log_path: "/etc/iad.log" } }]) {
        const answer = yield* postConfig(url, patch)
        expect(answer.status).toBe(400)
        expect(answer.body.message).toMatch(/config\.json or the environment/)
      }
      expect(fs.readFileSync(configPath, "utf8")).toBe(before)
    }))

  it.scoped("a license whose files do not exist is 400 naming the file; null removes the section", () =>
    Effect.gen(function*() {
      const { url, dir, configPath } = yield* startServer({ env })
      const license = { key: "K-123", product_id: "p", public_key_file: path.join(dir, "missing.pem"), license_dir: path.join(dir, "license") }
      const missing = yield* postConfig(url, { license })
      expect(missing.status).toBe(400)
      expect(missing.body.message).toContain("license.public_key_file")
      expect(missing.body.message).toContain("missing.pem")
      expect(JSON.parse(fs.readFileSync(configPath, "utf8")).license).toBeUndefined()

      fs.writeFileSync(path.join(dir, "product.pem"), "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n")
      const { license_dir: _, ...withoutDir } = license
      const added = yield* postConfig(url, { license: { ...withoutDir, public_key_file: path.join(dir, "product.pem") } })
      expect(added.status).toBe(200)
      expect(added.body.restartRequired).toEqual(["license"])
      expect(JSON.parse(fs.readFileSync(configPath, "utf8")).license.product_id).toBe("p")

      const removed = yield* postConfig(url, { license: null })
      expect(removed.status).toBe(200)
      expect(JSON.parse(fs.readFileSync(configPath, "utf8")).license).toBeUndefined()
    }))

  it.scoped("null resets a key to its default", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ env, config: { liveness_threshold: 0.7 } })
      expect((yield* postConfig(url, { liveness_threshold: null })).status).toBe(200)
      expect((yield* getConfig(url)).body).toMatchObject({ liveness_threshold: 0.5 })
    }))
})

describe("POST /config merges over the file as it is on disk", () => {
  it.scoped("a hand edit made while the service runs is kept by the next POST", () =>
    Effect.gen(function*() {
      const { url, configPath } = yield* startServer({ env })
      const edited = { ...JSON.parse(fs.readFileSync(configPath, "utf8")), liveness_threshold: 0.77 }
      fs.writeFileSync(configPath, JSON.stringify(edited))
      expect((yield* postConfig(url, { log: { log_level: "ERROR" } })).status).toBe(200)
      const onDisk = JSON.parse(fs.readFileSync(configPath, "utf8"))
      expect(onDisk).toMatchObject({ liveness_threshold: 0.77, log: { log_level: "ERROR" } })
      expect((yield* getConfig(url)).body).toMatchObject({ liveness_threshold: 0.77 })
    }))
})

describe("restart-only keys", () => {
  it.scoped("keep their running value until a restart and are reported as pending", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ env })
      const posted = yield* postConfig(url, { engine_pool_size: 5, liveness_threshold: 0.6 })
      expect(posted.status).toBe(200)
      expect(posted.body.restartRequired).toEqual(["engine_pool_size"])
      const store = yield* getConfig(url)
      expect(store.body).toMatchObject({ liveness_threshold: 0.6, engine_pool_size: 2 })
    }))
})

describe("live settings", () => {
  it.scoped("log.log_level posted applies to the next request (the logger follows the store's changes)", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(fs.realpathSync("/tmp"), "iad-loglevel-"))
      const logPath = path.join(dir, "service.log")
      const { url } = yield* startServer({
        env,
        config: { log: { log_path: logPath, log_level: "INFO", log_size_limit: 1048576 } }
      })
      const accessLines = () =>
        fs.readFileSync(logPath, "utf8").split("\n").filter((line) => line.includes('"message":"request"')).length
      yield* request(`${url}/health`)
      const atInfo = accessLines()
      expect(atInfo).toBeGreaterThan(0)
      expect((yield* postConfig(url, { log: { log_level: "ERROR" } })).status).toBe(200)
      const afterChange = accessLines()
      for (let i = 0; i < 3; i++) yield* request(`${url}/health`)
      expect(accessLines()).toBe(afterChange)
      expect((yield* postConfig(url, { log: { log_level: "INFO" } })).status).toBe(200)
      yield* request(`${url}/health`)
      expect(accessLines()).toBeGreaterThan(afterChange)
    }))
})
