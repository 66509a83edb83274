/**
 * `npm run bench`: every performance number of the service, printed (never asserted).
 * - native open(): captures per second on one core
 * - the addon's pixel kernels: CPU per capture of the decodes, forensics, model-input warps and
 *   scene work (the last two against the JavaScript they replaced)
 * - face analysis: median ms (wall and CPU) per 1280x720 frame, and CPU ms per frame of a 3-frame burst
 * - the service from outside (its own process, as `npm start` runs it): CPU per capture from /proc,
 *   p50 / p99 and throughput at concurrency 1, 2, 8, 32 (medians of 3 runs), idle and peak RSS, the
 *   CPU per kind of thread (/proc), the stage breakdown from a CPU profile, and
 *   docs/latency-vs-concurrency.png, and how CPU per capture falls while the service warms up
 * - what requests without capture work cost the service (its floor), and what some of Effect's
 *   operations cost on their own (microseconds)
 * - bad-input soak: memory growth after 500 and 2500 hostile requests (a leak grows with them)
 * Numbers depend on the machine and its load: compare runs on the same machine.
 */
import { Effect } from "effect"
import * as os from "node:os"
import { faceBench } from "./face.js"
import { serviceBench, writePlot } from "./service/serviceBench.js"
import { stageBreakdown } from "./service/stageBreakdown.js"
import { threadCpu } from "./service/threadCpu.js"
import { warmUpCurve } from "./service/warmUpCurve.js"
import { benchModelRuns } from "./modelRuns.js"
import { benchNativeKernels } from "./nativeKernels.js"
import { benchNativeOpen } from "./nativeOpen.js"
import { soak } from "./soak.js"
import { effectCosts } from "./effectCosts.js"
import { requestFloor } from "./service/requestFloor.js"

const print = (measure: string, value: unknown) => console.log(JSON.stringify({ measure, value }))

print("machine", { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverage: os.loadavg().map((l) => l.toFixed(2)) })

const open = await benchNativeOpen(1000)
print("native open(), 3-frame 1280x720 capture, captures/s (one at a time)", Number(open.capturesPerSecond.toFixed(0)))
print("native open(), CPU ms per capture", Number(open.cpuMillisPerOpen.toFixed(3)))

print("addon pixel kernels, CPU us per 3-frame 1280x720 capture (medians of 25 rounds)", await benchNativeKernels())
print("face models, CPU us per run, one ONNX Runtime thread (medians of 15 rounds)", await benchModelRuns())

const face = await Effect.runPromise(faceBench)
print("face analysis, best 1280x720 frame, median ms", face.bestFrameMs)
print("face analysis, each further frame, median ms", face.otherFrameMs)
print("face analysis, best 1280x720 frame, median CPU ms", face.bestFrameCpuMs)
print("face analysis, each further frame, median CPU ms", face.otherFrameCpuMs)
print("face analysis, 3-frame burst, CPU ms per frame (target: under 10)", face.burstCpuMsPerFrame)
print("face over a photo background, best frame, median CPU ms", face.onPhoto.bestFrameCpuMs)
print("face over a photo background, each further frame, median CPU ms", face.onPhoto.otherFrameCpuMs)
print("face over a photo background, 3-frame burst, CPU ms per frame (target: under 10)", face.onPhoto.burstCpuMsPerFrame)

const service = await serviceBench(200, 3)
print("service process (node bin/iad-service.cjs), RSS MiB", {
  "idle 2.5 s (trimmed)": Number(service.trimmedRssMiB.toFixed(0)),
  "idle 11.5 s (heaps released)": Number(service.idleRssMiB.toFixed(0)),
  peak: Number(service.peakRssMiB.toFixed(0))
})
print("service process, CPU ms per capture over the first 250 captures after its idle heap release (concurrency 2, medians of 3 runs)", Number(service.afterReleaseCpuMsPerCapture.toFixed(1)))
for (const level of service.levels) {
  print(`POST /liveness/evaluate from another process, concurrency ${level.concurrency} (medians of 3 runs of 200)`, {
    cpuMsPerCapture: Number(level.cpuMsPerCapture.toFixed(1)),
    p50Ms: Number(level.p50Ms.toFixed(1)),
    p99Ms: Number(level.p99Ms.toFixed(1)),
    requestsPerSecond: Number(level.requestsPerSecond.toFixed(1)),
    throughputOverCpuCeiling: Number(level.ceilingRatio.toFixed(2)),
    loadClientCores: Number(level.clientCores.toFixed(2)),
    statuses: level.statuses
  })
}
await writePlot(service)

const curve = await warmUpCurve(12, 250, 4)
print("service process, CPU ms per capture by window of 250 captures (concurrency 2): from start, then after the idle heap release", {
  fromStart: curve.fromStart.map((point) => Number(point.cpuMsPerCapture.toFixed(1))),
  afterIdleRelease: curve.afterIdleRelease.map((point) => Number(point.cpuMsPerCapture.toFixed(1)))
})

const threads = await threadCpu(200, 1)
print("CPU per capture by thread (ms, /proc per thread, concurrency 1)", {
  total: Number(threads.msPerCapture.toFixed(1)),
  ...Object.fromEntries(threads.groups.map((g) => [g.role, Number(g.msPerCapture.toFixed(2))]))
})

const stages = await stageBreakdown(150)
print("CPU per capture by stage (ms; each JavaScript thread's /proc CPU split by its CPU profile's shares, concurrency 2)", {
  total: Number(stages.processCpuMsPerCapture.toFixed(1)),
  ...Object.fromEntries(stages.stages.map(([stage, ms]) => [stage, Number(ms.toFixed(2))]))
})

print("CPU ms per request without capture work (process CPU, /proc, two clients)", await requestFloor())
print("Effect operations alone, CPU us each (steady state)", await effectCosts())

for (const rounds of [100, 500]) {
  const result = await Effect.runPromise(soak(rounds))
  print(`bad-input soak, ${result.requests} hostile requests`, {
    rssGrowthMiB: Number(((result.rssAfterMiB - result.rssBeforeMiB)).toFixed(1)),
    statuses: result.statuses,
    genuineCaptureAfterwards: result.stillServes
  })
}
