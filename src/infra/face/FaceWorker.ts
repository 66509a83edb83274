/**
 * The inside of a face-analysis worker thread, an `@effect/platform` WorkerRunner: its own ONNX
 * sessions and decoder, answering the requests of `FaceWorkerProtocol.ts`. onnxruntime-node runs
 * a model synchronously on the calling thread, so analyses run here, off the service's event loop,
 * one at a time: a request that arrives while one runs waits its turn here, so the worker starts it
 * the moment the running one ends (WorkerFaceAnalyzer.ts).
 */
import * as WorkerRunner from "@effect/platform/WorkerRunner"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeWorkerRunner from "@effect/platform-node/NodeWorkerRunner"
import * as Effect from "effect/Effect"
import * as FiberHandle from "effect/FiberHandle"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import { workerData } from "node:worker_threads"
import { FaceAnalysisError } from "../../domain/FaceAnalyzer.js"
import { HEAP_RELEASE_DELAY, releaseHeapWhenIdle } from "../native/IdleMemoryTrim.js"
import { loadNativeAddon } from "../native/NativeAddon.js"
import { loadFaceModels } from "./FaceModels.js"
import { FaceWorkerData, FaceWorkerRequest } from "./FaceWorkerProtocol.js"
import { receivedFrames } from "./SentFrames.js"
import { decoderWithSentPixels } from "./SentPixelsDecoder.js"
import { makeFrameAnalysis } from "./OrtFaceAnalyzer.js"

const addonDecoder = Effect.try({
  try: () => loadNativeAddon().decodeJpegScaled,
  catch: (cause) => new FaceAnalysisError({ kind: "ModelFailure", detail: `native addon (run \`npm ci\`): ${String(cause)}` })
})

const FaceWorkerLive = Layer.unwrapScoped(
  Effect.gen(function* () {
    const { modelsDir, frameSlots } = yield* Schema.decodeUnknown(FaceWorkerData)(workerData)
    const scope = yield* Effect.scope
    // Sessions open once per thread, on the first request that needs them: `LoadModels`, sent first
    // to every worker the pool starts, or an analysis on a thread the platform restarted in place.
    // They close with the runner's scope; a failure to open is kept and answered to every request.
    const analysis = yield* Effect.cached(Effect.map(loadFaceModels(modelsDir), makeFrameAnalysis).pipe(Scope.extend(scope)))
    const decoder = yield* addonDecoder
    // A worker idle for HEAP_RELEASE_DELAY after its last analysis collects its own heap and trims,
    // as the service's thread does (IdleMemoryTrim.ts). Requests run one at a time: a request puts
    // off the pending release, its end starts a new one.
    const idleRelease = yield* FiberHandle.make()
    const releaseWhenIdle = FiberHandle.run(idleRelease, Effect.zipRight(Effect.sleep(HEAP_RELEASE_DELAY), releaseHeapWhenIdle()))
    // In the order they came (the semaphore's waiters are first in, first out).
    const oneAtATime = yield* Effect.makeSemaphore(1)
    return WorkerRunner.layerSerialized(FaceWorkerRequest, {
      LoadModels: () => Effect.asVoid(analysis),
      AnalyzeFaces: (request) => {
        const frames = receivedFrames(request.frames, frameSlots)
        if (frames instanceof FaceAnalysisError) return frames
        // The frames the service's thread already decoded come with the request; others are decoded here.
        const requestDecoder = decoderWithSentPixels(decoder, frames, request.decoded, frameSlots)
        return Effect.zipRight(
          FiberHandle.clear(idleRelease),
          Effect.flatMap(analysis, (analyze) => analyze(frames, request.bestFrameIndex, request.thresholds, requestDecoder))
        ).pipe(Effect.ensuring(releaseWhenIdle), oneAtATime.withPermits(1))
      }
    })
  })
)

WorkerRunner.launch(FaceWorkerLive.pipe(Layer.provide(NodeWorkerRunner.layer))).pipe(NodeRuntime.runMain)
