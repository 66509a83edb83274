/**
 * The service measured from outside, as a user runs it (issue 14): `node bin/iad-service.cjs` in its
 * own process, driven by this process over loopback with a genuine 3-frame 1280x720 capture that
 * is answered Live (every stage runs). Per concurrency level: CPU per capture of the whole service
 * process (from /proc), p50/p99, throughput against the CPU ceiling (cores / CPU per capture).
 * Each level runs `runs` times in a fresh service; the medians are reported.
 * Run alone: `npx tsx bench/service/serviceBench.ts [requests] [runs]`; SERVICE_NODE_FLAGS adds node
 * flags to the service (to compare V8 settings), SERVICE_CONFIG (JSON) overrides config.json keys
 * (e.g. `{"engine_pool_size":3}`); BENCH_NO_PLOT=1 leaves docs/ alone.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Duration from "effect/Duration"
import { buildCapture } from "../../src/capture/index.js"
import { HEAP_RELEASE_DELAY } from "../../src/infra/native/IdleMemoryTrim.js"
import { FRAME_HEIGHT, FRAME_WIDTH, framedFace, frontalFace } from "../../test/fixtures/face/faceFrames.js"
import { latencyPlotPng } from "./LatencyPlot.js"
import { drive, median, percentile, STEADY_WARM_UP } from "./Load.js"
import { startService } from "./ServiceProcess.js"

export const CONCURRENCY_LEVELS = [1, 2, 8, 32] as const

export interface LevelResult {
  readonly concurrency: number
  readonly cpuMsPerCapture: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly requestsPerSecond: number
  /** Throughput over the CPU ceiling: 1 when every core is busy with captures and nothing else. */
  readonly ceilingRatio: number
  /** Cores the load client (this process, on the same machine) used meanwhile. */
  readonly clientCores: number
  readonly statuses: Readonly<Record<string, number>>
}

