/**
 * The service as `npm start` runs it (bin/iad-service.cjs), as its own process, optionally under
 * `prlimit` (to give it a small file-descriptor limit). For what only a real process shows: its
 * RSS, its descriptor limit, signals.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { makeTempDir } from "./TestServer.js"

const root = path.resolve(import.meta.dirname, "../..")

export interface ServiceProcess {
  readonly child: ChildProcess
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string
  readonly log: () => string
  readonly stop: () => Promise<number | null>
}

export const startServiceProcess = (
  config: Record<string, unknown>,
  options: { readonly openFiles?: number } = {}
): Promise<ServiceProcess> => {
  const dir = makeTempDir()
  const configPath = path.join(dir, "config.json")
  fs.writeFileSync(configPath, JSON.stringify({
    port: 0,
    address: "127.0.0.1",
    engine: "fake",
    keys_dir: path.join(dir, "keys"),
    ...config
  }))
  const node = [process.execPath, path.join(root, "bin/iad-service.cjs")]
  const command = options.openFiles === undefined ? node : ["prlimit", `--nofile=${options.openFiles}`, "--", ...node]
  const child = spawn(command[0]!, command.slice(1), {
    cwd: dir,
    env: { ...process.env, FACEPHI_IAD_CONFIG: configPath },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let log = ""
  const stop = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode)
      child.once("exit", (code) => resolve(code))
      child.kill("SIGTERM")
    })
  return new Promise((resolve, reject) => {
    let origin: string | undefined
    const timer = setTimeout(() => reject(new Error(`no start within 60 s:\n${log}`)), 60_000)
    child.stdout!.on("data", (chunk: Buffer) => {
      log += chunk.toString()
      origin ??= /Listening on (http:\/\/[\d.:]+)/.exec(log)?.[1]
      if (origin !== undefined && log.includes("service started")) {
        clearTimeout(timer)
        resolve({ child, origin, log: () => log, stop })
      }
    })
    child.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()))
    child.once("exit", (code) => reject(new Error(`exited with ${code}:\n${log}`)))
  })
}

/** Resident set size of a process, bytes (from /proc/<pid>/status). */
export const rssOf = (pid: number): number => {
  const kib = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]
  return Number(kib) * 1024
}

export const openDescriptorsOf = (pid: number): number => fs.readdirSync(`/proc/${pid}/fd`).length
