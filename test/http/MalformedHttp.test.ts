/**
 * Requests Node answers by itself (parser errors, timeouts, unknown Expect) and URLs the router
 * cannot decode: each gets the contract's `{message}` JSON with the right status, and the service
 * keeps serving.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { connectRaw, type RawAnswer, sendRaw, sleep } from "../support/RawHttp.js"
import { request, startServer } from "../support/TestServer.js"

const messageOf = (answer: RawAnswer): string => {
  expect(answer.headers["content-type"]).toMatch(/^application\/json/)
  const body = JSON.parse(answer.body) as { message?: unknown }
  expect(typeof body.message).toBe("string")
  return body.message as string
}

const origin = (url: string) => new URL(url).origin

describe("malformed HTTP answers {message}", () => {
  it.scoped("a header line without a colon: 400", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const answer = yield* Effect.promise(() =>
        sendRaw(url, "GET /api/v1/iad/health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"))
      expect(answer.status).toBe(400)
      expect(messageOf(answer)).toMatch(/^Malformed HTTP request/)
      expect((yield* request(`${url}/health`)).status).toBe(200)
    }))

  it.scoped("headers over Node's 16 KiB: 431", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const answer = yield* Effect.promise(() =>
        sendRaw(url, `GET /api/v1/iad/health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`))
      expect(answer.status).toBe(431)
      expect(messageOf(answer)).toBe("Request headers are too large")
    }))

  it.scoped("a path with a bad %-escape: 400, not an empty 404", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      for (const path of ["/api/v1/iad/%zz", "/api/v1/iad/health%", "/%E0%A4%A"]) {
        const answer = yield* Effect.promise(() => sendRaw(url, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`))
        expect(answer.status, path).toBe(400)
        expect(messageOf(answer)).toBe("The request URL has an invalid %-encoding")
      }
      // A well-formed escape still reaches the router.
      expect((yield* request(`${origin(url)}/api/v1/iad/%68ealth`)).status).toBe(200)
    }))

  it.scoped("an unknown Expect: 417", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const answer = yield* Effect.promise(() =>
        sendRaw(url, "POST /api/v1/iad/extract HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 1\r\n\r\nx"))
      expect(answer.status).toBe(417)
      expect(messageOf(answer)).toBe('Unsupported Expect header "teapot"')
    }))

  it.scoped("headers that never end: 408 after request_timeout", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { request_timeout: 1 } })
      const answer = yield* Effect.promise(() => sendRaw(url, "GET /api/v1/iad/health HTTP/1.1\r\nHost: x\r\n", 10_000))
      expect(answer.status).toBe(408)
      expect(messageOf(answer)).toBe("The request was not received within request_timeout (1 s)")
      expect(answer.elapsedMs).toBeLessThan(3_000)
    }))

  it.scoped("a body trickled at 1 byte/s: 408 after request_timeout, not minutes later", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { request_timeout: 2 } })
      const connection = yield* Effect.promise(() => connectRaw(url))
      connection.socket.write(
        "POST /api/v1/iad/liveness/evaluate HTTP/1.1\r\nHost: x\r\n" +
          "Content-Type: multipart/form-data; boundary=B\r\nContent-Length: 100000\r\n\r\n"
      )
      const trickle = setInterval(() => connection.socket.write("A"), 1000)
      const answer = yield* Effect.promise(() => connection.answer(10_000)).pipe(
        Effect.ensuring(Effect.sync(() => clearInterval(trickle)))
      )
      expect(answer.status).toBe(408)
      expect(messageOf(answer)).toMatch(/request_timeout \(2 s\)/)
      expect(answer.elapsedMs).toBeLessThan(4_500)
      yield* Effect.promise(() => sleep(50))
      expect((yield* request(`${url}/health`)).status).toBe(200)
    }))
})
