/**
 * Starts the whole service on 127.0.0.1 (port 0) with a temp config file, for tests over real
 * HTTP. Testers can swap the engine and license layers; the clock is the test's (TestClock under
 * `it.scoped`, the real one under `it.live`).
 */
import { HttpServer } from "@effect/platform"
import { Context, Effect, Either, Layer, type Scope } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { type Env, readStartup, serviceLayer, type ServiceLayers } from "../../src/App.js"
import type { JsonObject } from "../../src/domain/ServiceConfig.js"

export interface TestServerOptions extends ServiceLayers {
  /** config.json contents; port, address, the fake engine, keys_dir and a quiet log level are added unless given. */
  readonly config?: JsonObject
  /** Extra environment variables (FACEPHI_IAD_*). */
  readonly env?: Env
  /** Reuse a directory (e.g. to restart on the same config file). */
  readonly dir?: string
  /** Write config.json exactly as given (no added defaults). */
  readonly rawConfig?: boolean
}

export interface TestServer {
  readonly url: string
  readonly dir: string
  readonly configPath: string
  readonly env: Env
  /** The admin token in force: the environment's, else the one generated into keys_dir. */
  readonly adminToken: string
}

/** Set as FACEPHI_IAD_ADMIN_TOKEN unless a test's env says otherwise (undefined: the generated file). */
export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789abcdef0123456789"


export const makeTempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "iad-test-"))

export const startServer = (options: TestServerOptions = {}): Effect.Effect<TestServer, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const dir = options.dir ?? makeTempDir()
    const configPath = path.join(dir, "config.json")
    if (options.config !== undefined || !fs.existsSync(configPath)) {
      const contents = options.rawConfig
        ? options.config ?? {}
        : {
          port: 0,
          address: "127.0.0.1",
          // The fake engine unless a test asks for the native one (which then keeps its keys here).
          engine: "fake",
          keys_dir: path.join(dir, "keys"),
          log: { log_path: "", log_level: "WARN", log_size_limit: 1048576 },
          ...options.config
        }
      fs.writeFileSync(configPath, JSON.stringify(contents))
    }
    const env: Env = { FACEPHI_IAD_CONFIG: configPath, FACEPHI_IAD_ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...options.env }
    const startup = readStartup(env)
    if (Either.isLeft(startup)) return yield* Effect.fail(startup.left)
    const context = yield* Layer.build(serviceLayer(startup.right, env, options))
    const address = Context.get(context, HttpServer.HttpServer).address
    if (address._tag !== "TcpAddress") return yield* Effect.fail(new Error("expected a TCP address"))
    const adminToken = env.FACEPHI_IAD_ADMIN_TOKEN ??
      fs.readFileSync(path.join(startup.right.loaded.config.keys_dir, "admin.token"), "utf8").trim()
    return { url: `http://127.0.0.1:${address.port}/api/v1/iad`, dir, configPath, env, adminToken }
  })

export interface JsonAnswer {
  readonly status: number
  readonly headers: Headers
  readonly body: JsonBody
}

/** A parsed JSON object answer (or the raw text under `text` when the body was not JSON). */
export type JsonBody = { readonly [key: string]: unknown }

export const request = (url: string, init?: RequestInit): Effect.Effect<JsonAnswer> =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    const text = await response.text()
    let body: JsonBody = { text }
    try {
      body = JSON.parse(text) as JsonBody
    } catch {
      // not JSON: keep the text, the test will say so
    }
    return { status: response.status, headers: response.headers, body }
  })

/** `Authorization` for the admin endpoints, with the JSON Content-Type `POST /config` requires. */
export const adminHeaders = (token: string = TEST_ADMIN_TOKEN): Record<string, string> => ({
  authorization: `Bearer ${token}`,
  "content-type": "application/json"
})

/** `GET /config` as the admin. */
export const getConfig = (url: string, token?: string) => request(`${url}/config`, { headers: adminHeaders(token) })

/** `POST /config` as the admin, with `patch` as the JSON body. */
export const postConfig = (url: string, patch: unknown, token?: string) =>
  request(`${url}/config`, { method: "POST", headers: adminHeaders(token), body: JSON.stringify(patch) })

/** A multipart form with one file field (default `capture`). */
export const captureForm = (bytes: Uint8Array | string, field = "capture"): FormData => {
  const form = new FormData()
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes
  form.append(field, new Blob([data]), "capture.bin")
  return form
}

export const postCapture = (url: string, bytes: Uint8Array | string, field = "capture") =>
  request(url, { method: "POST", body: captureForm(bytes, field) })

/** One running service shared by the tests of a file (`layer(testServerLayer(...))(...)`). */
export class RunningServer extends Context.Tag("test/RunningServer")<RunningServer, TestServer>() {}

export const testServerLayer = (options: TestServerOptions = {}): Layer.Layer<RunningServer, Error> =>
  Layer.scoped(RunningServer, startServer(options))
