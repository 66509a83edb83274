/**
 * The native engine behind the `CaptureEngine` port: `engine_pool_size` C++ `Engine` instances in
 * a bounded pool (src/infra/EnginePool.ts). Each instance owns its copy of the keys.
 */
import { Data, Duration, Effect, Layer, Schema } from "effect"
import { CaptureContents, IntegrityFacts } from "../../capture/CaptureContents.js"
import { environmentSignals } from "../../capture/CaptureFormat.js"
import { CaptureEngine, EngineFailure, type OpenedCapture } from "../../domain/CaptureEngine.js"
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

const instanceOf = (handle: NativeEngineHandle): EngineInstance => ({
  open: (bytes) => openWith(handle, bytes),
  assess: (capture) =>
    Effect.map(stateOf(capture), ({ contents, integrity }) => {
      const verdict = integrityVerdict({
        sdkSignature: integrity.sdkSignature,
        attestation: integrity.attestation,
        environmentSignals: environmentSignals.filter((name) => name !== "virtualCamera" && contents.environment[name]),
        virtualCamera: contents.environment.virtualCamera
      })
      return {
        probability: verdict.probability,
        reasons: verdict.reasons,
        faceProblem: undefined,
        // Interim until server-side face analysis (issue 4): the SDK's own on-device face score.
        faceProbability: contents.faceScore
      }
    }),
  detectFace: (capture) => Effect.map(stateOf(capture), ({ contents }) => ({ faceProbability: contents.faceScore }))
})

const startupError = (what: string) => (cause: unknown) =>
  new NativeEngineStartupError({ message: `${what}: ${cause instanceof Error ? cause.message : String(cause)}` })

export const nativeEngineLayer = (config: ServiceConfig): Layer.Layer<CaptureEngine, NativeEngineStartupError> =>
  Layer.scoped(
    CaptureEngine,
    Effect.gen(function*() {
      const addon: NativeAddon = yield* Effect.try({
        try: loadNativeAddon,
        catch: startupError("native addon not built (run `npm install` or `npx node-gyp rebuild`)")
      })
      const keys = yield* Effect.mapError(ensureEngineKeys(config.keys_dir), startupError(`keys_dir ${config.keys_dir}`))
      const acquire = Effect.try({
        try: () => instanceOf(new addon.Engine(keys)),
        catch: startupError("native engine refused its keys")
      })
      return yield* makeEnginePool(acquire, {
        name: "native",
        size: config.engine_pool_size,
        queueTimeout: Duration.seconds(config.engine_queue_timeout)
      })
    })
  )
