/**
 * Why the capture endpoints read their bodies themselves (src/http/Api.ts): with the platform's
 * own multipart limits an oversized upload never gets a 413. `maxFileSize` drops the file (a 400
 * "capture is missing", or a 500 when chunked) and `maxTotalSize` ends in an empty 500. When this
 * test fails, the platform answers cleanly and the streaming reader can be retired.
 */
import { HttpApi, HttpApiBuilder, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, HttpServer, Multipart } from "@effect/platform"
import { NodeContext, NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { createServer } from "node:http"
import { captureForm } from "../support/TestServer.js"

const LIMIT = 1024

const serveUpload = (limits: Parameters<typeof HttpApiSchema.Multipart>[1]) =>
  Effect.gen(function*() {
    const Upload = HttpApiSchema.Multipart(Schema.Struct({ capture: Multipart.SingleFileSchema }), limits)
    const api = HttpApi.make("probe").add(
      HttpApiGroup.make("g").add(HttpApiEndpoint.post("up", "/up").setPayload(Upload).addSuccess(Schema.Struct({ ok: Schema.Boolean })))
    )
    const handlers = HttpApiBuilder.group(api, "g", (h) => h.handle("up", () => Effect.succeed({ ok: true })))
    const app = HttpApiBuilder.serve().pipe(
      Layer.provide(HttpApiBuilder.api(api).pipe(Layer.provide(handlers))),
      Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
      Layer.provide(NodeContext.layer)
    )
    const address = Context.get(yield* Layer.build(app), HttpServer.HttpServer).address
    return address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}/up` : ""
  })

const chunkedUpload = (bytes: number): RequestInit => ({
  method: "POST",
  headers: { "content-type": "multipart/form-data; boundary=x" },
  body: new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("--x\r\ncontent-disposition: form-data; name=\"capture\"; filename=\"c\"\r\n\r\n"))
      controller.enqueue(new Uint8Array(bytes))
      controller.enqueue(new TextEncoder().encode("\r\n--x--\r\n"))
      controller.close()
    }
  }),
  duplex: "half"
} as RequestInit)

const statusOf = (url: string, init: RequestInit) => Effect.promise(() => fetch(url, init).then((response) => response.status))

describe("the platform's multipart limits (platform 0.97, platform-node 0.108)", () => {
  it.scoped("never answer 413 to an oversized upload", () =>
    Effect.gen(function*() {
      const byFile = yield* serveUpload({ maxFileSize: Option.some(LIMIT) })
      const byTotal = yield* serveUpload({ maxTotalSize: Option.some(2 * LIMIT) })
      expect(yield* statusOf(byFile, { method: "POST", body: captureForm(new Uint8Array(100)) })).toBe(200)
      const answers = [
        yield* statusOf(byFile, { method: "POST", body: captureForm(new Uint8Array(10 * LIMIT)) }),
        yield* statusOf(byFile, chunkedUpload(10 * LIMIT)),
        yield* statusOf(byTotal, { method: "POST", body: captureForm(new Uint8Array(10 * LIMIT)) }),
        yield* statusOf(byTotal, chunkedUpload(10 * LIMIT))
      ]
      expect(answers).toEqual([400, 500, 500, 500])
    }))
})
