/**
 * One concurrency level of the service bench, watched window by window: a fresh service (as
 * `npm start` runs it) warmed up to its steady state, 200 captures at the level, then `windows`
 * windows of `requests` captures, each printed with CPU per capture, throughput, its ratio to the
 * CPU ceiling, p50/p99, the load client's cores and the cores each kind of the service's threads
 * used (threadCpu.ts). For comparing two checkouts in turns (run it in each), which the
 * three-run service bench does too slowly (docs/performance.md, round 9).
 * Run: `npx tsx bench/service/levelWindows.ts [concurrency=8] [windows=3] [requests=400]`;
 * SERVICE_NODE_FLAGS and SERVICE_CONFIG as for serviceBench.ts. Not part of `npm run bench`.
 */
import * as os from "node:os"
import { buildCapture } from "../../src/capture/index.js"
import { FRAME_HEIGHT, FRAME_WIDTH, framedFace, frontalFace } from "../../test/fixtures/face/faceFrames.js"
import { drive, percentile, STEADY_WARM_UP } from "./Load.js"
import { startService } from "./ServiceProcess.js"
import { cpuByRole, threadTimes, v8PoolSizeOf } from "./threadCpu.js"

const concurrency = Number(process.argv[2] ?? 8)
const windows = Number(process.argv[3] ?? 3)
const requests = Number(process.argv[4] ?? 400)
const nodeFlags = (process.env.SERVICE_NODE_FLAGS ?? "").split(" ").filter((flag) => flag !== "")

const service = await startService({ nodeFlags, config: JSON.parse(process.env.SERVICE_CONFIG ?? "{}") as Record<string, unknown> })
try {
  const frame = await framedFace(frontalFace, 300, FRAME_WIDTH / 2, FRAME_HEIGHT / 2)
  const capture = await buildCapture({ keysDir: service.keysDir, frames: [frame], burst: 3 })
  const url = `${service.url}/liveness/evaluate`
  await drive(url, capture, STEADY_WARM_UP, 2)
  await drive(url, capture, 200, concurrency)
  for (let w = 0; w < windows; w++) {
    const threadsBefore = threadTimes(service.pid)
    const cpuBefore = service.cpuMillis()
    const clientBefore = process.cpuUsage()
    const load = await drive(url, capture, requests, concurrency)
    const cpuMsPerCapture = (service.cpuMillis() - cpuBefore) / requests
    const client = process.cpuUsage(clientBefore)
    const requestsPerSecond = requests / load.seconds
    const ratio = requestsPerSecond / ((os.availableParallelism() * 1000) / cpuMsPerCapture)
    const clientCores = (client.user + client.system) / 1000 / (load.seconds * 1000)
    const threads = cpuByRole(service.pid, threadsBefore, threadTimes(service.pid), requests, v8PoolSizeOf(nodeFlags))
    console.log(
      `concurrency ${concurrency}, window ${w + 1}: ${cpuMsPerCapture.toFixed(2)} ms CPU a capture, ${requestsPerSecond.toFixed(1)} req/s, ` +
        `ratio ${ratio.toFixed(3)}, p50 ${percentile(load.latencies, 0.5).toFixed(0)} ms, p99 ${percentile(load.latencies, 0.99).toFixed(0)} ms, ` +
        `client ${clientCores.toFixed(3)} cores, statuses ${JSON.stringify(load.statuses)}`
    )
    console.log(`  cores: ${threads.map((group) => `${group.role.split(" (")[0]} ${((group.msPerCapture * requestsPerSecond) / 1000).toFixed(3)}`).join(", ")}`)
  }
} finally {
  await service.stop()
}
