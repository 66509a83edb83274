/**
 * How much TurboFan keeps recompiling in the service's steady state, and which functions: the
 * service runs as `npm start` runs it, with `--perf-basic-prof` (V8 writes a line to
 * /tmp/perf-<pid>.map for every code object it makes; "JS:*" marks optimized code), is warmed up
 * with 400 captures, and then gets windows of 200 captures at concurrency 2. Printed: the optimized
 * code objects made in each window, and the functions (file:line:column) made most often. A function
 * that keeps reappearing window after window is being recompiled, not warming up
 * (docs/performance.md, "What is left").
 * Run: `npx tsx bench/service/recompiles.ts [windows=6]`. Not part of `npm run bench` (the map
 * file grows by megabytes).
 */
import * as fs from "node:fs"
import { buildCapture } from "../../src/capture/index.js"
import { FRAME_HEIGHT, FRAME_WIDTH, framedFace, frontalFace } from "../../test/fixtures/face/faceFrames.js"
import { drive } from "./Load.js"
import { startService } from "./ServiceProcess.js"

const WARM_UP = 400
const WINDOW = 200

const windows = Number(process.argv[2] ?? 6)
const service = await startService({ nodeFlags: ["--perf-basic-prof"] })
const mapFile = `/tmp/perf-${service.pid}.map`
try {
  const frame = await framedFace(frontalFace, 300, FRAME_WIDTH / 2, FRAME_HEIGHT / 2)
  const capture = await buildCapture({ keysDir: service.keysDir, frames: [frame], burst: 3 })
  const url = `${service.url}/liveness/evaluate`
  /** Every optimized code object so far, as "name file:line:column", in the order V8 made them. */
  const optimized = () =>
    fs
      .readFileSync(mapFile, "utf8")
      .split("\n")
      .filter((line) => line.includes(" JS:*"))
      .map((line) => line.split(" ").slice(2).join(" ").replace(`file://${process.cwd()}/`, ""))
  await drive(url, capture, WARM_UP, 2)
  let seen = optimized().length
  const byFunction = new Map<string, Array<number>>()
  for (let w = 0; w < windows; w++) {
    await drive(url, capture, WINDOW, 2)
    const all = optimized()
    const fresh = all.slice(seen)
    seen = all.length
    for (const name of fresh) {
      const counts = byFunction.get(name) ?? new Array<number>(windows).fill(0)
      counts[w]! += 1
      byFunction.set(name, counts)
    }
    console.log(`captures ${WARM_UP + w * WINDOW + 1}-${WARM_UP + (w + 1) * WINDOW}: ${fresh.length} optimized code objects`)
  }
  const total = (counts: ReadonlyArray<number>) => counts.reduce((a, b) => a + b, 0)
  console.log("most often made (per window, then the function):")
  for (const [name, counts] of [...byFunction].sort((a, b) => total(b[1]) - total(a[1])).slice(0, 30)) {
    console.log(`  ${counts.join(" ")}  ${name}`)
  }
} finally {
  await service.stop()
  fs.rmSync(mapFile, { force: true })
}
