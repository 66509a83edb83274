/**
 * The Layers behind the capture pipeline's ports, picked by `config.engine`:
 * - `native`: the C++ engine opens captures, the addon measures frame forensics, and the ONNX
 *   models (generated into `models/` at install) analyse faces on one worker thread per engine
 *   (model runs are synchronous and would otherwise hold the event loop);
 * - `fake`: JSON captures and frame scripts (src/infra/fake), for integration tests.
 * Each port can be replaced on its own (`ServiceLayers` in App.ts). Face thresholds are read
 * through the given effect on every capture (the live configuration when the caller passes it).
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { join } from "node:path"
import type { CaptureEngine } from "../domain/CaptureEngine.js"
import type { EngineCapacity } from "../domain/EngineCapacity.js"
import type { FaceAnalysisError, FaceAnalyzer } from "../domain/FaceAnalyzer.js"
import type { FaceThresholds } from "../domain/FaceThresholds.js"
import type { Forensics } from "../domain/Forensics.js"
import type { ServiceConfig } from "../domain/ServiceConfig.js"
import { engineCapacityLayer } from "./EngineCapacityLive.js"
import { fakeFaceAnalyzerLayer } from "./face/FakeFaceAnalyzer.js"
import { ANALYSES_PER_WORKER, frameSlotsFor, workerFaceAnalyzerLayer } from "./face/WorkerFaceAnalyzer.js"
import { fakeEngineLayer } from "./fake/FakeEngine.js"
import { fakeForensicsLayer } from "./fake/FakeForensics.js"
import { nativeEngineLayer, type NativeEngineStartupError } from "./native/NativeEngine.js"
import { loadNativeAddon, type NativeAddon } from "./native/NativeAddon.js"
import { idleMemoryRelease } from "./native/IdleMemoryTrim.js"
import { nativeForensicsLayerWith } from "./native/NativeForensics.js"
import { makeSharedFrameDecodes } from "./SharedFrameDecodes.js"
import { packageRoot } from "./PackageRoot.js"

export interface PipelineLayers {
  readonly engine: Layer.Layer<CaptureEngine, NativeEngineStartupError>
  readonly forensics: Layer.Layer<Forensics, NativeEngineStartupError>
  readonly faces: Layer.Layer<FaceAnalyzer, FaceAnalysisError>
  /** For the engine capacity (`capacityLayerFor`): the native engine's frame memory lives as long as each evaluation's work. */
  readonly captureScope?: <A, E, R>(work: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

export const pipelineLayersFor = (
  config: ServiceConfig,
  faceThresholds: Effect.Effect<FaceThresholds> = Effect.succeed(config.face)
): PipelineLayers => {
  switch (config.engine) {
    case "fake":
      return { engine: fakeEngineLayer(), forensics: fakeForensicsLayer, faces: fakeFaceAnalyzerLayer() }
    case "native": {
      // Forensics and face analysis read each frame at the same scale: one decode serves both. The
      // addon is loaded on first use: the forensics Layer has reported it missing at start by then.
      // The decodes write into the face workers' shared frame memory, one lease per evaluation.
      let addon: NativeAddon | undefined
      const frameSlots = frameSlotsFor(config.engine_pool_size)
      const decodes = makeSharedFrameDecodes(
        (jpeg, shrink, target) => (addon ??= loadNativeAddon()).decodeJpegScaled(jpeg, shrink, target),
        frameSlots
      )
      return {
        engine: nativeEngineLayer(config),
        forensics: nativeForensicsLayerWith(decodes),
        faces: workerFaceAnalyzerLayer({
          modelsDir: join(packageRoot, "models"),
          workers: config.engine_pool_size,
          thresholds: faceThresholds,
          decodes,
          frameSlots
        }),
        captureScope: decodes.withLease
      }
    }
  }
}

/** Quiet time after the last capture before the C library trims (IdleMemoryTrim.ts). */
const ENGINE_IDLE_DELAY = Duration.seconds(1)

/**
 * `engine_pool_size` slots, waited for at most `engine_queue_timeout` seconds; with the native
 * engine, freed memory goes back to the system when they fall idle (IdleMemoryTrim.ts), and the face
 * analysis' stage has two slots per face worker: the one it runs and the next, queued in the worker
 * (WorkerFaceAnalyzer.ts), so that a worker never waits for the service's thread between two
 * analyses (the concurrency-8 ratio 0.90 -> 0.92, docs/performance.md, round 9).
 */
export const capacityLayerFor = (config: ServiceConfig, pipeline?: PipelineLayers): Layer.Layer<EngineCapacity> =>
  engineCapacityLayer({
    size: config.engine_pool_size,
    queueTimeout: Duration.seconds(config.engine_queue_timeout),
    ...(pipeline?.captureScope === undefined ? {} : { captureScope: pipeline.captureScope }),
    ...(config.engine === "native"
      ? { idleDelay: ENGINE_IDLE_DELAY, onIdle: idleMemoryRelease(ENGINE_IDLE_DELAY), secondStageSize: ANALYSES_PER_WORKER * config.engine_pool_size }
      : {})
  })
