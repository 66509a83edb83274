import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit, Fiber, Scope } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { readStartup } from "../../src/App.js"
import { encodeFakeCapture } from "../../src/infra/fake/FakeCaptureDocument.js"
import { fakeEngineLayer, jsonDocumentScript } from "../../src/infra/fake/FakeEngine.js"
import { staticLicenseLayer } from "../../src/infra/StaticLicenseGate.js"
import { captureForm, makeTempDir, postCapture, request, startServer } from "../support/TestServer.js"

describe("operations", () => {
  it.scopedLive("answers 503 with Retry-After when no engine frees up within the queue timeout", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { engine_pool_size: 1, engine_queue_timeout: 0.2 } })
      const slow = encodeFakeCapture({ outcome: "Live", engineMillis: 1500 })
      const first = yield* Effect.fork(postCapture(`${url}/liveness/evaluate`, slow))
      yield* Effect.sleep("100 millis")
      const second = yield* postCapture(`${url}/liveness/evaluate`, encodeFakeCapture({ outcome: "Live" }))
      expect(second.status).toBe(503)
      expect(second.headers.get("retry-after")).toBe("1")
      expect(second.body.message).toMatch(/busy/)
      const firstAnswer = yield* Fiber.join(first)
      expect(firstAnswer.status).toBe(200)
      expect(firstAnswer.body.sdkDuration as number).toBeGreaterThanOrEqual(2900)
    }))

  it.scopedLive("measures queueDuration while a request waits for the engine", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { engine_pool_size: 1, engine_queue_timeout: 5 } })
      const slow = encodeFakeCapture({ outcome: "Live", engineMillis: 300 })
      const [a, b] = yield* Effect.all(
        [postCapture(`${url}/liveness/evaluate`, slow), postCapture(`${url}/liveness/evaluate`, slow)],
        { concurrency: 2 }
      )
      const waits = [a.body.queueDuration as number, b.body.queueDuration as number].sort((x, y) => x - y)
      expect(waits[1]).toBeGreaterThanOrEqual(250)
    }))

  it.scopedLive("a client that disconnects mid-analysis does not free its engine early", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { engine_pool_size: 1, engine_queue_timeout: 10 } })
      const abort = new AbortController()
      const abandoned = fetch(`${url}/liveness/evaluate`, {
        method: "POST",
        body: captureForm(encodeFakeCapture({ outcome: "Live", engineMillis: 400 })),
        signal: abort.signal
      }).catch(() => "aborted")
      yield* Effect.sleep("150 millis")
      abort.abort()
      expect(yield* Effect.promise(() => abandoned)).toBe("aborted")
      // The only engine is still inside the abandoned capture's open (400 ms, uninterruptible), so
      // the next request waits for it instead of sharing a handle that native code still uses.
      const next = yield* postCapture(`${url}/liveness/evaluate`, encodeFakeCapture({ outcome: "Live" }))
      expect(next.status).toBe(200)
      expect(next.body.queueDuration as number).toBeGreaterThanOrEqual(150)
    }))

  it.scopedLive("SIGTERM-style shutdown finishes in-flight requests before releasing the engines", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const { url } = yield* startServer().pipe(Scope.extend(scope))
      const inFlight = yield* Effect.fork(
        postCapture(`${url}/liveness/evaluate`, encodeFakeCapture({ outcome: "Live", engineMillis: 400 }))
      )
      yield* Effect.sleep("100 millis")
      yield* Scope.close(scope, Exit.void)
      const answer = yield* Fiber.join(inFlight)
      expect(answer.status).toBe(200)
      const refused = yield* Effect.tryPromise(() => fetch(`${url}/health`)).pipe(Effect.either)
      expect(Either.isLeft(refused)).toBe(true)
    }))

  it.scoped("while the license is not valid, captures get 503 NoneBecauseLicenseError without touching the engine", () =>
    Effect.gen(function*() {
      let engineCalls = 0
      const { url } = yield* startServer({
        license: staticLicenseLayer({ status: "suspended", servesCaptures: false, detail: "license: suspended" }),
        engine: fakeEngineLayer({
          script: (capture) => Effect.sync(() => engineCalls++).pipe(Effect.zipRight(jsonDocumentScript(capture)))
        })
      })
      for (const endpoint of ["liveness/evaluate", "extract"]) {
        const answer = yield* postCapture(`${url}/${endpoint}`, encodeFakeCapture({ outcome: "Live" }))
        expect(answer).toMatchObject({ status: 503, body: { message: "NoneBecauseLicenseError" } })
      }
      expect(engineCalls).toBe(0)
      const version = yield* request(`${url}/version`)
      expect(version.body.message).toMatch(/license: suspended/)
    }))

  it.scoped("writes one JSON line per request to log_path, without capture bytes", () =>
    Effect.gen(function*() {
      const dir = makeTempDir()
      const logPath = path.join(dir, "logs", "iad.log")
      const scope = yield* Scope.make()
      const { url } = yield* startServer({
        dir,
        config: { port: 0, address: "127.0.0.1", log: { log_path: logPath, log_level: "INFO", log_size_limit: 1_000_000 } }
      }).pipe(Scope.extend(scope))
      yield* postCapture(`${url}/liveness/evaluate`, encodeFakeCapture({ outcome: "Live", signals: { device: { model: "MARKER_XYZ" } } }))
      yield* Scope.close(scope, Exit.void)
      const lines = fs.readFileSync(logPath, "utf8").trim().split("\n").map((line) => JSON.parse(line))
      const access = lines.find((line) => line.message === "request" && line.path === "/api/v1/iad/liveness/evaluate")
      expect(access).toMatchObject({ method: "POST", status: 200, level: "INFO" })
      expect(typeof access.requestId).toBe("string")
      expect(typeof access.durationMs).toBe("number")
      expect(fs.readFileSync(logPath, "utf8")).not.toContain("MARKER_XYZ")
    }))
})

describe("startup", () => {
  const withConfig = (contents: string, env: Record<string, string> = {}) => {
    const dir = makeTempDir()
    const file = path.join(dir, "config.json")
    fs.writeFileSync(file, contents)
    return readStartup({ FACEPHI_IAD_CONFIG: file, ...env })
  }
  const failure = (startup: ReturnType<typeof readStartup>) => Either.isLeft(startup) ? startup.left.message : "started"

  it("runs on defaults when config.json is missing", () => {
    const startup = readStartup({ FACEPHI_IAD_CONFIG: "/nonexistent/dir/config.json" })
    expect(Either.isRight(startup) && startup.right.loaded.config.port).toBe(6982)
  })
  it("stops on an unknown key, naming it", () => {
    expect(failure(withConfig(`{"prot": 1}`))).toMatch(/"prot".*unknown key/)
  })
  it("stops on an ill-typed key, naming it", () => {
    expect(failure(withConfig(`{"log": {"log_level": "LOUD"}}`))).toMatch(/"log.log_level"/)
  })
  it("stops on a bad environment override, naming the variable", () => {
    expect(failure(withConfig(`{}`, { FACEPHI_IAD_PORT: "abc" }))).toMatch(/"port" \(from FACEPHI_IAD_PORT\)/)
  })
  it("stops on a config file that is not JSON, naming the file", () => {
    expect(failure(withConfig(`port = 1`))).toMatch(/config\.json is not valid JSON/)
  })
})
