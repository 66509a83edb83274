/**
 * How long the service takes to reach its steady state, and what an idle heap release costs
 * afterwards: a fresh service (as `npm start` runs it) gets genuine captures at concurrency 2 in
 * windows, and each window's CPU per capture of the whole process is read from /proc. Then the
 * service idles past its heap release (IdleMemoryTrim.ts) and gets windows again.
 *
 * Why: V8 compiles a function with TurboFan only once it has run enough bytecode, and most of the
 * thousands of functions a capture touches (Effect's runtime, the platform's HTTP stack, Schema)
 * run once or a few times a capture, so they reach it one by one over thousands of captures
 * (docs/performance.md, "What changed in round 8"). The service bench warms up by `STEADY_WARM_UP`
 * captures (Load.ts) on the strength of this curve.
 * Run: `npx tsx bench/service/warmUpCurve.ts [windows=16] [window=250] [windowsAfterRelease=6]`.
 */
import * as Duration from "effect/Duration"
import { buildCapture } from "../../src/capture/index.js"
import { HEAP_RELEASE_DELAY } from "../../src/infra/native/IdleMemoryTrim.js"
import { FRAME_HEIGHT, FRAME_WIDTH, framedFace, frontalFace } from "../../test/fixtures/face/faceFrames.js"
import { drive } from "./Load.js"
import { startService } from "./ServiceProcess.js"

export interface CurvePoint {
  /** Captures answered before this window ended, since the service started (or since the release). */
  readonly captures: number
  readonly cpuMsPerCapture: number
}

export interface WarmUpCurve {
  readonly fromStart: ReadonlyArray<CurvePoint>
  readonly afterIdleRelease: ReadonlyArray<CurvePoint>
}

export const warmUpCurve = async (windows = 16, window = 250, windowsAfterRelease = 6): Promise<WarmUpCurve> => {
  const service = await startService({ nodeFlags: (process.env.SERVICE_NODE_FLAGS ?? "").split(" ").filter((flag) => flag !== "") })
  try {
    const frame = await framedFace(frontalFace, 300, FRAME_WIDTH / 2, FRAME_HEIGHT / 2)
    const capture = await buildCapture({ keysDir: service.keysDir, frames: [frame], burst: 3 })
    const url = `${service.url}/liveness/evaluate`
    const curve = async (count: number): Promise<Array<CurvePoint>> => {
      const points: Array<CurvePoint> = []
      for (let w = 0; w < count; w++) {
        const before = service.cpuMillis()
        const load = await drive(url, capture, window, 2)
        if (load.statuses["200"] !== window) throw new Error(`bench captures not all answered 200: ${JSON.stringify(load.statuses)}`)
        points.push({ captures: (w + 1) * window, cpuMsPerCapture: (service.cpuMillis() - before) / window })
      }
      return points
    }
    const fromStart = await curve(windows)
    await new Promise((resolve) => setTimeout(resolve, Duration.toMillis(HEAP_RELEASE_DELAY) + 1500))
    const afterIdleRelease = await curve(windowsAfterRelease)
    return { fromStart, afterIdleRelease }
  } finally {
    await service.stop()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await warmUpCurve(Number(process.argv[2] ?? 16), Number(process.argv[3] ?? 250), Number(process.argv[4] ?? 6))
  const line = (points: ReadonlyArray<CurvePoint>) => points.map((p) => `${p.captures}: ${p.cpuMsPerCapture.toFixed(1)}`).join(", ")
  console.log(`CPU ms per capture by window (captures so far: ms), concurrency 2\nfrom start: ${line(result.fromStart)}`)
  console.log(`after the idle heap release: ${line(result.afterIdleRelease)}`)
}
