/**
 * The face analyzer on worker threads: a pool of workers (`FaceWorker.ts`), each with its own ONNX
 * sessions, so that model runs (synchronous in onnxruntime-node) leave the event loop free and two
 * captures' analyses use two cores. One request at a time per worker; a worker that dies fails its
 * request with ModelFailure and is replaced.
 */
import { Effect, Layer, Pool, Schema } from "effect"
import { Worker } from "node:worker_threads"
import { FaceAnalysisError, FaceAnalyzer, type FaceReport } from "../../domain/FaceAnalyzer.js"
import type { FaceThresholds } from "../../domain/FaceThresholds.js"
import { type AnalyzeRequest, WorkerReply } from "./FaceWorkerProtocol.js"

export interface WorkerFaceAnalyzerOptions {
  /** Folder holding the .onnx files. */
  readonly modelsDir: string
  /** Worker threads (and so analyses at once): the engine pool's size. */
  readonly workers: number
  /** Read on every analysis in the service's thread, and sent with the request. */
  readonly thresholds: FaceThresholds | Effect.Effect<FaceThresholds>
}

const decodeReply = Schema.decodeUnknownEither(WorkerReply)
const failure = (detail: string) => new FaceAnalysisError({ kind: "ModelFailure", detail })

export interface FaceWorkerHandle {
  readonly request: (request: Omit<AnalyzeRequest, "id">) => Effect.Effect<FaceReport, FaceAnalysisError>
  readonly alive: () => boolean
  readonly terminate: () => Promise<number>
}

/** Starts a worker and waits until its models are loaded (or it says why they are not). */
export const startFaceWorker = (modelsDir: string): Effect.Effect<FaceWorkerHandle, FaceAnalysisError> =>
  Effect.async<FaceWorkerHandle, FaceAnalysisError>((resume) => {
    const worker = new Worker(new URL("./faceWorkerEntry.mjs", import.meta.url), { workerData: { modelsDir } })
    const pending = new Map<number, (result: Effect.Effect<FaceReport, FaceAnalysisError>) => void>()
    let nextId = 0
    let ready = false
    let dead: string | undefined
    const die = (why: string) => {
      if (dead !== undefined) return
      dead = why
      for (const settle of pending.values()) settle(Effect.fail(failure(`face worker: ${why}`)))
      pending.clear()
      if (!ready) resume(Effect.fail(failure(`face worker did not start: ${why}`)))
    }
    const handle: FaceWorkerHandle = {
      alive: () => dead === undefined,
      terminate: () => worker.terminate(),
      request: (request) =>
        Effect.async<FaceReport, FaceAnalysisError>((settle) => {
          if (dead !== undefined) return settle(Effect.fail(failure(`face worker: ${dead}`)))
          const id = nextId++
          pending.set(id, settle)
          worker.postMessage({ ...request, id } satisfies AnalyzeRequest)
        })
    }
    worker.on("message", (message: unknown) => {
      const decoded = decodeReply(message)
      if (decoded._tag === "Left") return die(`unreadable reply: ${String(decoded.left)}`)
      const reply = decoded.right
      switch (reply.type) {
        case "ready":
          ready = true
          return resume(Effect.succeed(handle))
        case "failed":
          return die(reply.detail)
        case "report":
        case "error": {
          const settle = pending.get(reply.id)
          pending.delete(reply.id)
          settle?.(
            reply.type === "report" ? Effect.succeed(reply.report) : Effect.fail(new FaceAnalysisError({ kind: reply.kind, detail: reply.detail }))
          )
          return
        }
      }
    })
    worker.on("error", (error) => die(String(error)))
    worker.on("exit", (code) => die(`exited with code ${code}`))
  })

export const workerFaceAnalyzerLayer = (options: WorkerFaceAnalyzerOptions): Layer.Layer<FaceAnalyzer, FaceAnalysisError> =>
  Layer.scoped(
    FaceAnalyzer,
    Effect.gen(function* () {
      const thresholds = Effect.isEffect(options.thresholds) ? options.thresholds : Effect.succeed(options.thresholds)
      const size = Math.max(1, options.workers)
      const pool = yield* Pool.make({
        acquire: Effect.acquireRelease(startFaceWorker(options.modelsDir), (handle) => Effect.promise(() => handle.terminate())),
        size
      })
      // Every worker must have started before the service answers: a missing model is a startup error.
      yield* Effect.scoped(Effect.forEach(Array.from({ length: size }), () => Pool.get(pool), { concurrency: "unbounded" }))
      return FaceAnalyzer.of({
        analyze: (frames, bestFrameIndex) =>
          Effect.scoped(
            Effect.gen(function* () {
              const handle = yield* Pool.get(pool)
              const t = yield* thresholds
              return yield* handle.request({ frames, bestFrameIndex, thresholds: t }).pipe(
                // A worker that died is replaced for the next request.
                Effect.tapError(() => (handle.alive() ? Effect.void : Pool.invalidate(pool, handle)))
              )
            })
          ).pipe(Effect.uninterruptible)
      })
    })
  )
