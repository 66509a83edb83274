/**
 * End-to-end latency over real HTTP on loopback: the service with the native engine and the ONNX
 * face models, fed a real genuine capture (reference SDK, a simulated 3-frame burst of a 1280x720
 * frame built from a real photo; checked to be answered Live, so every stage runs).
 * Prints p50 / p99 per endpoint at a given concurrency, and throughput.
 * Run alone: `npx tsx bench/http.ts [requests] [concurrency]`.
 */
import { Effect } from "effect"
import * as path from "node:path"
import { buildCapture } from "../src/capture/index.js"
import { FRAME_HEIGHT, FRAME_WIDTH, framedFace, frontalFace } from "../test/fixtures/face/faceFrames.js"
import { captureForm, makeTempDir, startServer } from "../test/support/TestServer.js"

export interface LatencyBench {
  readonly endpoint: string
  readonly requests: number
  readonly concurrency: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly requestsPerSecond: number
  readonly statuses: Record<string, number>
}

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!

const hammer = async (url: string, capture: Uint8Array, requests: number, concurrency: number) => {
  const latencies: Array<number> = []
  const statuses: Record<string, number> = {}
  let next = 0
  const started = performance.now()
  const worker = async () => {
    while (next < requests) {
      next++
      const t0 = performance.now()
      const response = await fetch(url, { method: "POST", body: captureForm(capture) })
      await response.arrayBuffer()
      latencies.push(performance.now() - t0)
      statuses[response.status] = (statuses[response.status] ?? 0) + 1
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return { latencies, statuses, seconds }
}

export const benchHttp = (requests = 200, concurrency = 8) =>
  Effect.scoped(Effect.gen(function*() {
    const dir = makeTempDir()
    const keysDir = path.join(dir, "keys")
    const { url } = yield* startServer({
      dir,
      config: { engine: "native", keys_dir: keysDir, engine_pool_size: 2, engine_queue_timeout: 60 }
    })
    const frame = yield* Effect.promise(() => framedFace(frontalFace, 300, FRAME_WIDTH / 2, FRAME_HEIGHT / 2))
    // A genuine 3-frame burst: it passes every check, so the full analysis (forensics + faces) runs.
    const capture = yield* Effect.promise(() => buildCapture({ keysDir, frames: [frame], burst: 3 }))
    const probe = yield* Effect.promise(() =>
      fetch(`${url}/liveness/evaluate`, { method: "POST", body: captureForm(capture) }).then((r) => r.json())
    )
    if ((probe as { diagnostic?: string }).diagnostic !== "Live") {
      return yield* Effect.die(new Error(`bench capture is not Live: ${JSON.stringify(probe)}`))
    }
    const results: Array<LatencyBench> = []
    for (const endpoint of ["liveness/evaluate", "extract"]) {
      yield* Effect.promise(() => hammer(`${url}/${endpoint}`, capture, 16, 2)) // warm-up
      const run = yield* Effect.promise(() => hammer(`${url}/${endpoint}`, capture, requests, concurrency))
      results.push({
        endpoint,
        requests,
        concurrency,
        p50Ms: Number(percentile(run.latencies, 0.5).toFixed(1)),
        p99Ms: Number(percentile(run.latencies, 0.99).toFixed(1)),
        requestsPerSecond: Number((requests / run.seconds).toFixed(1)),
        statuses: run.statuses
      })
    }
    return results
  }))

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await Effect.runPromise(benchHttp(Number(process.argv[2] ?? 200), Number(process.argv[3] ?? 8)))
  for (const result of results) console.log(JSON.stringify(result))
}