export interface ServiceBenchResult {
  readonly cores: number
  /** RSS 2.5 s after the warm-up: the C library has trimmed, V8's heaps are as the load left them. */
  readonly trimmedRssMiB: number
  /** RSS 11.5 s after the warm-up: the threads have given their V8 heaps back too. */
  readonly idleRssMiB: number
  readonly peakRssMiB: number
  /** CPU per capture over the first `COLD_CAPTURES` after the idle heap release (concurrency 2): what the release costs the next captures. */
  readonly afterReleaseCpuMsPerCapture: number
  readonly levels: ReadonlyArray<LevelResult>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Captures at a level's concurrency before it is measured. */
const LEVEL_WARM_UP = 200
/** Captures measured right after the idle heap release, inside the second warm-up. */
const COLD_CAPTURES = 250

/** One fresh service: idle RSS, then each concurrency level in turn. */
const oneRun = async (requests: number) => {
  const service = await startService({
    nodeFlags: (process.env.SERVICE_NODE_FLAGS ?? "").split(" ").filter((flag) => flag !== ""),
    config: JSON.parse(process.env.SERVICE_CONFIG ?? "{}") as Record<string, unknown>
  })
  try {
    const frame = await framedFace(frontalFace, 300, FRAME_WIDTH / 2, FRAME_HEIGHT / 2)
    const capture = await buildCapture({ keysDir: service.keysDir, frames: [frame], burst: 3 })
    const url = `${service.url}/liveness/evaluate`
    const first = await drive(url, capture, 1, 1)
    if (first.statuses["200"] !== 1) throw new Error(`bench capture not answered 200: ${JSON.stringify(first.statuses)}`)
    // Warm-up to the steady state of a running service (JIT, ONNX sessions, pools: STEADY_WARM_UP
    // says how long that takes); then idle: 2.5 s (the C library's trim, at 1 s), then past the heap
    // release (IdleMemoryTrim.ts, 10 s after the last capture): RSS at both.
    await drive(url, capture, STEADY_WARM_UP, 2)
    await sleep(2500)
    const trimmedRssMiB = service.rssMiB()
    await sleep(Duration.toMillis(HEAP_RELEASE_DELAY) + 1500 - 2500)
    const idleRssMiB = service.rssMiB()
    let peakRssMiB = Math.max(trimmedRssMiB, idleRssMiB)
    // The release leaves V8's heaps small and its code cold: warm up again before the levels, the
    // first captures of it measured (what a service idle for 10 s pays when captures come back).
    const coldCpuBefore = service.cpuMillis()
    await drive(url, capture, COLD_CAPTURES, 2)
    const afterReleaseCpuMsPerCapture = (service.cpuMillis() - coldCpuBefore) / COLD_CAPTURES
    await drive(url, capture, Math.max(0, STEADY_WARM_UP - COLD_CAPTURES), 2)
    const levels: Array<LevelResult> = []
    for (const concurrency of CONCURRENCY_LEVELS) {
      // Each level warms up at its own concurrency: queueing for an engine runs code the levels
      // before did not (semaphore waits, timeouts), which V8 has yet to optimize (warmUpCurve.ts).
      await drive(url, capture, Math.max(2 * concurrency, LEVEL_WARM_UP), concurrency)
      const cpuBefore = service.cpuMillis()
      const clientBefore = process.cpuUsage()
      const load = await drive(url, capture, requests, concurrency)
      const cpuMsPerCapture = (service.cpuMillis() - cpuBefore) / requests
      const client = process.cpuUsage(clientBefore)
      peakRssMiB = Math.max(peakRssMiB, service.rssMiB())
      const requestsPerSecond = requests / load.seconds
      levels.push({
        concurrency,
        cpuMsPerCapture,
        p50Ms: percentile(load.latencies, 0.5),
        p99Ms: percentile(load.latencies, 0.99),
        requestsPerSecond,
        ceilingRatio: requestsPerSecond / (os.availableParallelism() * 1000 / cpuMsPerCapture),
        clientCores: (client.user + client.system) / 1000 / (load.seconds * 1000),
        statuses: load.statuses
      })
    }
    return { trimmedRssMiB, idleRssMiB, peakRssMiB, afterReleaseCpuMsPerCapture, levels }
  } finally {
    await service.stop()
  }
}

export const serviceBench = async (requests = 200, runs = 3): Promise<ServiceBenchResult> => {
  const results: Array<Awaited<ReturnType<typeof oneRun>>> = []
  for (let run = 0; run < runs; run++) results.push(await oneRun(requests))
  const levels = CONCURRENCY_LEVELS.map((concurrency, i) => {
    const of = (pick: (level: LevelResult) => number) => median(results.map((result) => pick(result.levels[i]!)))
    return {
      concurrency,
      cpuMsPerCapture: of((l) => l.cpuMsPerCapture),
      p50Ms: of((l) => l.p50Ms),
      p99Ms: of((l) => l.p99Ms),
      requestsPerSecond: of((l) => l.requestsPerSecond),
      ceilingRatio: of((l) => l.ceilingRatio),
      clientCores: of((l) => l.clientCores),
      statuses: results.reduce<Record<string, number>>((all, result) => {
        for (const [status, count] of Object.entries(result.levels[i]!.statuses)) all[status] = (all[status] ?? 0) + count
        return all
      }, {})
    }
  })
  return {
    cores: os.availableParallelism(),
    trimmedRssMiB: median(results.map((result) => result.trimmedRssMiB)),
    idleRssMiB: median(results.map((result) => result.idleRssMiB)),
    peakRssMiB: median(results.map((result) => result.peakRssMiB)),
    afterReleaseCpuMsPerCapture: median(results.map((result) => result.afterReleaseCpuMsPerCapture)),
    levels
  }
}

/** Where `npm run bench` writes the plot (docs/ shows it). */
export const PLOT_PATH = path.resolve(import.meta.dirname, "../../docs/latency-vs-concurrency.png")

export const writePlot = async (result: ServiceBenchResult) =>
  fs.writeFileSync(
    PLOT_PATH,
    await latencyPlotPng(result.levels, `IAD Service, ${result.cores} cores, engine_pool_size 2 (medians of 3 runs)`)
  )

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await serviceBench(Number(process.argv[2] ?? 200), Number(process.argv[3] ?? 3))
  console.log(JSON.stringify(result, null, 2))
  if (process.env.BENCH_NO_PLOT !== "1") {
    await writePlot(result)
    console.log(`plot: ${PLOT_PATH}`)
  }
}
