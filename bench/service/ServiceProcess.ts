/**
 * The service as users run it, in its own process: `node bin/iad-service.cjs` (what `npm start`
 * runs) on a free loopback port with a temp config, and its CPU time and memory read from /proc
 * (all its threads: the event loop, libuv's pool, the face workers, ONNX Runtime's threads).
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"

const repoRoot = path.resolve(import.meta.dirname, "../..")
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100

export interface ServiceProcess {
  readonly url: string
  readonly pid: number
  readonly keysDir: string
  /** User + system CPU of the whole process so far, ms. */
  readonly cpuMillis: () => number
  /** Resident set size now, MiB. */
  readonly rssMiB: () => number
  readonly stop: () => Promise<void>
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))))
    })
  })

/** User + system CPU of process `pid` so far, ms. */
export const cpuMillisOf = (pid: number): number => {
  // Fields after the command name (which may hold spaces): utime is the 14th field, stime the 15th.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
}

const rssMiBOf = (pid: number): number => {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))
  return match === null ? Number.NaN : Number(match[1]) / 1024
}

const waitHealthy = async (url: string, child: ChildProcess, output: () => string): Promise<void> => {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}: ${output()}`)
    try {
      const response = await fetch(`${url}/health`)
      if (response.status === 200) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`service not healthy after 60 s: ${output()}`)
}

export interface ServiceOptions {
  readonly config?: Record<string, unknown>
  readonly env?: Record<string, string>
  /** Extra node flags, e.g. `--cpu-prof`. */
  readonly nodeFlags?: ReadonlyArray<string>
  readonly cwd?: string
}

export const startService = async (options: ServiceOptions = {}): Promise<ServiceProcess> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iad-bench-"))
  const port = await freePort()
  const keysDir = path.join(dir, "keys")
  const configPath = path.join(dir, "config.json")
  fs.writeFileSync(configPath, JSON.stringify({
    port,
    address: "127.0.0.1",
    keys_dir: keysDir,
    engine_pool_size: 2,
    engine_queue_timeout: 60,
    log: { log_path: "", log_level: "WARN", log_size_limit: 1048576 },
    ...options.config
  }))
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), path.join(repoRoot, "bin/iad-service.cjs")], {
    cwd: options.cwd ?? dir,
    env: { ...process.env, FACEPHI_IAD_CONFIG: configPath, ...options.env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)))
  child.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)))
  const url = `http://127.0.0.1:${port}/api/v1/iad`
  await waitHealthy(url, child, () => output)
  const pid = child.pid!
  return {
    url,
    pid,
    keysDir,
    cpuMillis: () => cpuMillisOf(pid),
    rssMiB: () => rssMiBOf(pid),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once("exit", () => resolve())
        child.kill("SIGTERM")
      })
  }
}
