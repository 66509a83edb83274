/**
 * Headers of every answer (issue 11, item 7): nosniff everywhere, no-store on captures and
 * config, a strict CSP on /docs whose script hashes match the page, HEAD wherever GET works.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { encodeFakeCapture } from "../../src/infra/fake/FakeCaptureDocument.js"
import { adminHeaders, getConfig, postCapture, request, startServer } from "../support/TestServer.js"

const fetchText = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, headers: response.headers, text: await response.text() }
  })

describe("security headers", () => {
  it.scoped("nosniff on every answer, errors and unknown paths included", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const answers = [
        yield* request(`${url}/health`),
        yield* request(`${url}/version`),
        yield* request(`${url}/openapi.json`),
        yield* request(`${url}/config`),
        yield* request(`${url}/no-such-thing`),
        yield* request(`${url}/check-capture`, { method: "POST" }),
        yield* postCapture(`${url}/liveness/evaluate`, new Uint8Array([1, 2, 3]))
      ]
      for (const answer of answers) expect(answer.headers.get("x-content-type-options")).toBe("nosniff")
    }))

  it.scoped("no-store on capture and config answers, success or not", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const answers = [
        yield* postCapture(`${url}/liveness/evaluate`, encodeFakeCapture({ outcome: "Live" })),
        yield* postCapture(`${url}/extract`, encodeFakeCapture({ outcome: "Live" })),
        yield* postCapture(`${url}/extract`, new Uint8Array([1])),
        yield* getConfig(url),
        yield* request(`${url}/config`),
        yield* request(`${url}/config`, { method: "POST", headers: adminHeaders(), body: "{}" })
      ]
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 400, 200, 401, 200])
      for (const answer of answers) expect(answer.headers.get("cache-control")).toBe("no-store")
    }))

  it.scoped("/docs has a strict CSP that allows exactly the page's own inline scripts", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const page = yield* fetchText(`${url}/docs`)
      expect(page.status).toBe(200)
      const policy = page.headers.get("content-security-policy") ?? ""
      expect(policy).toMatch(/default-src 'none'/)
      expect(policy).toMatch(/frame-ancestors 'none'/)
      expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/)
      const scripts = [...page.text.matchAll(/<script>([\s\S]*?)<\/script>/g)]
      expect(scripts.length).toBe(1)
      const hash = createHash("sha256").update(scripts[0]![1]!).digest("base64")
      expect(policy).toContain(`script-src 'sha256-${hash}'`)
    }))

  it.scoped("HEAD works wherever GET does, without a body; unknown paths stay 404", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      for (const route of ["/health", "/version", "/openapi.json", "/docs"]) {
        const head = yield* fetchText(`${url}${route}`, { method: "HEAD" })
        expect(head.status, route).toBe(200)
        expect(head.text, route).toBe("")
        expect(head.headers.get("x-content-type-options")).toBe("nosniff")
      }
      const config = yield* fetchText(`${url}/config`, { method: "HEAD", headers: adminHeaders() })
      expect(config.status).toBe(200)
      expect((yield* fetchText(`${url}/config`, { method: "HEAD" })).status).toBe(401)
      expect((yield* fetchText(`${url}/nothing-here`, { method: "HEAD" })).status).toBe(404)
    }))
})
