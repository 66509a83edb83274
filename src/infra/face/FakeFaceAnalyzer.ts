/** A face analyzer for testers: answers a chosen report (or one computed from the frames). */
import { Effect, Layer } from "effect"
import { FaceAnalysisError, FaceAnalyzer, type FaceReport } from "../../domain/FaceAnalyzer.js"

/** A usable face, as a default fake answer. */
export const usableFaceReport: FaceReport = { faceProbability: 0.95, problem: undefined, measurements: undefined }

export const fakeFaceAnalyzerLayer = (
  answer: FaceReport | ((frames: ReadonlyArray<Uint8Array>, bestFrameIndex: number) => FaceReport) = usableFaceReport
): Layer.Layer<FaceAnalyzer> =>
  Layer.succeed(
    FaceAnalyzer,
    FaceAnalyzer.of({
      analyze: (frames, bestFrameIndex) =>
        frames[bestFrameIndex] === undefined
          ? Effect.fail(new FaceAnalysisError({ kind: "NoFrames", detail: `best frame ${bestFrameIndex} of ${frames.length}` }))
          : Effect.succeed(typeof answer === "function" ? answer(frames, bestFrameIndex) : answer)
    })
  )
