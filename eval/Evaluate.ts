/**
 * Runs labelled captures through the real pipeline in-process (the native engine, its forensics
 * and the ONNX face analyzer, the domain's checks and verdict, as the service runs them) and tallies the answers in ISO/IEC 30107-3
 * terms: APCER per attack type (attacks answered Live), BPCER (bona fide answered anything else).
 */
import { Effect, Layer } from "effect"
import { join } from "node:path"
import { assessCapture } from "../src/domain/AssessCapture.js"
import { CaptureEngine } from "../src/domain/CaptureEngine.js"
import { type DetectionConfig, defaultDetectionConfig } from "../src/domain/DetectionConfig.js"
import { defaultConfig, type ServiceConfig } from "../src/domain/ServiceConfig.js"
import { decideLiveness } from "../src/domain/Verdict.js"
import { ortFaceAnalyzerLayer } from "../src/infra/face/OrtFaceAnalyzer.js"
import { nativeEngineLayer } from "../src/infra/native/NativeEngine.js"
import { nativeForensicsLayer } from "../src/infra/native/NativeForensics.js"
import { packageRoot } from "../src/infra/PackageRoot.js"
import { type Label, REVOKED_SDK_VERSIONS, type Sample } from "./Corpus.js"

export const evalDetection: DetectionConfig = { ...defaultDetectionConfig, revoked_sdk_versions: REVOKED_SDK_VERSIONS }

export const evalEngineLayer = (keysDir: string, poolSize: number) => {
  const config: ServiceConfig = { ...defaultConfig, keys_dir: keysDir, engine_pool_size: poolSize, detection: evalDetection }
  return Layer.mergeAll(
    nativeEngineLayer(config),
    nativeForensicsLayer,
    ortFaceAnalyzerLayer({ modelsDir: join(packageRoot, "models"), thresholds: config.face })
  )
}

/** The public answer: `Live`, a public reason (NoLive), a face message (400) or an error. */
export const answerOf = (bytes: Uint8Array, threshold = defaultConfig.liveness_threshold) =>
  Effect.gen(function*() {
    const engine = yield* CaptureEngine
    const opened = yield* engine.open(bytes)
    const assessed = yield* assessCapture(opened, evalDetection)
    const verdict = decideLiveness(assessed, threshold)
    switch (verdict._tag) {
      case "Answered":
        return verdict.diagnostic === "Live" ? "Live" : verdict.reason
      case "FaceRejected":
        return verdict.message
    }
  }).pipe(Effect.catchAll((error) => Effect.succeed(error._tag === "EngineFailure" ? `EngineFailure:${error.kind}` : error._tag)))

export interface Outcome {
  readonly label: Label
  readonly variant: string
  readonly answer: string
}

export interface Report {
  readonly outcomes: ReadonlyArray<Outcome>
  readonly seconds: number
}

export const evaluate = (samples: ReadonlyArray<Sample>, concurrency: number, onAnswered: (done: number) => void = () => {}) =>
  Effect.gen(function*() {
    const started = performance.now()
    let done = 0
    const outcomes = yield* Effect.forEach(
      samples,
      (sample) =>
        Effect.map(answerOf(sample.bytes), (answer): Outcome => {
          onAnswered(++done)
          return { label: sample.label, variant: sample.variant, answer }
        }),
      { concurrency }
    )
    return { outcomes, seconds: (performance.now() - started) / 1000 } satisfies Report
  })

/** Attack accepted: answered Live. Bona fide rejected: answered anything but Live. */
export const errorRate = (outcomes: ReadonlyArray<Outcome>, label: Label): { errors: number; total: number } => {
  const mine = outcomes.filter((o) => o.label === label)
  const errors = label === "BonaFide" ? mine.filter((o) => o.answer !== "Live").length : mine.filter((o) => o.answer === "Live").length
  return { errors, total: mine.length }
}
