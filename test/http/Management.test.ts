import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { staticLicenseLayer } from "../../src/infra/StaticLicenseGate.js"
import { request, startServer } from "../support/TestServer.js"

describe("management endpoints", () => {
  it.scoped("GET /health is Healthy when engines are ready", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      expect(yield* request(`${url}/health`)).toMatchObject({ status: 200, body: { message: "Healthy" } })
    }))

  it.scoped("GET /health is 503 with the reason when captures cannot be served", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({
        license: staticLicenseLayer({ status: "expired", servesCaptures: false, detail: "license: expired" })
      })
      const answer = yield* request(`${url}/health`)
      expect(answer.status).toBe(503)
      expect(answer.body.message).toMatch(/license: expired/)
    }))

  it.scoped("GET /version names the product, 2.0.0 and the license status", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const answer = yield* request(`${url}/version`)
      expect(answer.status).toBe(200)
      expect(answer.body.message).toMatch(/^IAD Service 2\.0\.0 .*license: not configured/)
    }))

  it.scoped("GET /openapi.json documents every endpoint of the contract", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const answer = yield* request(`${url}/openapi.json`)
      expect(answer.status).toBe(200)
      expect(answer.body.openapi).toMatch(/^3\./)
      expect(Object.keys(answer.body.paths as object).sort()).toEqual([
        "/api/v1/iad/check-capture",
        "/api/v1/iad/config",
        "/api/v1/iad/extract",
        "/api/v1/iad/extract-image",
        "/api/v1/iad/health",
        "/api/v1/iad/liveness/evaluate",
        "/api/v1/iad/openapi.json",
        "/api/v1/iad/sessions",
        "/api/v1/iad/version"
      ])
    }))

  it.scoped("GET /docs is a self-contained API page: no script or stylesheet from elsewhere", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const page = yield* Effect.promise(() => fetch(`${url}/docs`).then(async (r) => ({ status: r.status, html: await r.text() })))
      expect(page.status).toBe(200)
      expect(page.html).toContain("swagger-spec")
      expect(page.html).not.toMatch(/<script[^>]+src=/)
      expect(page.html).not.toMatch(/<link[^>]+href="https?:/)
    }))

  it.scoped("the 1.x paths answer 410 naming the 2.0.0 path and the capture field", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const check = yield* request(`${url}/check-capture`, { method: "POST" })
      expect(check.status).toBe(410)
      expect(check.body.message).toMatch(/\/api\/v1\/iad\/liveness\/evaluate.*`capture`/)
      const extract = yield* request(`${url}/extract-image`, { method: "POST" })
      expect(extract.status).toBe(410)
      expect(extract.body.message).toMatch(/\/api\/v1\/iad\/extract .*`capture`/)
    }))

  it.scoped("unknown paths and methods answer 404 {message}, with a request id", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const unknown = yield* request(`${url}/nothing-here`)
      expect(unknown).toMatchObject({ status: 404, body: { message: "No endpoint GET /api/v1/iad/nothing-here" } })
      expect(unknown.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/)
      const wrongMethod = yield* request(`${url}/liveness/evaluate`)
      expect(wrongMethod.status).toBe(404)
      const root = yield* request(url.replace("/api/v1/iad", "/"))
      expect(root.status).toBe(404)
    }))

  it.scoped("a caller's x-request-id is echoed", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const answer = yield* request(`${url}/health`, { headers: { "x-request-id": "trace-42" } })
      expect(answer.headers.get("x-request-id")).toBe("trace-42")
    }))
})
