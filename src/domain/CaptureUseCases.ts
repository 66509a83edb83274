/**
 * The two capture use cases: evaluate (liveness verdict) and extract (best facial frame).
 * Order: license -> non-empty -> open (decrypt, parse) -> replay (window, then the capture id
 * counts once) -> session (web captures: token MAC, expiry, single use; Sessions.ts) -> analysis.
 * The replay and session checks run before any costly analysis. Opening and analysis each run in an engine slot (`EngineCapacity`), which also times them for `queueDuration` and `sdkDuration`; an evaluation's face analysis runs in the capacity's second stage, handed over from the engine slot.
 */
import * as Effect from "effect/Effect"
import { detectFace, finishAssessment, screenCapture } from "./AssessCapture.js"
import { CaptureEngine } from "./CaptureEngine.js"
import { countFaceRejection, countReplayStoreError, countVerdict } from "./CaptureMetrics.js"
import { EmptyCapture, FaceRejected } from "./CaptureErrors.js"
import type { DetectionConfig } from "./DetectionConfig.js"
import { EngineCapacity, type Timed } from "./EngineCapacity.js"
import { LicenseGate } from "./LicenseGate.js"
import { clampProbability, roundForWire } from "./Liveness.js"
import { checkReplay, type ReplayPolicy } from "./ReplayPolicy.js"
import { checkCaptureSession } from "./Sessions.js"
import { decideLiveness } from "./Verdict.js"

export interface CaptureSettings {
  readonly livenessThreshold: number
  readonly replay: ReplayPolicy
  readonly detection: DetectionConfig
}

export interface Durations {
  readonly sdkDuration: number
  readonly queueDuration: number
}

const durationsOf = (...steps: ReadonlyArray<Timed<unknown>>): Durations => ({
  sdkDuration: Math.round(steps.reduce((sum, step) => sum + step.engineMillis, 0)),
  queueDuration: Math.round(steps.reduce((sum, step) => sum + step.queueMillis, 0))
})

/** A span around one engine-slot step, saying how long it queued and worked. */
const stepSpan = (name: string) => <A, E, R>(step: Effect.Effect<Timed<A>, E, R>) =>
  step.pipe(
    Effect.tap(({ engineMillis, queueMillis }) => Effect.annotateCurrentSpan({ queueMillis, engineMillis })),
    Effect.withSpan(name)
  )

const openFresh = (capture: Uint8Array, settings: CaptureSettings) =>
  Effect.gen(function*() {
    yield* Effect.flatMap(LicenseGate, (license) => license.check).pipe(Effect.withSpan("capture.license"))
    if (capture.byteLength === 0) return yield* new EmptyCapture()
    const capacity = yield* EngineCapacity
    const engine = yield* CaptureEngine
    const opened = yield* capacity.run(engine.open(capture)).pipe(stepSpan("capture.open"))
    yield* checkReplay(settings.replay, opened.value).pipe(
      Effect.tapErrorTag("ReplayStoreUnavailable", () => countReplayStoreError),
      Effect.withSpan("capture.replay")
    )
    const session = yield* checkCaptureSession(opened.value).pipe(
      Effect.tapErrorTag("ReplayStoreUnavailable", () => countReplayStoreError),
      Effect.withSpan("capture.session")
    )
    yield* Effect.annotateCurrentSpan("captureId", opened.value.captureId)
    return { capacity, opened, session }
  })

export const evaluateCapture = (capture: Uint8Array, settings: CaptureSettings) =>
  Effect.gen(function*() {
    const { capacity, opened, session } = yield* openFresh(capture, settings)
    // The face analysis is the second stage: the next capture's forensics overlap it (EngineCapacity.ts).
    const assessed = yield* capacity.runInStages(screenCapture(opened.value, settings.detection, session), finishAssessment).pipe(
      stepSpan("capture.assess")
    )
    const verdict = decideLiveness(assessed.value, settings.livenessThreshold)
    switch (verdict._tag) {
      case "FaceRejected":
        yield* countFaceRejection(verdict.message)
        return yield* new FaceRejected({ message: verdict.message })
      case "Answered":
        yield* countVerdict(verdict.diagnostic, verdict.reason)
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
    const { capacity, opened } = yield* openFresh(capture, settings)
    const detected = yield* capacity.run(detectFace(opened.value)).pipe(stepSpan("capture.detect"))
    const { bytes, mimeType } = opened.value.bestFrame
    return {
      image: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"),
      mimeType,
      faceProbability: roundForWire(clampProbability(detected.value)),
      ...durationsOf(opened, detected)
    }
  })
