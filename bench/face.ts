/**
 * Face analysis cost per 1280x720 JPEG frame (median over repeated runs, one ORT thread): the best
 * frame (decode + detector + landmarks + eyes) and each further frame (decode + detector), in wall
 * ms and in CPU ms of this process (`process.cpuUsage`: steadier than wall time on a shared machine).
 * The further frame is a different picture of the same face: identical bytes would be counted once.
 * Run: `npx tsx bench/face.ts`; prints one JSON line per measure.
 */
import { Effect } from "effect"
import { FaceAnalyzer } from "../src/domain/FaceAnalyzer.js"
import { defaultFaceThresholds } from "../src/domain/FaceThresholds.js"
import { ortFaceAnalyzerLayer } from "../src/infra/face/OrtFaceAnalyzer.js"
import { FRAME_HEIGHT, FRAME_WIDTH, frontalFace, framedFace, framedFaceOverPhoto } from "../test/fixtures/face/faceFrames.js"

const RUNS = 80

const median = (values: Array<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/**
 * Median wall and CPU ms of each effect, after a warm-up. The effects take turns within every
 * round, so a slow spell of this shared machine weighs on all of them alike.
 */
const timeEach = <A, E, R>(effects: ReadonlyArray<Effect.Effect<A, E, R>>) =>
  Effect.gen(function* () {
    for (let i = 0; i < 5; i++) for (const effect of effects) yield* effect
    const wall: Array<Array<number>> = effects.map(() => [])
    const cpu: Array<Array<number>> = effects.map(() => [])
    for (let i = 0; i < RUNS; i++) {
      for (const [k, effect] of effects.entries()) {
        const start = performance.now()
        const startCpu = process.cpuUsage()
        yield* effect
        const used = process.cpuUsage(startCpu)
        wall[k]!.push(performance.now() - start)
        cpu[k]!.push((used.user + used.system) / 1000)
      }
    }
    return effects.map((_, k): Timing => ({ wall: median(wall[k]!), cpu: median(cpu[k]!) }))
  })

const round = (ms: number): number => Number(ms.toFixed(2))

interface Timing {
  readonly wall: number
  readonly cpu: number
}

/** Best frame and further frame (CPU and wall ms) of one kind of frame, from interleaved timings. */
const summary = (best: { wall: number; cpu: number }, withOther: { wall: number; cpu: number }) => {
  const otherCpu = withOther.cpu - best.cpu
  return {
    bestFrameMs: round(best.wall),
    otherFrameMs: round(withOther.wall - best.wall),
    bestFrameCpuMs: round(best.cpu),
    otherFrameCpuMs: round(otherCpu),
    /** Per frame of a 3-frame burst (the capture SDK's usual): the best frame and two further ones. */
    burstCpuMsPerFrame: round((best.cpu + 2 * otherCpu) / 3)
  }
}

/**
 * Two kinds of frame: the face on black (the test fixtures; little for JPEG to encode) and the
 * same face over a photo background (as detailed as a real capture, 135 KiB at quality 90).
 */
export const faceBench = Effect.gen(function* () {
  const analyzer = yield* FaceAnalyzer
  const onBlack = yield* Effect.promise(() => framedFace(frontalFace, 300, FRAME_WIDTH / 2, FRAME_HEIGHT / 2))
  const onBlackOther = yield* Effect.promise(() => framedFace(frontalFace, 310, FRAME_WIDTH / 2 + 10, FRAME_HEIGHT / 2))
  const onPhoto = yield* Effect.promise(() => framedFaceOverPhoto(frontalFace, 300, FRAME_WIDTH / 2, FRAME_HEIGHT / 2))
  const onPhotoOther = yield* Effect.promise(() => framedFaceOverPhoto(frontalFace, 310, FRAME_WIDTH / 2 + 10, FRAME_HEIGHT / 2))
  const [a, b, c, d] = (yield* timeEach([
    analyzer.analyze([onBlack], 0),
    analyzer.analyze([onBlack, onBlackOther], 0),
    analyzer.analyze([onPhoto], 0),
    analyzer.analyze([onPhoto, onPhotoOther], 0)
  ])) as [Timing, Timing, Timing, Timing]
  return { ...summary(a, b), onPhoto: summary(c, d) }
}).pipe(Effect.provide(ortFaceAnalyzerLayer({ thresholds: defaultFaceThresholds })))

if (import.meta.url === `file://${process.argv[1]}`) {
  Effect.runPromise(faceBench).then((r) => {
    console.log(JSON.stringify({ measure: "face analysis, best 1280x720 frame, median ms", value: r.bestFrameMs }))
    console.log(JSON.stringify({ measure: "face analysis, each further 1280x720 frame, median ms", value: r.otherFrameMs }))
    console.log(JSON.stringify({ measure: "face analysis, best 1280x720 frame, median CPU ms", value: r.bestFrameCpuMs }))
    console.log(JSON.stringify({ measure: "face analysis, each further 1280x720 frame, median CPU ms", value: r.otherFrameCpuMs }))
    console.log(JSON.stringify({ measure: "face analysis, 3-frame burst, CPU ms per frame", value: r.burstCpuMsPerFrame }))
    console.log(JSON.stringify({ measure: "face over a photo background, best frame, median CPU ms", value: r.onPhoto.bestFrameCpuMs }))
    console.log(JSON.stringify({ measure: "face over a photo background, each further frame, median CPU ms", value: r.onPhoto.otherFrameCpuMs }))
    console.log(JSON.stringify({ measure: "face over a photo background, 3-frame burst, CPU ms per frame", value: r.onPhoto.burstCpuMsPerFrame }))
  })
}
