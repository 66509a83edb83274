/**
 * Picks the engine Layer named by `config.engine`. The native engine analyses faces with the
 * ONNX models generated into `models/` at install; their thresholds are read from the live
 * configuration on every capture.
 */
import { Duration, Effect, Layer } from "effect"
import type { CaptureEngine } from "../domain/CaptureEngine.js"
import type { FaceThresholds } from "../domain/FaceThresholds.js"
import type { ServiceConfig } from "../domain/ServiceConfig.js"
import { fakeEngineLayer } from "./fake/FakeEngine.js"
import { ortFaceAnalyzerLayer } from "./face/OrtFaceAnalyzer.js"
import { nativeEngineLayer } from "./native/NativeEngine.js"
import { packageRoot } from "./PackageRoot.js"
import { join } from "node:path"

export const engineLayer = (
  config: ServiceConfig,
  faceThresholds: Effect.Effect<FaceThresholds> = Effect.succeed(config.face)
): Layer.Layer<CaptureEngine, Error> => {
  switch (config.engine) {
    case "fake":
      return fakeEngineLayer({ size: config.engine_pool_size, queueTimeout: Duration.seconds(config.engine_queue_timeout) })
    case "native":
      return nativeEngineLayer(config).pipe(
        Layer.provide(ortFaceAnalyzerLayer({ modelsDir: join(packageRoot, "models"), thresholds: faceThresholds }))
      )
  }
}
