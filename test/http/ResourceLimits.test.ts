/**
 * Bounded resources: the upload byte budget (503 + Retry-After before the body is read, given
 * back when an upload ends), and a default connection limit below the process's descriptor limit
 * that keeps the service reachable under a flood of idle sockets.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { encodeFakeCapture } from "../../src/infra/fake/FakeCaptureDocument.js"
import { connectRaw, type RawConnection, sleep } from "../support/RawHttp.js"
import { rssOf, startServiceProcess } from "../support/ServiceProcess.js"
import { makeTempDir, postCapture, request, startServer } from "../support/TestServer.js"

const uploadHead = (length: number) =>
  "POST /api/v1/iad/liveness/evaluate HTTP/1.1\r\nHost: x\r\n" +
  `Content-Type: multipart/form-data; boundary=B\r\nContent-Length: ${length}\r\n\r\n`

/** An upload that sends its headers and `sent` bytes of body, then stalls. */
const stalledUpload = (url: string, length: number, sent: number) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const connection = await connectRaw(url)
      connection.socket.write(uploadHead(length))
      connection.socket.write(Buffer.alloc(sent, 0x41))
      return connection
    }),
    (connection: RawConnection) => Effect.sync(() => connection.socket.destroy())
  )

describe("max_upload_bytes_in_flight", () => {
  it.scoped("an upload that does not fit gets 503 + Retry-After before sending any body", () =>
    Effect.gen(function*() {
      const dir = makeTempDir()
      const { url } = yield* startServer({
        dir,
        config: {
          max_upload_bytes_in_flight: "1M",
          log: { log_path: path.join(dir, "service.log"), log_level: "WARN", log_size_limit: 1048576 }
        }
      })
      const holding = yield* stalledUpload(url, 700 * 1024, 64 * 1024)
      yield* Effect.promise(() => sleep(100))
      // Headers only: the answer must come without the body.
      const refused = yield* Effect.promise(async () => {
        const connection = await connectRaw(url)
        connection.socket.write(uploadHead(700 * 1024))
        return connection.answer(5_000)
      })
      expect(refused.status).toBe(503)
      expect(refused.headers["retry-after"]).toBe("1")
      expect(JSON.parse(refused.body)).toEqual({ message: "Too many uploads in progress; retry shortly" })
      yield* Effect.promise(() => sleep(100))
      expect(fs.readFileSync(path.join(dir, "service.log"), "utf8")).toMatch(
        /max_upload_bytes_in_flight reached \(716800 bytes held\): 1 upload\(s\) answered 503/
      )
      // What fits still passes, and a request without a body is never refused.
      expect((yield* postCapture(`${url}/liveness/evaluate`, encodeFakeCapture({ outcome: "Live" }))).status).toBe(200)
      expect((yield* request(`${url}/health`)).status).toBe(200)
      // The stalled upload's connection closes: its bytes are given back.
      holding.socket.destroy()
      yield* Effect.promise(() => sleep(100))
      const padded = new Uint8Array(700 * 1024).fill(0x20)
      padded.set(encodeFakeCapture({ outcome: "Live" }), 0)
      expect((yield* postCapture(`${url}/liveness/evaluate`, padded)).status).toBe(200)
    }))

  it.scoped("with Expect: 100-continue the refusal comes instead of the 100, and a fitting upload gets its 100", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { max_upload_bytes_in_flight: "1M" } })
      const expectContinue = (length: number) =>
        Effect.acquireRelease(
          Effect.promise(async () => {
            const connection = await connectRaw(url)
            connection.socket.write(uploadHead(length).replace("\r\n\r\n", "\r\nExpect: 100-continue\r\n\r\n"))
            return { connection, first: await connection.firstBytes(5_000) }
          }),
          ({ connection }) => Effect.sync(() => connection.socket.destroy())
        )
      const fits = yield* expectContinue(700 * 1024)
      expect(fits.first).toMatch(/^HTTP\/1\.1 100 Continue\r\n/)
      const refused = yield* expectContinue(700 * 1024)
      expect(refused.first).toMatch(/^HTTP\/1\.1 503 /)
      expect(refused.first).not.toContain("100 Continue")
    }))

  it.scoped("answered uploads give their bytes back", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { max_upload_bytes_in_flight: "300k" } })
      const padded = new Uint8Array(200 * 1024).fill(0x20)
      padded.set(encodeFakeCapture({ outcome: "Live" }), 0)
      for (let i = 0; i < 5; i++) {
        expect((yield* postCapture(`${url}/liveness/evaluate`, padded)).status).toBe(200)
      }
    }))
})

describe("memory after a burst of uploads", () => {
  it.skipIf(!fs.existsSync("/proc/self/status"))(
    "RSS of an `npm start` process returns near idle once 40 stalled 10 MB uploads close",
    async () => {
      // No budget, so that the burst really takes memory.
      const service = await startServiceProcess({ max_upload_bytes_in_flight: "" })
      const pid = service.child.pid!
      const uploads: Array<RawConnection> = []
      try {
        await sleep(1000)
        const idle = rssOf(pid)
        for (let i = 0; i < 40; i++) {
          const connection = await connectRaw(service.origin)
          connection.socket.write(uploadHead(10 * 1024 * 1024))
          // A capture part, so that the service keeps its bytes while the upload lasts.
          connection.socket.write('--B\r\nContent-Disposition: form-data; name="capture"; filename="c"\r\n\r\n')
          connection.socket.write(Buffer.alloc(9 * 1024 * 1024, 0x41))
          uploads.push(connection)
        }
        // Until the service has read what was sent (the client's buffers are empty).
        for (let waited = 0; waited < 30_000 && uploads.some((c) => c.socket.writableLength > 0); waited += 200) {
          await sleep(200)
        }
        await sleep(500)
        const peak = rssOf(pid)
        for (const connection of uploads) connection.socket.destroy()
        await sleep(3000)
        const after = rssOf(pid)
        const mib = (bytes: number) => Math.round(bytes / 1048576)
        const summary = `RSS idle ${mib(idle)} MiB, peak ${mib(peak)} MiB, after ${mib(after)} MiB`
        expect(peak - idle, summary).toBeGreaterThan(250 * 1048576)
        expect(after - idle, summary).toBeLessThan(64 * 1048576)
      } finally {
        for (const connection of uploads) connection.socket.destroy()
        expect(await service.stop()).toBe(0)
      }
    },
    90_000
  )
})

describe("max_connections", () => {
  it.skipIf(!fs.existsSync("/proc/self/limits"))(
    "by default, 400 idle sockets against a 256-descriptor process leave /health answering",
    async () => {
      const service = await startServiceProcess({}, { openFiles: 256 })
      const idle: Array<RawConnection> = []
      try {
        for (let i = 0; i < 400; i++) {
          // Connections the service closes at once still count as tried; only open ones are kept.
          const connection = await connectRaw(service.origin).catch(() => undefined)
          if (connection !== undefined) idle.push(connection)
        }
        await sleep(200)
        const health = await fetch(`${service.origin}/api/v1/iad/health`).catch((error: Error) => error)
        expect(health instanceof Error ? health.message : health.status).toBe(200)
        expect(service.log()).toMatch(/max_connections: 128 in effect/)
      } finally {
        for (const connection of idle) connection.socket.destroy()
        expect(await service.stop()).toBe(0)
      }
    },
    90_000
  )
})
