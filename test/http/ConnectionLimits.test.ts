import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as net from "node:net"
import { connectRaw, sleep } from "../support/RawHttp.js"
import { request, startServer } from "../support/TestServer.js"

/** Opens a keep-alive connection and reports whether the server answers a request on it. */
const openConnection = (url: string) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<{ socket: net.Socket; answered: Promise<boolean> }>((resolve) => {
        const { hostname, port } = new URL(url)
        const socket = net.connect(Number(port), hostname)
        const answered = new Promise<boolean>((done) => {
          socket.once("data", () => done(true))
          socket.once("close", () => done(false))
          socket.once("error", () => done(false))
        })
        socket.once("connect", () => {
          socket.write(`GET /api/v1/iad/health HTTP/1.1\r\nHost: x\r\n\r\n`)
          resolve({ socket, answered })
        })
        socket.once("error", () => resolve({ socket, answered }))
      })
    ),
    ({ socket }) => Effect.sync(() => socket.destroy())
  )

describe("connection limits", () => {
  it.scoped("max_connections_per_ip closes a client's connections beyond its share", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { max_connections_per_ip: 2 } })
      const first = yield* openConnection(url)
      const second = yield* openConnection(url)
      expect(yield* Effect.promise(() => first.answered)).toBe(true)
      expect(yield* Effect.promise(() => second.answered)).toBe(true)
      const third = yield* openConnection(url)
      expect(yield* Effect.promise(() => third.answered)).toBe(false)
    }))

  it.scoped("a closed connection frees its place", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { max_connections_per_ip: 1 } })
      yield* Effect.scoped(Effect.flatMap(openConnection(url), (c) => Effect.promise(() => c.answered)))
      // Real time (the test clock does not move): let the server see the close.
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
      const again = yield* request(`${url}/health`, { headers: { connection: "close" } })
      expect(again.status).toBe(200)
    }))

  it.scoped("at max_connections a new connection takes the place of the oldest idle one", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { max_connections: 1 } })
      const first = yield* openConnection(url)
      expect(yield* Effect.promise(() => first.answered)).toBe(true)
      const closed = new Promise<boolean>((resolve) => first.socket.once("close", () => resolve(true)))
      const second = yield* openConnection(url)
      expect(yield* Effect.promise(() => second.answered)).toBe(true)
      expect(yield* Effect.promise(() => closed)).toBe(true)
    }))

  it.scoped("at max_connections with every connection busy, a new one is closed", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { max_connections: 1 } })
      const busy = yield* Effect.acquireRelease(
        Effect.promise(() => connectRaw(url)),
        (connection) => Effect.sync(() => connection.socket.destroy())
      )
      // An upload in progress: headers sent, body not finished.
      busy.socket.write(
        "POST /api/v1/iad/extract HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\n" +
          "Content-Length: 1000\r\n\r\n--B"
      )
      yield* Effect.promise(() => sleep(100))
      const second = yield* openConnection(url)
      expect(yield* Effect.promise(() => second.answered)).toBe(false)
      expect(busy.socket.destroyed).toBe(false)
    }))
})
