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
import { drive } from "./Load.js"
import { startService } from "./ServiceProcess.js"

const TICKS_PER_SECOND = 100
/** Threads Node 20 starts before libuv's pool besides the main one (4 V8 platform workers, 2 idle). */
const NODE_STARTUP_THREADS = 6
/** The bench service's engine_pool_size (ServiceProcess.ts): one face worker per engine. */
const FACE_WORKERS = 2

interface ThreadTime {
  readonly ms: number
}

const threadTimes = (pid: number): Map<string, ThreadTime> => {
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

export interface ThreadCpu {
  readonly msPerCapture: number
  readonly groups: ReadonlyArray<{ readonly role: string; readonly threads: number; readonly msPerCapture: number }>
}


export const threadCpu = async (requests = 200, concurrency = 1, nodeFlags: ReadonlyArray<string> = []): Promise<ThreadCpu> => {
  const service = await startService({ nodeFlags })
  try {
    const frame = await framedFace(frontalFace, 300, FRAME_WIDTH / 2, FRAME_HEIGHT / 2)
    const capture = await buildCapture({ keysDir: service.keysDir, frames: [frame], burst: 3 })
    const url = `${service.url}/liveness/evaluate`
    await drive(url, capture, 100, 2) // warm-up to the steady state (JIT, sessions, pools)
    const before = threadTimes(service.pid)
    const totalBefore = service.cpuMillis()
    await drive(url, capture, requests, concurrency)
    const after = threadTimes(service.pid)
    const total = (service.cpuMillis() - totalBefore) / requests
    // Node creates its threads in a fixed order: the main thread, 6 at start-up (V8's 4 platform
    // workers and two idle helpers), libuv's pool at its first use, then the face workers when the
    // analyzer's pool starts; thread ids grow in creation order.
    const order = [...after.keys()].filter((tid) => tid !== String(service.pid)).sort((a, b) => Number(a) - Number(b))
    const poolSize = Number(process.env.UV_THREADPOOL_SIZE ?? os.availableParallelism())
    const roleOf = (tid: string): string => {
      if (tid === String(service.pid)) return "main thread (HTTP, Effect, pipeline)"
      const i = order.indexOf(tid)
      if (i < NODE_STARTUP_THREADS) return "V8 platform (garbage collection, compilers)"
      if (i < NODE_STARTUP_THREADS + poolSize) return "libuv pool (addon open, decodes, forensics; sharp)"
      if (i < NODE_STARTUP_THREADS + poolSize + FACE_WORKERS) return "face workers (ONNX Runtime models, face JavaScript)"
      return "other"
    }
    const groups = new Map<string, { threads: number; ms: number }>()
    for (const [tid, t] of after) {
      const spent = t.ms - (before.get(tid)?.ms ?? 0)
      const role = roleOf(tid)
      const entry = groups.get(role) ?? { threads: 0, ms: 0 }
      groups.set(role, { threads: entry.threads + 1, ms: entry.ms + spent })
    }
    return {
      msPerCapture: total,
      groups: [...groups].map(([role, g]) => ({ role, threads: g.threads, msPerCapture: g.ms / requests })).sort((a, b) => b.msPerCapture - a.msPerCapture)
    }
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
