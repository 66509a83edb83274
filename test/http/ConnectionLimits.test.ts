import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as net from "node:net"
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

  it.scoped("max_connections closes connections beyond the total", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { max_connections: 1 } })
      const first = yield* openConnection(url)
      expect(yield* Effect.promise(() => first.answered)).toBe(true)
      const second = yield* openConnection(url)
      expect(yield* Effect.promise(() => second.answered)).toBe(false)
    }))
})
