/**
 * Face analysis cost per 1280x720 JPEG frame (median ms over repeated runs, one ORT thread):
 * the best frame (decode + detector + landmarks + eyes) and each further frame (decode + detector).
 * Run: `npx tsx bench/face.ts`; prints one JSON line per measure.
 */
import { Effect } from "effect"
import { FaceAnalyzer } from "../src/domain/FaceAnalyzer.js"
import { defaultFaceThresholds } from "../src/domain/FaceThresholds.js"
import { ortFaceAnalyzerLayer } from "../src/infra/face/OrtFaceAnalyzer.js"
import { FRAME_HEIGHT, FRAME_WIDTH, frontalFace, framedFace } from "../test/fixtures/face/faceFrames.js"

const RUNS = 40

const median = (values: Array<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

const timeIt = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    for (let i = 0; i < 5; i++) yield* effect // warm-up
    const samples: Array<number> = []
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now()
      yield* effect
      samples.push(performance.now() - start)
    }
    return median(samples)
  })

export const faceBench = Effect.gen(function* () {
  const analyzer = yield* FaceAnalyzer
  const frame = yield* Effect.promise(() => framedFace(frontalFace, 300, FRAME_WIDTH / 2, FRAME_HEIGHT / 2))
  const best = yield* timeIt(analyzer.analyze([frame], 0))
  const withOther = yield* timeIt(analyzer.analyze([frame, frame], 0))
  return {
    bestFrameMs: Number(best.toFixed(2)),
    otherFrameMs: Number((withOther - best).toFixed(2))
  }
}).pipe(Effect.provide(ortFaceAnalyzerLayer({ thresholds: defaultFaceThresholds })))

if (import.meta.url === `file://${process.argv[1]}`) {
  Effect.runPromise(faceBench).then((r) => {
    console.log(JSON.stringify({ measure: "face analysis, best 1280x720 frame, median ms", value: r.bestFrameMs }))
    console.log(JSON.stringify({ measure: "face analysis, each further 1280x720 frame, median ms", value: r.otherFrameMs }))
  })
}
