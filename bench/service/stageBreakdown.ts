/**
 * The stage breakdown of one capture: the service started as users run it but under
 * `node --cpu-prof`, fed `requests` genuine captures at concurrency 2 after a warm-up, stopped with
 * SIGTERM (which writes the profiles). Each JavaScript thread's CPU (main thread, face workers;
 * from /proc in a run without the profiler, see threadCpu.ts) is split by the stage shares of its own profile's self time
 * (ONNX Runtime runs its models on the calling worker thread, so model time is in the workers');
 * libuv's pool (the addon's open, decodes and forensics) and V8's platform threads (garbage
 * collection, compilers) are not profiled and are rows of their own. The rows add up to the
 * process's CPU per capture.
 * Run alone: `npx tsx bench/service/stageBreakdown.ts [requests]`.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { buildCapture } from "../../src/capture/index.js"
import { FRAME_HEIGHT, FRAME_WIDTH, framedFace, frontalFace } from "../../test/fixtures/face/faceFrames.js"
import { isMainThreadProfile, stageMillis } from "./CpuProfile.js"
import { drive, STEADY_WARM_UP } from "./Load.js"
import { startService } from "./ServiceProcess.js"
import { FACE_WORKERS, LIBUV_POOL, MAIN_THREAD, threadCpu, type ThreadRole, V8_PLATFORM } from "./threadCpu.js"

export interface StageBreakdown {
  readonly requests: number
  readonly processCpuMsPerCapture: number
  /** ms of CPU per capture, by thread and stage, largest first; they add up to `processCpuMsPerCapture`. */
  readonly stages: ReadonlyArray<readonly [string, number]>
}

/** Each stage's share of the busy (not idle) profiled time. */
const shares = (totals: Map<string, number>): Array<readonly [string, number]> => {
  const busy = [...totals].filter(([stage]) => !stage.startsWith("idle"))
  const sum = busy.reduce((acc, [, ms]) => acc + ms, 0)
  return busy.map(([stage, ms]) => [stage, sum === 0 ? 0 : ms / sum] as const)
}

export const stageBreakdown = async (requests = 150): Promise<StageBreakdown> => {
  // CPU by kind of thread from a service without the profiler (its sampling threads would count),
  // then the stage shares from a profiled service under the same load.
  const clean = await threadCpu(requests, 2)
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), "iad-prof-"))
  const service = await startService({ nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] })
  const frame = await framedFace(frontalFace, 300, FRAME_WIDTH / 2, FRAME_HEIGHT / 2)
  const capture = await buildCapture({ keysDir: service.keysDir, frames: [frame], burst: 3 })
  const url = `${service.url}/liveness/evaluate`
  await drive(url, capture, STEADY_WARM_UP, 2) // warm-up to the steady state (JIT, sessions, pools)
  const fromMicros = Number(process.hrtime.bigint() / 1000n)
  await drive(url, capture, requests, 2)
  const toMicros = Number(process.hrtime.bigint() / 1000n)
  await service.stop()
  // The profiles cover the whole life of the process: only samples inside the measured window count
  // (V8 stamps them with the monotonic clock that process.hrtime reads in this process too). A
  // profiler sample is wall time on a thread that is not idle, so only its shares are used.
  const window = { fromMicros, toMicros }
  const mainShares = shares(stageMillis(profileDir, window, isMainThreadProfile))
  const workerShares = shares(stageMillis(profileDir, window, (file) => !isMainThreadProfile(file)))
  if (process.env.KEEP_PROFILES === undefined) fs.rmSync(profileDir, { recursive: true, force: true })
  else console.log(`profiles kept in ${profileDir}`)
  const cpuOf = (role: ThreadRole) => clean.groups.find((g) => g.role === role)?.msPerCapture ?? 0
  const stages: Array<readonly [string, number]> = [
    ...mainShares.map(([stage, share]) => [`main thread: ${stage}`, share * cpuOf(MAIN_THREAD)] as const),
    ...workerShares.map(([stage, share]) => [`face workers: ${stage}`, share * cpuOf(FACE_WORKERS)] as const),
    [LIBUV_POOL, cpuOf(LIBUV_POOL)],
    [V8_PLATFORM, cpuOf(V8_PLATFORM)],
    ["other threads", cpuOf("other")]
  ]
  return { requests, processCpuMsPerCapture: clean.msPerCapture, stages: stages.filter(([, ms]) => ms >= 0.05).sort((a, b) => b[1] - a[1]) }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await stageBreakdown(Number(process.argv[2] ?? 150))
  console.log(`CPU per capture (whole process, /proc): ${result.processCpuMsPerCapture.toFixed(1)} ms over ${result.requests} captures`)
  for (const [stage, ms] of result.stages) console.log(`${ms.toFixed(2).padStart(8)} ms  ${stage}`)
}
