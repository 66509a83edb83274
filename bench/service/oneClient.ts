/**
 * One client's latency and CPU per capture, for comparing two checkouts in turn (run this file in
 * each, one after the other, several times: this machine's speed drifts between runs). The service
 * of this checkout runs as users run it (`node bin/iad-service.cjs`, engine_pool_size 2), is warmed
 * up with 100 captures at concurrency 2, then gets `requests` genuine 3-frame 1280x720 captures
 * one at a time. Printed: p50 and p90 latency, and the service's CPU per capture from /proc.
 * Run: `npx tsx bench/service/oneClient.ts [requests=300]`.
 */
import { buildCapture } from "../../src/capture/index.js"
import { FRAME_HEIGHT, FRAME_WIDTH, framedFace, frontalFace } from "../../test/fixtures/face/faceFrames.js"
import { drive, percentile } from "./Load.js"
import { startService } from "./ServiceProcess.js"

const requests = Number(process.argv[2] ?? 300)
const service = await startService()
try {
  const frame = await framedFace(frontalFace, 300, FRAME_WIDTH / 2, FRAME_HEIGHT / 2)
  const capture = await buildCapture({ keysDir: service.keysDir, frames: [frame], burst: 3 })
  const url = `${service.url}/liveness/evaluate`
  await drive(url, capture, 100, 2)
  const cpuBefore = service.cpuMillis()
  const result = await drive(url, capture, requests, 1)
  const cpu = (service.cpuMillis() - cpuBefore) / requests
  console.log(
    `one client, ${requests} captures: p50 ${percentile(result.latencies, 0.5).toFixed(1)} ms, p90 ${percentile(result.latencies, 0.9).toFixed(1)} ms, ` +
      `${cpu.toFixed(1)} ms CPU per capture`
  )
} finally {
  await service.stop()
}
