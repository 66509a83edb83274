/**
 * A face analyzer for testers. By default it answers what the best frame's script says
 * (src/infra/fake/FakeFrame.ts), and a usable face for a frame that is not scripted; a tester may
 * instead give a fixed report or a function of the frames.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { faceCodeFor } from "../../domain/EngineReasons.js"
import { FaceAnalysisError, FaceAnalyzer, type FaceReport } from "../../domain/FaceAnalyzer.js"
import { readFakeFrame } from "../fake/FakeFrame.js"

/** A usable face, as a default fake answer. */
export const usableFaceReport: FaceReport = { faceProbability: 0.95, problem: undefined, measurements: undefined }

type Answer = FaceReport | ((frames: ReadonlyArray<Uint8Array>, bestFrameIndex: number) => FaceReport)

const scripted = (frame: Uint8Array): Effect.Effect<FaceReport, FaceAnalysisError> =>
  Option.match(readFakeFrame(frame), {
    onNone: () => Effect.succeed(usableFaceReport),
    onSome: (script) =>
      Effect.sleep(Duration.millis(script.analysisMillis)).pipe(
        Effect.zipRight(
          script.analysisFails
            ? Effect.fail(new FaceAnalysisError({ kind: "ModelFailure", detail: "fake: scripted model failure" }))
            : Effect.succeed({
              faceProbability: script.faceProbability,
              problem: script.face === undefined ? undefined : faceCodeFor(script.face),
              measurements: undefined
            })
        )
      )
  })

export const fakeFaceAnalyzerLayer = (answer?: Answer): Layer.Layer<FaceAnalyzer> =>
  Layer.succeed(
    FaceAnalyzer,
    FaceAnalyzer.of({
      analyze: (frames, bestFrameIndex) => {
        const best = frames[bestFrameIndex]
        if (best === undefined) {
          return Effect.fail(new FaceAnalysisError({ kind: "NoFrames", detail: `best frame ${bestFrameIndex} of ${frames.length}` }))
        }
        if (answer === undefined) return scripted(best)
        return Effect.succeed(typeof answer === "function" ? answer(frames, bestFrameIndex) : answer)
      }
    })
  )
