/**
 * CPU per capture of each kind of thread of the service process, from /proc/<pid>/task/<tid>/stat
 * (Node does not name its threads, so they are told apart by creation order, checked by varying
 * UV_THREADPOOL_SIZE): the main thread (HTTP, Effect, the pipeline); V8's
 * platform threads, started with the process (garbage collection, compilers); libuv's pool, started
 * at its first use (the addon's open, decodes and forensics, sharp); the face workers, started
 * when the analyzer's pool starts (ONNX Runtime runs the models on them). The service runs as users
 * run it (`node bin/iad-service.cjs`, engine_pool_size 2) and gets a genuine 3-frame 1280x720
 * capture answered Live, after a warm-up.
 * Run: `npx tsx bench/service/threadCpu.ts [requests] [concurrency]`; SERVICE_NODE_FLAGS adds node flags.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import { buildCapture } from "../../src/capture/index.js"
import { FRAME_HEIGHT, FRAME_WIDTH, framedFace, frontalFace } from "../../test/fixtures/face/faceFrames.js"
import { drive, STEADY_WARM_UP } from "./Load.js"
import { startService } from "./ServiceProcess.js"

const TICKS_PER_SECOND = 100
/** Threads Node 20 starts before libuv's pool besides the main one and V8's platform workers. */
const NODE_HELPER_THREADS = 2
/** Node's default number of V8 platform workers, when no `--v8-pool-size` is given. */
const DEFAULT_V8_POOL_SIZE = 4

/** V8's platform workers for these node flags (the last `--v8-pool-size` counts). */
export const v8PoolSizeOf = (nodeFlags: ReadonlyArray<string>): number => {
  const sizes = nodeFlags.flatMap((flag) => /^--v8-pool-size=(\d+)$/.exec(flag)?.[1] ?? [])
  return sizes.length === 0 ? DEFAULT_V8_POOL_SIZE : Number(sizes[sizes.length - 1])
}
/** The bench service's engine_pool_size (ServiceProcess.ts): one face worker per engine. */
const FACE_WORKER_THREADS = 2

export interface ThreadTime {
  readonly ms: number
}

export interface ThreadCpu {
  readonly msPerCapture: number
  readonly groups: ReadonlyArray<{ readonly role: ThreadRole; readonly threads: number; readonly msPerCapture: number }>
}

export const MAIN_THREAD = "main thread (HTTP, Effect, pipeline)"
export const V8_PLATFORM = "V8 platform (garbage collection, compilers)"
export const LIBUV_POOL = "libuv pool (addon open, decodes, forensics; sharp)"
export const FACE_WORKERS = "face workers (ONNX Runtime models, face JavaScript)"
export type ThreadRole = typeof MAIN_THREAD | typeof V8_PLATFORM | typeof LIBUV_POOL | typeof FACE_WORKERS | "other"

/** Every thread's CPU so far (ms), by thread id. */
export const threadTimes = (pid: number): Map<string, ThreadTime> => {
  const out = new Map<string, ThreadTime>()
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8")
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      out.set(tid, { ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND })
    } catch {
      // the thread ended
    }
  }
  return out
}

/** CPU per capture of each kind of thread between two snapshots of the service's threads. */
export const cpuByRole = (
  pid: number,
  before: Map<string, ThreadTime>,
  after: Map<string, ThreadTime>,
  requests: number,
  v8PoolSize: number
): ThreadCpu["groups"] => {
  // Node creates its threads in a fixed order: the main thread, at start-up V8's platform workers
  // (`--v8-pool-size`) and two idle helpers, libuv's pool at its first use, then the face workers
  // when the analyzer's pool starts; thread ids grow in creation order.
  const startupThreads = v8PoolSize + NODE_HELPER_THREADS
  const order = [...after.keys()].filter((tid) => tid !== String(pid)).sort((a, b) => Number(a) - Number(b))
  const poolSize = Number(process.env.UV_THREADPOOL_SIZE ?? os.availableParallelism())
  const roleOf = (tid: string): ThreadRole => {
    if (tid === String(pid)) return MAIN_THREAD
    const i = order.indexOf(tid)
    if (i < startupThreads) return V8_PLATFORM
    if (i < startupThreads + poolSize) return LIBUV_POOL
    if (i < startupThreads + poolSize + FACE_WORKER_THREADS) return FACE_WORKERS
    return "other"
  }
  const groups = new Map<ThreadRole, { threads: number; ms: number }>()
  for (const [tid, t] of after) {
    const role = roleOf(tid)
    const entry = groups.get(role) ?? { threads: 0, ms: 0 }
    groups.set(role, { threads: entry.threads + 1, ms: entry.ms + t.ms - (before.get(tid)?.ms ?? 0) })
  }
  return [...groups].map(([role, g]) => ({ role, threads: g.threads, msPerCapture: g.ms / requests })).sort((a, b) => b.msPerCapture - a.msPerCapture)
}

export const threadCpu = async (requests = 200, concurrency = 1, nodeFlags: ReadonlyArray<string> = []): Promise<ThreadCpu> => {
  const service = await startService({ nodeFlags })
  try {
    const frame = await framedFace(frontalFace, 300, FRAME_WIDTH / 2, FRAME_HEIGHT / 2)
    const capture = await buildCapture({ keysDir: service.keysDir, frames: [frame], burst: 3 })
    const url = `${service.url}/liveness/evaluate`
    await drive(url, capture, STEADY_WARM_UP, 2) // warm-up to the steady state (JIT, sessions, pools)
    const before = threadTimes(service.pid)
    const totalBefore = service.cpuMillis()
    await drive(url, capture, requests, concurrency)
    const after = threadTimes(service.pid)
    const v8PoolSize = v8PoolSizeOf(nodeFlags)
    return { msPerCapture: (service.cpuMillis() - totalBefore) / requests, groups: cpuByRole(service.pid, before, after, requests, v8PoolSize) }
  } finally {
    await service.stop()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const requests = Number(process.argv[2] ?? 200)
  const concurrency = Number(process.argv[3] ?? 1)
  const flags = (process.env.SERVICE_NODE_FLAGS ?? "").split(" ").filter((f) => f !== "")
  const result = await threadCpu(requests, concurrency, flags)
  console.log(`whole process: ${result.msPerCapture.toFixed(1)} ms CPU per capture (${requests} captures, concurrency ${concurrency})`)
  for (const g of result.groups) console.log(`${g.msPerCapture.toFixed(2).padStart(7)} ms  ${g.role} (${g.threads} threads)`)
}
