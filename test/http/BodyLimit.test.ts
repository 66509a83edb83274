import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { encodeFakeCapture } from "../../src/infra/fake/FakeCaptureDocument.js"
import { captureForm, postCapture, postConfig, request, startServer } from "../support/TestServer.js"

const chunkedBody = (totalBytes: number): ReadableStream<Uint8Array> => {
  const head = new TextEncoder().encode(
    `--B\r\nContent-Disposition: form-data; name="capture"; filename="c"\r\n\r\n`
  )
  let sent = 0
  return new ReadableStream({
    pull(controller) {
      if (sent === 0) {
        controller.enqueue(head)
        sent += head.length
        return
      }
      if (sent >= totalBytes) return controller.close()
      const chunk = new Uint8Array(64 * 1024).fill(0x41)
      controller.enqueue(chunk)
      sent += chunk.length
    }
  })
}

const postChunked = (url: string, totalBytes: number) =>
  request(url, {
    method: "POST",
    headers: { "content-type": "multipart/form-data; boundary=B" },
    body: chunkedBody(totalBytes),
    duplex: "half"
  } as RequestInit)

describe("client_max_body_size", () => {
  it.scoped("a sized upload over the limit gets 413 with a message", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { client_max_body_size: "64k" } })
      const answer = yield* postCapture(`${url}/liveness/evaluate`, new Uint8Array(200 * 1024))
      expect(answer.status).toBe(413)
      expect(answer.body.message).toMatch(/client_max_body_size \(64k\)/)
    }))

  it.scoped("a chunked upload over the limit gets 413 too, and the service keeps serving", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { client_max_body_size: "1M" } })
      const answer = yield* postChunked(`${url}/extract`, 3 * 1024 * 1024)
      expect(answer.status).toBe(413)
      expect(answer.body.message).toMatch(/client_max_body_size \(1M\)/)
      const after = yield* postCapture(`${url}/liveness/evaluate`, encodeFakeCapture({ outcome: "Live" }))
      expect(after.status).toBe(200)
    }))

  it.scoped("the default limit is 10M and an upload under it passes", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const document = encodeFakeCapture({ outcome: "Live" })
      const padded = new Uint8Array(9 * 1024 * 1024).fill(0x20)
      padded.set(document, 0)
      const under = yield* postCapture(`${url}/liveness/evaluate`, padded)
      expect(under.status).toBe(200)
      const over = yield* postCapture(`${url}/liveness/evaluate`, new Uint8Array(11 * 1024 * 1024))
      expect(over.status).toBe(413)
    }))

  it.scoped("a new limit posted to /config applies to the next request", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const update = yield* postConfig(url, { client_max_body_size: "64k" })
      expect(update.status).toBe(200)
      expect(update.body.restartRequired).toEqual([])
      const answer = yield* request(`${url}/liveness/evaluate`, { method: "POST", body: captureForm(new Uint8Array(100 * 1024)) })
      expect(answer.status).toBe(413)
    }))
})
