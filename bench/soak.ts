/**
 * Bad input soak: thousands of hostile requests (garbage, truncated and bit-flipped captures,
 * broken multipart, oversized bodies) against the service with the native engine, then the
 * resident memory growth and whether the service still answers a genuine capture.
 * Run: `node --expose-gc --import tsx bench/soak.ts [rounds]` (prints numbers; nothing is asserted).
 * Client and service share the process, so the resident memory covers both; compare a short and
 * a long run: a leak grows with the rounds, allocator warm-up does not.
 */
import { Effect } from "effect"
import * as net from "node:net"
import * as path from "node:path"
import { buildCapture } from "../src/capture/index.js"
import { FRAME_HEIGHT, FRAME_WIDTH, framedFace, frontalFace } from "../test/fixtures/face/faceFrames.js"
import { captureForm, makeTempDir, startServer } from "../test/support/TestServer.js"

const post = async (url: string, bytes: Uint8Array) => {
  const response = await fetch(url, { method: "POST", body: captureForm(bytes) })
  await response.arrayBuffer()
  return response.status
}

const truncatedMultipart = (url: string) =>
  new Promise<void>((resolve) => {
    const { hostname, port } = new URL(url)
    const body = `--B\r\nContent-Disposition: form-data; name="capture"; filename="c"\r\n\r\nabc`
    const socket = net.connect(Number(port), hostname, () =>
      socket.end(
        `POST /api/v1/iad/liveness/evaluate HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
          `Content-Type: multipart/form-data; boundary=B\r\nContent-Length: ${body.length + 50}\r\n\r\n${body}`
      ))
    socket.on("data", () => {})
    socket.on("close", () => resolve())
    socket.on("error", () => resolve())
    socket.setTimeout(2000, () => socket.destroy())
  })

export const soak = (rounds: number) =>
  Effect.scoped(Effect.gen(function*() {
    const dir = makeTempDir()
    const keysDir = path.join(dir, "keys")
    const { url } = yield* startServer({
      dir,
      config: { engine: "native", keys_dir: keysDir, engine_pool_size: 2, client_max_body_size: "2M" }
    })
    const frame = yield* Effect.promise(() => framedFace(frontalFace, 300, FRAME_WIDTH / 2, FRAME_HEIGHT / 2))
    const genuine = yield* Effect.promise(() => buildCapture({ keysDir, frames: [frame], burst: 3 }))
    const evaluate = `${url}/liveness/evaluate`
    const statuses: Record<string, number> = {}
    const count = (status: number) => (statuses[status] = (statuses[status] ?? 0) + 1)
    const round = async (i: number) => {
      const flipped = Uint8Array.from(genuine)
      flipped[(i * 7919) % flipped.length] ^= 1 << (i % 8)
      count(await post(evaluate, flipped))
      count(await post(evaluate, genuine.subarray(0, (i * 104729) % genuine.length)))
      count(await post(evaluate, Uint8Array.from({ length: 512 }, () => Math.floor(Math.random() * 256))))
      count(await post(evaluate, new Uint8Array(3 * 1024 * 1024)))
      await truncatedMultipart(url)
    }
    yield* Effect.promise(() => round(0)) // warm-up
    global.gc?.()
    const before = process.memoryUsage().rss
    const started = performance.now()
    for (let i = 1; i <= rounds; i++) yield* Effect.promise(() => round(i))
    const seconds = (performance.now() - started) / 1000
    global.gc?.()
    const after = process.memoryUsage().rss
    const stillServes = yield* Effect.promise(() => post(evaluate, genuine))
    return { rounds, requests: rounds * 5, seconds: Number(seconds.toFixed(1)), statuses, rssBeforeMiB: before / 2 ** 20, rssAfterMiB: after / 2 ** 20, stillServes }
  }))

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await Effect.runPromise(soak(Number(process.argv[2] ?? 300)))
  console.log(JSON.stringify({
    ...result,
    rssBeforeMiB: Number(result.rssBeforeMiB.toFixed(1)),
    rssAfterMiB: Number(result.rssAfterMiB.toFixed(1))
  }))
}
