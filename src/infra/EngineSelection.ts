/**
 * Picks the engine Layer named by `config.engine`.
 */
import { Duration, Layer } from "effect"
import type { CaptureEngine } from "../domain/CaptureEngine.js"
import type { ServiceConfig } from "../domain/ServiceConfig.js"
import { fakeEngineLayer } from "./fake/FakeEngine.js"

export const engineLayer = (config: ServiceConfig): Layer.Layer<CaptureEngine, Error> => {
  switch (config.engine) {
    case "fake":
      return fakeEngineLayer({ size: config.engine_pool_size, queueTimeout: Duration.seconds(config.engine_queue_timeout) })
    case "native":
      return Layer.fail(new Error("engine \"native\" is not available in this build yet: set engine to \"fake\""))
  }
}
