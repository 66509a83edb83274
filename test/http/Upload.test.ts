import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as net from "node:net"
import { encodeFakeCapture } from "../../src/infra/fake/FakeCaptureDocument.js"
import { captureForm, postCapture, request, startServer } from "../support/TestServer.js"

/** Sends raw bytes over TCP and returns the raw HTTP answer, for bodies fetch cannot produce. */
const rawExchange = (url: string, payload: string | Buffer) =>
  Effect.promise(() =>
    new Promise<string>((resolve, reject) => {
      const { hostname, port } = new URL(url)
      const socket = net.connect(Number(port), hostname, () => socket.end(payload))
      let answer = ""
      socket.on("data", (chunk) => (answer += chunk.toString("latin1")))
      socket.on("end", () => resolve(answer))
      socket.on("error", reject)
    })
  )

const multipartRequest = (path: string, body: string) =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
  `Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`

describe("capture uploads", () => {
  it.scoped("a missing capture field is a 400 that says so", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const answer = yield* postCapture(`${url}/liveness/evaluate`, encodeFakeCapture({}), "other")
      expect(answer.status).toBe(400)
      expect(answer.body.message).toMatch(/Missing multipart field `capture`/)
    }))

  it.scoped("the 1.x field `file` alone is rejected with a pointer to `capture`", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      for (const endpoint of ["liveness/evaluate", "extract"]) {
        const answer = yield* postCapture(`${url}/${endpoint}`, encodeFakeCapture({}), "file")
        expect(answer.status).toBe(400)
        expect(answer.body.message).toMatch(/`file` is no longer accepted.*`capture`/)
      }
    }))

  it.scoped("a request that is not multipart is a 400", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const json = yield* request(`${url}/liveness/evaluate`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ capture: "x" })
      })
      expect(json.status).toBe(400)
      expect(json.body.message).toMatch(/multipart\/form-data/)
      const none = yield* request(`${url}/extract`, { method: "POST" })
      expect(none.status).toBe(400)
    }))

  it.scoped("a truncated multipart body is a 400", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const body = `--XyZ\r\nContent-Disposition: form-data; name="capture"; filename="c"\r\n\r\n{"outcome":"Live"}`
      const answer = yield* rawExchange(url, multipartRequest("/api/v1/iad/liveness/evaluate", body))
      expect(answer).toMatch(/^HTTP\/1\.1 400/)
      expect(answer).toMatch(/Malformed multipart body/)
    }))

  it.scoped("garbage headers inside the multipart body are a 400", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const body = `--XyZ\r\n\x00\x01garbage\r\n\r\nabc\r\n--XyZ--\r\n`
      const answer = yield* rawExchange(url, multipartRequest("/api/v1/iad/extract", body))
      expect(answer).toMatch(/^HTTP\/1\.1 400/)
    }))

  it.scoped("two capture fields are a 400", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const form = captureForm(encodeFakeCapture({}))
      form.append("capture", new Blob([encodeFakeCapture({})]), "second.bin")
      const answer = yield* request(`${url}/liveness/evaluate`, { method: "POST", body: form })
      expect(answer.status).toBe(400)
      expect(answer.body.message).toMatch(/exactly one `capture`/)
    }))

  it.scoped("a capture field without a filename is read as bytes", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const form = new FormData()
      form.append("capture", JSON.stringify({ outcome: "UntrustedDevice" }))
      const answer = yield* request(`${url}/liveness/evaluate`, { method: "POST", body: form })
      expect(answer.body).toMatchObject({ diagnostic: "NoLive", reason: "UntrustedDevice" })
    }))
})
