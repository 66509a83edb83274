/**
 * The native engine behind the `CaptureEngine` port: `engine_pool_size` C++ `Engine` instances in
 * a bounded pool (src/infra/EnginePool.ts). Each instance owns its copy of the keys.
 */
import { Data, Duration, Effect, Layer, Schema } from "effect"
import { CaptureContents, IntegrityFacts } from "../../capture/CaptureContents.js"
import { environmentSignals } from "../../capture/CaptureFormat.js"
import { CaptureEngine, EngineFailure, type OpenedCapture } from "../../domain/CaptureEngine.js"
import { FaceAnalysisError, FaceAnalyzer, type FaceAnalyzerShape } from "../../domain/FaceAnalyzer.js"
import { integrityVerdict } from "../../domain/IntegrityVerdict.js"
import type { ServiceConfig } from "../../domain/ServiceConfig.js"
import { type EngineInstance, makeEnginePool } from "../EnginePool.js"
import { loadNativeAddon, type NativeAddon, type NativeEngineHandle, type NativeOpened } from "./NativeAddon.js"
import { failureKindOf } from "./NativeFailures.js"
import { ensureEngineKeys } from "./NativeKeys.js"

export class NativeEngineStartupError extends Data.TaggedError("NativeEngineStartupError")<{
  readonly message: string
}> {}

const decodeContents = Schema.decodeUnknown(CaptureContents)
const decodeIntegrity = Schema.decodeUnknown(IntegrityFacts)

/** `engineState` of captures opened by this engine. */
class NativeState {
  constructor(readonly opened: NativeOpened) {}
}

const internal = (detail: string) => new EngineFailure({ kind: "Internal", detail })

export const openWith = (handle: NativeEngineHandle, bytes: Uint8Array): Effect.Effect<OpenedCapture, EngineFailure> =>
  Effect.gen(function*() {
    const result = yield* Effect.tryPromise({
      try: () => handle.open(bytes),
      catch: (cause) => internal(`native open threw: ${String(cause)}`)
    })
    if (!result.ok) {
      return yield* new EngineFailure({
        kind: failureKindOf(result.codeName),
        detail: `${result.codeName}${result.tag === 0 ? "" : ` (tag 0x${result.tag.toString(16).padStart(4, "0")})`}`
      })
    }
    const contents = yield* Effect.mapError(decodeContents(result.capture), (e) => internal(`addon result: ${e.message}`))
    const integrity = yield* Effect.mapError(decodeIntegrity(result.integrity), (e) => internal(`addon result: ${e.message}`))
    const best = contents.frames[contents.bestFrame]
    if (best === undefined) return yield* internal("best frame index out of range after parsing")
    return {
      captureId: contents.captureId,
      capturedAt: contents.createdAt,
      bestFrame: { bytes: best.jpeg, mimeType: "image/jpeg" },
      engineState: new NativeState({ contents, integrity })
    } satisfies OpenedCapture
  })

const stateOf = (capture: OpenedCapture): Effect.Effect<NativeOpened, EngineFailure> =>
  capture.engineState instanceof NativeState
    ? Effect.succeed(capture.engineState.opened)
    : Effect.fail(internal("capture was not opened by the native engine"))

/**
 * Face analysis failures as engine outcomes. A frame that does not decode inside an authentic,
 * decrypted capture means the payload is corrupted: that is a verdict, not an error.
 */
const faceFailure = (error: FaceAnalysisError): EngineFailure =>
  new EngineFailure({ kind: error.kind === "UndecodableFrame" ? "Malformed" : "Internal", detail: `face analysis: ${error.detail}` })

const CORRUPTED_PAYLOAD_PROBABILITY = 0.01

const instanceOf = (handle: NativeEngineHandle, faces: FaceAnalyzerShape): EngineInstance => ({
  open: (bytes) => openWith(handle, bytes),
  assess: (capture) =>
    Effect.gen(function*() {
      const { contents, integrity } = yield* stateOf(capture)
      const verdict = integrityVerdict({
        sdkSignature: integrity.sdkSignature,
        attestation: integrity.attestation,
        environmentSignals: environmentSignals.filter((name) => name !== "virtualCamera" && contents.environment[name]),
        virtualCamera: contents.environment.virtualCamera
      })
      // An untrusted capture gets no face feedback (the verdict wins), so its frames are not analysed.
      if (verdict.reasons.length > 0) {
        return { probability: verdict.probability, reasons: verdict.reasons, faceProblem: undefined, faceProbability: 0 }
      }
      const report = yield* faces.analyze(contents.frames.map((frame) => frame.jpeg), contents.bestFrame).pipe(
        Effect.map((face) => ({ face, corrupted: false as const })),
        Effect.catchIf((error) => error.kind === "UndecodableFrame", () => Effect.succeed({ face: undefined, corrupted: true as const })),
        Effect.mapError(faceFailure)
      )
      if (report.corrupted) {
        return {
          probability: CORRUPTED_PAYLOAD_PROBABILITY,
          reasons: ["UNTRUSTED_CORRUPTED_PAYLOAD"],
          faceProblem: undefined,
          faceProbability: 0
        }
      }
      return {
        probability: verdict.probability,
        reasons: verdict.reasons,
        faceProblem: report.face.problem,
        faceProbability: report.face.faceProbability
      }
    }),
  detectFace: (capture) =>
    Effect.gen(function*() {
      const { contents } = yield* stateOf(capture)
      const best = contents.frames[contents.bestFrame]!
      const report = yield* Effect.mapError(faces.analyze([best.jpeg], 0), faceFailure)
      return { faceProbability: report.faceProbability }
    })
})

const startupError = (what: string) => (cause: unknown) =>
  new NativeEngineStartupError({ message: `${what}: ${cause instanceof Error ? cause.message : String(cause)}` })

export const nativeEngineLayer = (
  config: ServiceConfig
): Layer.Layer<CaptureEngine, NativeEngineStartupError, FaceAnalyzer> =>
  Layer.scoped(
    CaptureEngine,
    Effect.gen(function*() {
      const faces = yield* FaceAnalyzer
      const addon: NativeAddon = yield* Effect.try({
        try: loadNativeAddon,
        catch: startupError("native addon not built (run `npm install` or `npx node-gyp rebuild`)")
      })
      const keys = yield* Effect.mapError(ensureEngineKeys(config.keys_dir), startupError(`keys_dir ${config.keys_dir}`))
      const acquire = Effect.try({
        try: () => instanceOf(new addon.Engine(keys), faces),
        catch: startupError("native engine refused its keys")
      })
      return yield* makeEnginePool(acquire, {
        name: "native",
        size: config.engine_pool_size,
        queueTimeout: Duration.seconds(config.engine_queue_timeout)
      })
    })
  )
