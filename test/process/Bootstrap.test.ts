/**
 * The service as `npm start` runs it (bin/iad-service.cjs), as a real process: `number_of_threads`
 * really sizes libuv's worker pool, the log says where it listens, and SIGTERM ends it cleanly.
 */
import { describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { makeTempDir } from "../support/TestServer.js"

const root = path.resolve(import.meta.dirname, "../..")

interface HeapTuning {
  readonly heapGrowingFlag: (execArgv: ReadonlyArray<string>, nodeOptions: string | undefined) => string | undefined
  readonly HEAP_GROWING_FLAG: string
}
const heapTuning = createRequire(import.meta.url)(path.join(root, "bin/v8-heap-tuning.cjs")) as HeapTuning

interface Started {
  readonly child: ChildProcess
  readonly url: string
}

/** Starts the service with the native engine and resolves once its log says it serves. */
const start = (numberOfThreads: number): Promise<Started> => {
  const dir = makeTempDir()
  const configPath = path.join(dir, "config.json")
  fs.writeFileSync(configPath, JSON.stringify({
    port: 0,
    address: "127.0.0.1",
    number_of_threads: numberOfThreads,
    keys_dir: path.join(dir, "keys"),
    engine_pool_size: 1
  }))
  const child = spawn(process.execPath, [path.join(root, "bin/iad-service.cjs")], {
    cwd: dir,
    env: { ...process.env, FACEPHI_IAD_CONFIG: configPath, UV_THREADPOOL_SIZE: undefined },
    stdio: ["ignore", "pipe", "pipe"]
  })
  return new Promise((resolve, reject) => {
    let log = ""
    let url: string | undefined
    const timer = setTimeout(() => reject(new Error(`no start within 60 s:\n${log}`)), 60_000)
    child.stdout!.on("data", (chunk: Buffer) => {
      log += chunk.toString()
      url ??= /Listening on (http:\/\/[\d.:]+)/.exec(log)?.[1]
      if (url !== undefined && log.includes("service started")) {
        clearTimeout(timer)
        resolve({ child, url })
      }
    })
    child.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()))
    child.once("exit", (code) => reject(new Error(`exited with ${code}:\n${log}`)))
  })
}

const threadsOf = (child: ChildProcess): number => fs.readdirSync(`/proc/${child.pid}/task`).length

const stop = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => {
    child.once("exit", (code) => resolve(code))
    child.kill("SIGTERM")
  })

describe("bin/iad-service.cjs", () => {
  it.skipIf(!fs.existsSync("/proc/self/task"))("number_of_threads sizes the worker pool; SIGTERM exits 0", async () => {
    const [one, six] = await Promise.all([start(1), start(6)])
    try {
      const health = await fetch(`${one.url}/api/v1/iad/health`)
      expect(health.status).toBe(200)
      // Same program, same work at startup: the only difference is the 5 extra pool threads.
      const extra = threadsOf(six.child) - threadsOf(one.child)
      expect(extra).toBeGreaterThanOrEqual(5)
      expect(extra).toBeLessThanOrEqual(6)
    } finally {
      const codes = await Promise.all([stop(one.child), stop(six.child)])
      expect(codes).toEqual([0, 0])
    }
  }, 90_000)
})

describe("bin/v8-heap-tuning.cjs", () => {
  it("sets the heap growing factor unless the operator gave one (command line or NODE_OPTIONS)", () => {
    const { HEAP_GROWING_FLAG, heapGrowingFlag } = heapTuning
    expect(HEAP_GROWING_FLAG).toBe("--heap-growing-percent=200")
    expect(heapGrowingFlag([], undefined)).toBe(HEAP_GROWING_FLAG)
    expect(heapGrowingFlag(["--max-old-space-size=512"], "--enable-source-maps")).toBe(HEAP_GROWING_FLAG)
    expect(heapGrowingFlag(["--heap-growing-percent=30"], undefined)).toBeUndefined()
    expect(heapGrowingFlag(["--heap_growing_percent=30"], undefined)).toBeUndefined()
    expect(heapGrowingFlag([], "--enable-source-maps --heap-growing-percent=50")).toBeUndefined()
    // A different flag that merely starts the same way is not the operator's choice.
    expect(heapGrowingFlag(["--heap-growing-percentage-typo"], undefined)).toBe(HEAP_GROWING_FLAG)
  })
})
