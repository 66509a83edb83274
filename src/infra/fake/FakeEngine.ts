/**
 * The fake engine: a `CaptureEngine` Layer for testers and integrators. It reads captures as
 * `FakeCaptureDocument` JSON (or through a script of the tester's own) and answers what they
 * state, speaking the engine's private vocabulary so that the whole public mapping is exercised.
 * It runs behind the same bounded pool as the native engine.
 */
import { Clock, Duration, Effect, Layer, Schema } from "effect"
import {
  CaptureEngine,
  EngineFailure,
  type EngineAssessment,
  type OpenedCapture
} from "../../domain/CaptureEngine.js"
import { faceCodeFor, rejectionCodeFor } from "../../domain/EngineReasons.js"
import { FaceMessage, PublicReason } from "../../domain/PublicMessages.js"
import { type EngineInstance, makeEnginePool } from "../EnginePool.js"
import { DEFAULT_FAKE_JPEG_BASE64, FakeCaptureDocument } from "./FakeCaptureDocument.js"

/** Private code the fake sends for the `Unknown` outcome: deliberately absent from the mapping. */
export const UNMAPPED_ENGINE_REASON = "FAKE_UNMAPPED_REASON"

/** Turns uploaded bytes into the document that scripts the outcome. */
export type FakeScript = (capture: Uint8Array) => Effect.Effect<FakeCaptureDocument, EngineFailure>

const decodeDocument = Schema.decodeUnknown(Schema.parseJson(FakeCaptureDocument))

/** Default script: the capture is a JSON `FakeCaptureDocument`; anything else is malformed. */
export const jsonDocumentScript: FakeScript = (capture) =>
  decodeDocument(new TextDecoder().decode(capture)).pipe(
    Effect.mapError((error) => new EngineFailure({ kind: "Malformed", detail: `not a fake capture document: ${error.message}` }))
  )

const isFaceMessage = Schema.is(FaceMessage)
const isPublicReason = Schema.is(PublicReason)

const assessmentOf = (document: FakeCaptureDocument): EngineAssessment => {
  const { outcome } = document
  const faceProblem = isFaceMessage(outcome) ? faceCodeFor(outcome) : undefined
  const reasonCode = document.engineReason ??
    (outcome === "Unknown"
      ? UNMAPPED_ENGINE_REASON
      : isPublicReason(outcome)
      ? rejectionCodeFor(outcome)
      : undefined)
  const rejected = reasonCode !== undefined
  return {
    probability: document.probability ?? (rejected ? 0.02 : 0.97),
    reasons: reasonCode === undefined ? [] : [reasonCode],
    faceProblem,
    faceProbability: document.faceProbability
  }
}

interface FakeState {
  readonly document: FakeCaptureDocument
}

const documentOf = (capture: OpenedCapture): FakeCaptureDocument => (capture.engineState as FakeState).document

const simulateWork = (document: FakeCaptureDocument) =>
  document.engineMillis > 0 ? Effect.sleep(Duration.millis(document.engineMillis)) : Effect.void

const failsInAnalysis = (document: FakeCaptureDocument): boolean =>
  document.outcome === "ErrorProcessing" || document.outcome === "ErrorFacialImage"

/** One analysis call: the simulated engine time, then the scripted failure or the answer. */
const analysisStep = <A>(document: FakeCaptureDocument, answer: (document: FakeCaptureDocument) => A) =>
  simulateWork(document).pipe(
    Effect.zipRight(
      failsInAnalysis(document)
        ? Effect.fail(new EngineFailure({ kind: "Internal", detail: "fake: scripted analysis failure" }))
        : Effect.sync(() => answer(document))
    )
  )

const makeInstance = (script: FakeScript): EngineInstance => ({
  open: (capture) =>
    Effect.gen(function*() {
      const document = yield* script(capture)
      yield* simulateWork(document)
      if (document.outcome === "NoneBecauseImageDataError") {
        return yield* new EngineFailure({ kind: "Undecryptable", detail: "fake: scripted decrypt failure" })
      }
      if (document.outcome === "NoneBecauseLicenseError") {
        return yield* new EngineFailure({ kind: "LicenseRejected", detail: "fake: scripted license rejection" })
      }
      const now = yield* Clock.currentTimeMillis
      return {
        captureId: "fake",
        capturedAt: document.capturedAt ?? now,
        bestFrame: {
          bytes: Buffer.from(document.image ?? DEFAULT_FAKE_JPEG_BASE64, "base64"),
          mimeType: document.mimeType
        },
        engineState: { document } satisfies FakeState
      } satisfies OpenedCapture
    }),
  assess: (capture) => analysisStep(documentOf(capture), assessmentOf),
  detectFace: (capture) => analysisStep(documentOf(capture), (document) => ({ faceProbability: document.faceProbability }))
})

export interface FakeEngineOptions {
  /** Instances in the pool (bounds concurrency like `engine_pool_size`). Default 2. */
  readonly size?: number
  /** Longest wait for a free instance before `EngineBusy`. Default 10 seconds. */
  readonly queueTimeout?: Duration.DurationInput
  /** How captures become outcomes. Default: JSON `FakeCaptureDocument`. */
  readonly script?: FakeScript
}

export const fakeEngineLayer = (options: FakeEngineOptions = {}): Layer.Layer<CaptureEngine> =>
  Layer.scoped(
    CaptureEngine,
    makeEnginePool(Effect.succeed(makeInstance(options.script ?? jsonDocumentScript)), {
      name: "fake",
      size: options.size ?? 2,
      queueTimeout: options.queueTimeout ?? Duration.seconds(10)
    })
  )
