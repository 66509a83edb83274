/**
 * The native engine behind the `CaptureEngine` port: `engine_pool_size` C++ `Engine` instances in
 * a bounded pool (src/infra/EnginePool.ts). Each instance owns its copy of the keys.
 */
import { Data, Duration, Effect, Layer, Schema } from "effect"
import { CaptureContents, IntegrityFacts } from "../../capture/CaptureContents.js"
import { CaptureEngine, EngineFailure, type OpenedCapture } from "../../domain/CaptureEngine.js"
import { FaceAnalysisError, FaceAnalyzer, type FaceAnalyzerShape } from "../../domain/FaceAnalyzer.js"
import type { DetectionConfig } from "../../domain/DetectionConfig.js"
import { evidence, type Evidence, STRONG } from "../../domain/Evidence.js"
import { activityChecks } from "../../domain/evidence/ActivityChecks.js"
import { contentChecks } from "../../domain/evidence/ContentChecks.js"
import { framePayloadChecks, frameOrderChecks } from "../../domain/evidence/PayloadChecks.js"
import { trustChecks } from "../../domain/evidence/TrustChecks.js"
import { score } from "../../domain/Scoring.js"
import type { ServiceConfig } from "../../domain/ServiceConfig.js"
import { type EngineInstance, makeEnginePool } from "../EnginePool.js"
import { loadNativeAddon, type NativeAddon, type NativeEngineHandle, type NativeOpened } from "./NativeAddon.js"
import { failureKindOf } from "./NativeFailures.js"
import { frameForensics } from "./NativeForensics.js"
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

const logEvidence = (items: ReadonlyArray<Evidence>) =>
  Effect.logInfo("capture evidence").pipe(
    Effect.annotateLogs({ evidence: items.map((item) => `${item.code} ${item.check}: ${item.detail}`) })
  )

/** The assessment of a rejected capture: no face analysis, so no face probability. */
const rejected = (items: ReadonlyArray<Evidence>) =>
  Effect.as(logEvidence(items), { ...score(items), faceProblem: undefined, faceProbability: 0 })

/**
 * Strong evidence settles the verdict at once (no lowered threshold can accept it, so the face is
 * not worth analysing). Weak evidence is carried on to the face checks: at the default threshold
 * it still answers NoLive, but an operator who lowers `liveness_threshold` below its probability
 * accepts such captures, and then the face must still have been checked.
 */
const isDecisive = (items: ReadonlyArray<Evidence>): boolean => items.some((item) => item.weight >= STRONG)

/**
 * Order (docs/detection.md): metadata checks (trust, frame order, activity: cheap, no pixels),
 * then frame forensics (decode, headers, noise), then face analysis. The first stage with strong
 * evidence answers, so such a capture's pixels or face are not worked on; weak evidence goes on to
 * the face checks (see `isDecisive`), and the verdict (Verdict.ts) still puts it before face feedback.
 */
const instanceOf = (
  handle: NativeEngineHandle,
  addon: NativeAddon,
  faces: FaceAnalyzerShape,
  detection: Effect.Effect<DetectionConfig>
): EngineInstance => ({
  open: (bytes) => openWith(handle, bytes),
  assess: (capture) =>
    Effect.gen(function*() {
      const facts = yield* stateOf(capture)
      const config = yield* detection
      const metadata = [...trustChecks(facts, config), ...frameOrderChecks(facts), ...activityChecks(facts, config)]
      if (isDecisive(metadata)) return yield* rejected(metadata)
      const jpegs = facts.contents.frames.map((frame) => frame.jpeg)
      const forensics = yield* Effect.mapError(frameForensics(addon, jpegs), (cause) => internal(`forensics: ${String(cause)}`))
      const found = [...metadata, ...framePayloadChecks(forensics, config), ...contentChecks(facts, forensics, config)]
      if (isDecisive(found)) return yield* rejected(found)
      const report = yield* faces.analyze(jpegs, facts.contents.bestFrame).pipe(
        Effect.map((face) => ({ face, corrupted: false as const })),
        Effect.catchIf((error) => error.kind === "UndecodableFrame", () => Effect.succeed({ face: undefined, corrupted: true as const })),
        Effect.mapError(faceFailure)
      )
      if (report.corrupted) {
        return yield* rejected([...found, evidence("UNTRUSTED_CORRUPTED_PAYLOAD", STRONG, "frame-decode", "face analysis could not decode a frame")])
      }
      if (found.length > 0) yield* logEvidence(found)
      const verdict = score(found)
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
  config: ServiceConfig,
  detection: Effect.Effect<DetectionConfig> = Effect.succeed(config.detection)
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
        try: () => instanceOf(new addon.Engine(keys), addon, faces, detection),
        catch: startupError("native engine refused its keys")
      })
      return yield* makeEnginePool(acquire, {
        name: "native",
        size: config.engine_pool_size,
        queueTimeout: Duration.seconds(config.engine_queue_timeout)
      })
    })
  )
