/**
 * Where the service's CPU goes, from V8 CPU profiles of its own process (`node --cpu-prof`, one
 * file per thread: the main thread and each face worker), grouped into stages by the code each
 * sample's function belongs to. Self time only, so the stages add up to the whole profiled time.
 */
import * as fs from "node:fs"
import * as path from "node:path"

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string }
}

interface CpuProfile {
  /** Microseconds of the monotonic clock (CLOCK_MONOTONIC on Linux, as process.hrtime). */
  readonly startTime: number
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

/** Stage of a function, by where its code lives; the first rule that matches wins. */
const STAGES: ReadonlyArray<readonly [string, (url: string, name: string) => boolean]> = [
  ["idle (waiting for work)", (_url, name) => name === "(idle)"],
  ["garbage collection", (_url, name) => name === "(garbage collector)"],
  ["face models (ONNX Runtime)", (url) => url.includes("onnxruntime")],
  ["messages between threads (structured clone)", (url, name) => name === "postMessage" || url === "node:internal/worker" || url.includes("messageport")],
  ["face analysis (JS: crops, warps, checks)", (url) => /\/(src|dist)\/infra\/face\//.test(url)],
  ["image decode (sharp)", (url) => url.includes("/sharp/")],
  ["native engine and forensics (addon calls)", (url) => /\/(src|dist)\/infra\/native\//.test(url)],
  ["domain checks and verdict", (url) => /\/(src|dist)\/domain\//.test(url)],
  ["capture parsing (Schema)", (url) => url.includes("/effect/") && url.includes("Schema")],
  ["Effect runtime", (url) => url.includes("/effect/")],
  ["HTTP and multipart (platform, Node http)", (url) =>
    url.includes("@effect/platform") || url.includes("multipasta") || url.startsWith("node:_http") || url.startsWith("node:http")],
  ["service HTTP layer", (url) => /\/(src|dist)\/http\//.test(url)],
  ["logging", (url) => url.includes("Logger")],
  ["module loading and TypeScript (tsx)", (url) => url.includes("/tsx/") || url.includes("esbuild")],
  ["native code outside JS functions", (_url, name) => name === "(program)"],
  ["Node internals", (url) => url.startsWith("node:")],
  ["other", () => true]
]

const stageOf = (frame: ProfileNode["callFrame"]): string => STAGES.find(([, matches]) => matches(frame.url, frame.functionName))![0]

/** A span of the monotonic clock, in microseconds: `process.hrtime.bigint() / 1000n` in any process. */
export interface Window {
  readonly fromMicros: number
  readonly toMicros: number
}

/**
 * The JavaScript thread a profile file belongs to: Node names them
 * `CPU.<date>.<time>.<pid>.<thread id>.<sequence>.cpuprofile`, thread 0 being the main thread.
 */
export const isMainThreadProfile = (file: string): boolean => file.split(".")[4] === "0"

/**
 * Milliseconds of self time per stage, over the profiles in `dir` that `include` keeps (all by
 * default), counting samples inside `window`.
 */
export const stageMillis = (dir: string, window: Window, include: (file: string) => boolean = () => true): Map<string, number> => {
  const totals = new Map<string, number>()
  for (const file of fs.readdirSync(dir).filter((name) => name.endsWith(".cpuprofile") && include(name))) {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as CpuProfile
    const stageById = new Map(profile.nodes.map((node) => [node.id, stageOf(node.callFrame)]))
    let at = profile.startTime
    profile.samples.forEach((id, i) => {
      const delta = profile.timeDeltas[i] ?? 0
      at += delta
      if (at < window.fromMicros || at > window.toMicros) return
      const stage = stageById.get(id) ?? "other"
      totals.set(stage, (totals.get(stage) ?? 0) + delta / 1000)
    })
  }
  return totals
}
