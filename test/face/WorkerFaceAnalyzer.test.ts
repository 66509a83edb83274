/**
 * The face analyzer on worker threads: the same answers as in-process on real photos, analyses
 * at once on two workers, thresholds read per analysis, errors carried across the thread
 * boundary with their kind, and a clear startup error when the models are missing.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Layer, Option, Ref } from "effect"
import { join } from "node:path"
import { FaceAnalyzer } from "../../src/domain/FaceAnalyzer.js"
import { defaultFaceThresholds } from "../../src/domain/FaceThresholds.js"
import { startFaceWorker, workerFaceAnalyzerLayer } from "../../src/infra/face/WorkerFaceAnalyzer.js"
import * as F from "../fixtures/face/faceFrames.js"

const W = F.FRAME_WIDTH
const H = F.FRAME_HEIGHT
const modelsDir = join(process.cwd(), "models")
const analyze = (frames: ReadonlyArray<Uint8Array>, best: number) => Effect.flatMap(FaceAnalyzer, (fa) => fa.analyze(frames, best))
const build = (make: () => Promise<Buffer>) => Effect.promise(make)

const thresholds = Ref.unsafeMake(defaultFaceThresholds)
const workers = workerFaceAnalyzerLayer({ modelsDir, workers: 2, thresholds: Ref.get(thresholds) })

layer(workers, { timeout: 60_000 })("WorkerFaceAnalyzer", (it) => {
  it.effect("answers as the in-process analyzer does, two captures at once", () =>
    Effect.gen(function* () {
      const frontal = yield* build(() => F.framedFace(F.frontalFace, 300, W / 2, H / 2))
      const shut = yield* build(() => F.framedFace(F.closedEyesFace, 300, W / 2, H / 2))
      const group = yield* build(() => F.groupFrame(1))
      const small = yield* build(() => F.framedFace(F.frontalFace, 100, W / 2, H / 2))
      const reports = yield* Effect.all([analyze([frontal, frontal], 0), analyze([shut], 0), analyze([group], 0), analyze([small], 0)], {
        concurrency: "unbounded"
      })
      expect(reports.map((r) => r.problem)).toEqual([undefined, "EYES_CLOSED", "TOO_MANY_FACES", "FACE_TOO_SMALL"])
      expect(reports[0]!.faceProbability).toBeGreaterThan(0.7)
      expect(reports[0]!.measurements!.box.height).toBeGreaterThan(260)
    })
  )

  it.effect("reads the thresholds on every analysis", () =>
    Effect.gen(function* () {
      const frontal = yield* build(() => F.framedFace(F.frontalFace, 300, W / 2, H / 2))
      yield* Ref.set(thresholds, { ...defaultFaceThresholds, min_face_size: 400 })
      expect((yield* analyze([frontal], 0)).problem).toBe("FACE_TOO_SMALL")
      yield* Ref.set(thresholds, defaultFaceThresholds)
      expect((yield* analyze([frontal], 0)).problem).toBeUndefined()
    })
  )

  it.effect("carries errors across with their kind", () =>
    Effect.gen(function* () {
      expect((yield* Effect.flip(analyze([], 0))).kind).toBe("NoFrames")
      expect((yield* Effect.flip(analyze([new Uint8Array([0xff, 0xd8, 1, 2, 3])], 0))).kind).toBe("UndecodableFrame")
    })
  )
})

describe("WorkerFaceAnalyzer start", () => {
  it.effect("fails with ModelFailure naming the missing model when the models folder is empty", () =>
    Effect.gen(function* () {
      const started = yield* Effect.exit(Layer.build(workerFaceAnalyzerLayer({ modelsDir: "/nonexistent-models", workers: 1, thresholds: defaultFaceThresholds })))
      expect(Exit.isFailure(started)).toBe(true)
      const error = Exit.isFailure(started) ? Option.getOrUndefined(Cause.failureOption(started.cause)) : undefined
      expect(error?.kind).toBe("ModelFailure")
      expect(error?.detail).toMatch(/did not start.*blazeface\.onnx is missing/s)
    }).pipe(Effect.scoped)
  )
})

describe("a face worker that dies", () => {
  it.effect("fails the request in flight and every later one with ModelFailure, and says it is dead", () =>
    Effect.gen(function* () {
      const worker = yield* startFaceWorker(modelsDir)
      const frame = yield* build(() => F.framedFace(F.frontalFace, 300, W / 2, H / 2))
      expect((yield* worker.request({ frames: [frame], bestFrameIndex: 0, thresholds: defaultFaceThresholds })).problem).toBeUndefined()
      const inFlight = yield* Effect.fork(worker.request({ frames: [frame, frame], bestFrameIndex: 0, thresholds: defaultFaceThresholds }))
      yield* Effect.promise(() => worker.terminate())
      // The request in flight fails, unless it was answered before the worker went.
      const lost = yield* Fiber.join(inFlight).pipe(Effect.either)
      if (lost._tag === "Left") expect(lost.left.kind).toBe("ModelFailure")
      const later = yield* Effect.flip(worker.request({ frames: [frame], bestFrameIndex: 0, thresholds: defaultFaceThresholds }))
      expect(later.kind).toBe("ModelFailure")
      expect(later.detail).toMatch(/exited/)
      expect(worker.alive()).toBe(false)
    })
  )
})
