/**
 * The stage breakdown of one capture: the service started as users run it but under
 * `node --cpu-prof`, fed `requests` genuine captures at concurrency 2 after a warm-up, stopped with
 * SIGTERM (which writes the profiles), and its CPU self time grouped by stage, per capture.
 * The profiles give each stage's share of the busy time of the process's JavaScript threads
 * (ONNX Runtime runs its models on the calling worker thread, so model time is in them; libuv's
 * pool threads, where the addon and sharp decode, are not profiled: their time shows under the
 * JS functions waiting for them only as far as those are busy). The shares are applied to the CPU
 * the process used in that window, read from /proc.
 * Run alone: `npx tsx bench/service/stageBreakdown.ts [requests]`.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { buildCapture } from "../../src/capture/index.js"
import { FRAME_HEIGHT, FRAME_WIDTH, framedFace, frontalFace } from "../../test/fixtures/face/faceFrames.js"
import { stageMillis } from "./CpuProfile.js"
import { drive } from "./Load.js"
import { startService } from "./ServiceProcess.js"

export interface StageBreakdown {
  readonly requests: number
  readonly processCpuMsPerCapture: number
  /** ms of CPU per capture, by stage, largest first; they add up to `processCpuMsPerCapture`. */
  readonly stages: ReadonlyArray<readonly [string, number]>
}

export const stageBreakdown = async (requests = 150): Promise<StageBreakdown> => {
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), "iad-prof-"))
  const service = await startService({ nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] })
  const frame = await framedFace(frontalFace, 300, FRAME_WIDTH / 2, FRAME_HEIGHT / 2)
  const capture = await buildCapture({ keysDir: service.keysDir, frames: [frame], burst: 3 })
  const url = `${service.url}/liveness/evaluate`
  await drive(url, capture, 100, 2) // warm-up to the steady state (JIT, sessions, pools)
  const cpuStart = service.cpuMillis()
  const fromMicros = Number(process.hrtime.bigint() / 1000n)
  await drive(url, capture, requests, 2)
  const toMicros = Number(process.hrtime.bigint() / 1000n)
  const processCpu = service.cpuMillis() - cpuStart
  await service.stop()
  // The profiles cover the whole life of the process: only samples inside the measured window count
  // (V8 stamps them with the monotonic clock that process.hrtime reads in this process too).
  const totals = stageMillis(profileDir, { fromMicros, toMicros })
  if (process.env.KEEP_PROFILES === undefined) fs.rmSync(profileDir, { recursive: true, force: true })
  else console.log(`profiles kept in ${profileDir}`)
  // A profiler sample is wall time on a thread that is not idle: on a loaded machine a thread that
  // waits for a core still counts. The shares are right; the /proc total is the CPU, so each stage
  // gets its share of it and the table adds up to the whole.
  const busy = [...totals].filter(([stage]) => !stage.startsWith("idle"))
  const busyTotal = busy.reduce((sum, [, ms]) => sum + ms, 0)
  const perCapture = processCpu / requests
  const stages = busy
    .map(([stage, ms]) => [stage, busyTotal === 0 ? 0 : (ms / busyTotal) * perCapture] as const)
    .sort((a, b) => b[1] - a[1])
  return { requests, processCpuMsPerCapture: perCapture, stages }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await stageBreakdown(Number(process.argv[2] ?? 150))
  console.log(`CPU per capture (whole process, /proc): ${result.processCpuMsPerCapture.toFixed(1)} ms over ${result.requests} captures`)
  for (const [stage, ms] of result.stages) console.log(`${ms.toFixed(2).padStart(8)} ms  ${stage}`)
}
