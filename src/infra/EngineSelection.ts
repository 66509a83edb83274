/**
 * Picks the engine Layer named by `config.engine`. The native engine analyses faces with the
 * ONNX models generated into `models/` at install, on one worker thread per engine (model runs
 * are synchronous and would otherwise hold the event loop); face thresholds and detection settings
 * are read through the given effects on every capture (the live configuration when the caller
 * passes it).
 */
import { Duration, Effect, Layer } from "effect"
import type { CaptureEngine } from "../domain/CaptureEngine.js"
import type { DetectionConfig } from "../domain/DetectionConfig.js"
import type { FaceThresholds } from "../domain/FaceThresholds.js"
import type { ServiceConfig } from "../domain/ServiceConfig.js"
import { fakeEngineLayer } from "./fake/FakeEngine.js"
import { workerFaceAnalyzerLayer } from "./face/WorkerFaceAnalyzer.js"
import { nativeEngineLayer } from "./native/NativeEngine.js"
import { join } from "node:path"
import { packageRoot } from "./PackageRoot.js"

export const engineLayer = (
  config: ServiceConfig,
  faceThresholds: Effect.Effect<FaceThresholds> = Effect.succeed(config.face),
  detection: Effect.Effect<DetectionConfig> = Effect.succeed(config.detection)
): Layer.Layer<CaptureEngine, Error> => {
  switch (config.engine) {
    case "fake":
      return fakeEngineLayer({ size: config.engine_pool_size, queueTimeout: Duration.seconds(config.engine_queue_timeout) })
    case "native":
      return nativeEngineLayer(config, detection).pipe(
        Layer.provide(
          workerFaceAnalyzerLayer({ modelsDir: join(packageRoot, "models"), workers: config.engine_pool_size, thresholds: faceThresholds })
        )
      )
  }
}
