/**
 * `npm run bench`: every performance number of the service, printed (never asserted).
 * - native open(): captures per second on one core
 * - face analysis: median ms (wall and CPU) per 1280x720 frame, and CPU ms per frame of a 3-frame burst
 * - HTTP: evaluate and extract p50 / p99 at concurrency 1 and 8, native engine, real 3-frame captures
 * - bad-input soak: memory growth after 500 and 2500 hostile requests (a leak grows with them)
 * Numbers depend on the machine and its load: compare runs on the same machine.
 */
import { Effect } from "effect"
import * as os from "node:os"
import { faceBench } from "./face.js"
import { benchHttp } from "./http.js"
import { benchNativeOpen } from "./nativeOpen.js"
import { soak } from "./soak.js"

const print = (measure: string, value: unknown) => console.log(JSON.stringify({ measure, value }))

print("machine", { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverage: os.loadavg().map((l) => l.toFixed(2)) })

const open = await benchNativeOpen(1000)
print("native open(), 3-frame 1280x720 capture, captures/s (one at a time)", Number(open.capturesPerSecond.toFixed(0)))
print("native open(), CPU ms per capture", Number(open.cpuMillisPerOpen.toFixed(3)))

const face = await Effect.runPromise(faceBench)
print("face analysis, best 1280x720 frame, median ms", face.bestFrameMs)
print("face analysis, each further frame, median ms", face.otherFrameMs)
print("face analysis, best 1280x720 frame, median CPU ms", face.bestFrameCpuMs)
print("face analysis, each further frame, median CPU ms", face.otherFrameCpuMs)
print("face analysis, 3-frame burst, CPU ms per frame (target: under 10)", face.burstCpuMsPerFrame)
print("face over a photo background, best frame, median CPU ms", face.onPhoto.bestFrameCpuMs)
print("face over a photo background, each further frame, median CPU ms", face.onPhoto.otherFrameCpuMs)
print("face over a photo background, 3-frame burst, CPU ms per frame (target: under 10)", face.onPhoto.burstCpuMsPerFrame)

const runs = [...(await Effect.runPromise(benchHttp(50, 1))), ...(await Effect.runPromise(benchHttp(200, 8)))]
for (const result of runs) {
  print(`HTTP POST /${result.endpoint}, concurrency ${result.concurrency}, ${result.requests} requests`, {
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    requestsPerSecond: result.requestsPerSecond,
    statuses: result.statuses
  })
}

for (const rounds of [100, 500]) {
  const result = await Effect.runPromise(soak(rounds))
  print(`bad-input soak, ${result.requests} hostile requests`, {
    rssGrowthMiB: Number(((result.rssAfterMiB - result.rssBeforeMiB)).toFixed(1)),
    statuses: result.statuses,
    genuineCaptureAfterwards: result.stillServes
  })
}
