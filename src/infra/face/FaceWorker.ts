/**
 * The inside of a face-analysis worker thread: its own ONNX sessions and decoder, answering one
 * request at a time. onnxruntime-node runs a model synchronously on the calling thread, so the
 * analyses run here, off the service's event loop, one worker per engine.
 */
import { Cause, Effect, Option, Schema } from "effect"
import { FaceAnalysisError } from "../../domain/FaceAnalyzer.js"
import { parentPort, workerData } from "node:worker_threads"
import type { FaceThresholds } from "../../domain/FaceThresholds.js"
import { loadNativeAddon } from "../native/NativeAddon.js"
import { loadFaceModels } from "./FaceModels.js"
import type { AnalyzeRequest, WorkerReply } from "./FaceWorkerProtocol.js"
import { makeOrtFaceAnalyzer } from "./OrtFaceAnalyzer.js"

const WorkerData = Schema.Struct({ modelsDir: Schema.String })

const port = parentPort
if (port === null) throw new Error("FaceWorker.ts runs inside a worker thread")
const reply = (message: WorkerReply) => port.postMessage(message)

const serve = Effect.gen(function* () {
  const { modelsDir } = yield* Schema.decodeUnknown(WorkerData)(workerData)
  const models = yield* loadFaceModels(modelsDir)
  const decoder = yield* Effect.try(() => loadNativeAddon().decodeJpegScaled)
  // The pool sends one request at a time to a worker, and requests run one after another here,
  // so the thresholds of the request in progress are the ones read.
  let thresholds: FaceThresholds | undefined
  const analyzer = makeOrtFaceAnalyzer(models, decoder, { thresholds: Effect.sync(() => thresholds!) })
  let queue: Promise<void> = Promise.resolve()
  const handle = (request: AnalyzeRequest) =>
    analyzer.analyze(request.frames, request.bestFrameIndex).pipe(
      Effect.match({
        onFailure: (error) => reply({ type: "error", id: request.id, kind: error.kind, detail: error.detail }),
        onSuccess: (report) => reply({ type: "report", id: request.id, report })
      }),
      Effect.catchAllDefect((defect) =>
        Effect.sync(() => reply({ type: "error", id: request.id, kind: "ModelFailure", detail: String(defect) }))
      )
    )
  port.on("message", (request: AnalyzeRequest) => {
    queue = queue.then(() => {
      thresholds = request.thresholds
      return Effect.runPromise(handle(request))
    })
  })
  reply({ type: "ready" })
  return yield* Effect.never
})

/** Why the worker could not start, in words (a FaceAnalysisError's own detail, else the cause). */
const startFailure = (cause: Cause.Cause<unknown>): string =>
  Option.match(Cause.failureOption(cause), {
    onNone: () => Cause.pretty(cause),
    onSome: (error) => (error instanceof FaceAnalysisError ? error.detail : String(error))
  })

Effect.runFork(Effect.scoped(serve).pipe(Effect.catchAllCause((cause) => Effect.sync(() => reply({ type: "failed", detail: startFailure(cause) })))))
