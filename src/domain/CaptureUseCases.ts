/**
 * The two capture use cases: evaluate (liveness verdict) and extract (best facial frame).
 * Order: license -> non-empty -> open (decrypt, parse) -> replay window -> analysis.
 * The replay check runs before any costly analysis.
 */
import { Effect } from "effect"
import { CaptureEngine, type Timed } from "./CaptureEngine.js"
import { EmptyCapture, FaceRejected, UnclassifiedFailure } from "./CaptureErrors.js"
import { LicenseGate } from "./LicenseGate.js"
import { clampProbability, roundForWire } from "./Liveness.js"
import { checkFreshness, type ReplayPolicy } from "./ReplayPolicy.js"
import { decideLiveness } from "./Verdict.js"

export interface CaptureSettings {
  readonly livenessThreshold: number
  readonly replay: ReplayPolicy
}

export interface Durations {
  readonly sdkDuration: number
  readonly queueDuration: number
}

const durationsOf = (...steps: ReadonlyArray<Timed<unknown>>): Durations => ({
  sdkDuration: Math.round(steps.reduce((sum, step) => sum + step.engineMillis, 0)),
  queueDuration: Math.round(steps.reduce((sum, step) => sum + step.queueMillis, 0))
})

const openFresh = (capture: Uint8Array, settings: CaptureSettings) =>
  Effect.gen(function*() {
    yield* Effect.flatMap(LicenseGate, (license) => license.check)
    if (capture.byteLength === 0) return yield* new EmptyCapture()
    const engine = yield* CaptureEngine
    const opened = yield* engine.open(capture)
    yield* checkFreshness(settings.replay, opened.value.capturedAt)
    yield* Effect.annotateCurrentSpan("captureId", opened.value.captureId)
    return { engine, opened }
  })

export const evaluateCapture = (capture: Uint8Array, settings: CaptureSettings) =>
  Effect.gen(function*() {
    const { engine, opened } = yield* openFresh(capture, settings)
    const assessed = yield* engine.assess(opened.value)
    const verdict = decideLiveness(assessed.value, settings.livenessThreshold)
    switch (verdict._tag) {
      case "FaceRejected":
        return yield* new FaceRejected({ message: verdict.message })
      case "Unclassified":
        return yield* new UnclassifiedFailure({ detail: verdict.detail })
      case "Answered":
        return {
          diagnostic: verdict.diagnostic,
          reason: verdict.reason,
          probability: verdict.probability,
          score: verdict.score,
          ...durationsOf(opened, assessed)
        }
    }
  })

export const extractBestFrame = (capture: Uint8Array, settings: CaptureSettings) =>
  Effect.gen(function*() {
    const { engine, opened } = yield* openFresh(capture, settings)
    const detected = yield* engine.detectFace(opened.value)
    const { bytes, mimeType } = opened.value.bestFrame
    return {
      image: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"),
      mimeType,
      faceProbability: roundForWire(clampProbability(detected.value.faceProbability)),
      ...durationsOf(opened, detected)
    }
  })
