/**
 * The face analyzer on worker threads: the same reports as the in-process analyzer on real photos,
 * analyses at once on two workers and queued on one, thresholds read per analysis, errors carried across the thread
 * boundary with their kind, a clear startup error when the models are missing, and threads that
 * end with the Layer.
 */
import { NodeWorker } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer, Ref } from "effect"
import { join } from "node:path"
import type { Worker as WorkerThread } from "node:worker_threads"
import { FaceAnalysisError, FaceAnalyzer } from "../../src/domain/FaceAnalyzer.js"
import { defaultFaceThresholds } from "../../src/domain/FaceThresholds.js"
import { ortFaceAnalyzerLayer } from "../../src/infra/face/OrtFaceAnalyzer.js"
import { makeWorkerFaceAnalyzer, spawnFaceWorkerThread, workerFaceAnalyzerLayer } from "../../src/infra/face/WorkerFaceAnalyzer.js"
import * as F from "../fixtures/face/faceFrames.js"

const W = F.FRAME_WIDTH
const H = F.FRAME_HEIGHT
const modelsDir = join(process.cwd(), "models")
const analyze = (frames: ReadonlyArray<Uint8Array>, best: number) => Effect.flatMap(FaceAnalyzer, (fa) => fa.analyze(frames, best))
const build = (make: () => Promise<Buffer>) => Effect.promise(make)
const frontal = () => F.framedFace(F.frontalFace, 300, W / 2, H / 2)

const thresholds = Ref.unsafeMake(defaultFaceThresholds)
const workers = workerFaceAnalyzerLayer({ modelsDir, workers: 2, thresholds: Ref.get(thresholds) })

layer(workers, { timeout: 60_000 })("WorkerFaceAnalyzer", (it) => {
  it.effect("gives the in-process analyzer's reports, two captures at once", () =>
    Effect.gen(function* () {
      const captures: ReadonlyArray<readonly [ReadonlyArray<Uint8Array>, number]> = [
        [[yield* build(frontal), yield* build(() => F.framedFace(F.frontalFace, 310, W / 2 + 10, H / 2))], 1],
        [[yield* build(() => F.framedFace(F.closedEyesFace, 300, W / 2, H / 2))], 0],
        [[yield* build(() => F.groupFrame(1))], 0],
        [[yield* build(() => F.framedFace(F.frontalFace, 100, W / 2, H / 2))], 0]
      ]
      const reports = yield* Effect.forEach(captures, ([frames, best]) => analyze(frames, best), { concurrency: "unbounded" })
      const inProcess = yield* Effect.forEach(captures, ([frames, best]) => analyze(frames, best)).pipe(
        Effect.provide(ortFaceAnalyzerLayer({ modelsDir, thresholds: defaultFaceThresholds }))
      )
      expect(reports.map((r) => r.problem)).toEqual([undefined, "EYES_CLOSED", "TOO_MANY_FACES", "FACE_TOO_SMALL"])
      expect(reports).toEqual(inProcess)
      expect(reports[0]!.faceProbability).toBeGreaterThan(0.7)
      expect(reports[0]!.measurements!.box.height).toBeGreaterThan(260)
    })
  )

  it.effect("reads the thresholds on every analysis", () =>
    Effect.gen(function* () {
      const frame = yield* build(frontal)
      yield* Ref.set(thresholds, { ...defaultFaceThresholds, min_face_size: 400 })
      expect((yield* analyze([frame], 0)).problem).toBe("FACE_TOO_SMALL")
      yield* Ref.set(thresholds, defaultFaceThresholds)
      expect((yield* analyze([frame], 0)).problem).toBeUndefined()
    })
  )

  it.effect("carries errors across as FaceAnalysisError with their kind", () =>
    Effect.gen(function* () {
      const none = yield* Effect.flip(analyze([], 0))
      expect(none).toBeInstanceOf(FaceAnalysisError)
      expect(none.kind).toBe("NoFrames")
      expect(none.detail).toBe("best frame 0 of 0")
      const garbled = yield* Effect.flip(analyze([new Uint8Array([0xff, 0xd8, 1, 2, 3])], 0))
      expect(garbled).toBeInstanceOf(FaceAnalysisError)
      expect(garbled.kind).toBe("UndecodableFrame")
    })
  )
})

describe("WorkerFaceAnalyzer start", () => {
  it.live("fails with ModelFailure naming the missing model when the models folder is empty", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Layer.build(workerFaceAnalyzerLayer({ modelsDir: "/nonexistent-models", workers: 2, thresholds: defaultFaceThresholds })))
      expect(error).toBeInstanceOf(FaceAnalysisError)
      expect(error.kind).toBe("ModelFailure")
      expect(error.detail).toMatch(/^face worker did not start: .*\/nonexistent-models\/blazeface\.onnx is missing/s)
    }).pipe(Effect.scoped)
  )
})

/**
 * A pool whose threads the test can see: the real spawner, each thread kept in `threads`.
 * `killOnNextMessage` arms a kill of the thread as the pool posts it its next message.
 */
const observedPool = (workerCount: number) => {
  const threads: Array<WorkerThread> = []
  let killArmed = false
  const spawn = spawnFaceWorkerThread(modelsDir)
  const spawner = NodeWorker.layer((id) => {
    const thread = spawn(id)
    const post = thread.postMessage.bind(thread)
    thread.postMessage = (message, transfers) => {
      if (killArmed) {
        killArmed = false
        void thread.terminate()
      }
      post(message, transfers)
    }
    threads.push(thread)
    return thread
  })
  const analyzer = Layer.scoped(FaceAnalyzer, makeWorkerFaceAnalyzer({ modelsDir, workers: workerCount, thresholds: defaultFaceThresholds })).pipe(
    Layer.provide(spawner)
  )
  return { threads, analyzer, killOnNextMessage: () => void (killArmed = true) }
}

/** The thread's exit code, listened for from now on. */
const exitCode = (thread: WorkerThread) => new Promise<number>((resolve) => thread.once("exit", resolve))

describe("one face worker, several analyses at once", () => {
  it.live("holds the requests sent while it works and answers each in turn, as the in-process analyzer does", () =>
    Effect.gen(function* () {
      const { threads, analyzer } = observedPool(1)
      const context = yield* Layer.build(analyzer)
      const captures: ReadonlyArray<ReadonlyArray<Uint8Array>> = [
        [yield* build(frontal)],
        [yield* build(() => F.framedFace(F.closedEyesFace, 300, W / 2, H / 2))],
        [yield* build(() => F.groupFrame(1))]
      ]
      const reports = yield* Effect.forEach(captures, (frames) => analyze(frames, 0), { concurrency: "unbounded" }).pipe(Effect.provide(context))
      const inProcess = yield* Effect.forEach(captures, (frames) => analyze(frames, 0)).pipe(
        Effect.provide(ortFaceAnalyzerLayer({ modelsDir, thresholds: defaultFaceThresholds }))
      )
      expect(reports.map((r) => r.problem)).toEqual([undefined, "EYES_CLOSED", "TOO_MANY_FACES"])
      expect(reports).toEqual(inProcess)
      expect(threads).toHaveLength(1)
    }).pipe(Effect.scoped),
    60_000
  )
})

describe("a face worker that dies", () => {
  it.live("fails the request in flight with ModelFailure and is replaced for later requests", () =>
    Effect.gen(function* () {
      const { threads, analyzer, killOnNextMessage } = observedPool(1)
      const context = yield* Layer.build(analyzer)
      const frame = yield* build(frontal)
      const first = yield* analyze([frame], 0).pipe(Effect.provide(context))
      expect(first.problem).toBeUndefined()
      expect(threads).toHaveLength(1)
      // The thread dies as the request is posted to it, so the request is never answered. Not part
      // way through an analysis: a thread terminated while the addon decodes a frame aborts the
      // whole process (its AsyncWorker completes into a terminating environment), a defect of the
      // addon; killed before the message, the thread cannot have started any native work.
      killOnNextMessage()
      const lost = yield* Effect.flip(analyze([frame, frame], 0).pipe(Effect.provide(context)))
      expect(lost).toBeInstanceOf(FaceAnalysisError)
      expect(lost.kind).toBe("ModelFailure")
      expect(lost.detail).toMatch(/exited with code 1/)
      // A new thread, with its own sessions, answers as the first one did.
      const later = yield* analyze([frame], 0).pipe(Effect.provide(context))
      expect(later).toEqual(first)
      expect(threads).toHaveLength(2)
      expect(threads[0]!.threadId).toBe(-1)
      expect(threads[1]!.threadId).toBeGreaterThan(0)
    }).pipe(Effect.scoped),
    60_000
  )

  it.live("dying between requests, is restarted with its models and answers the next one", () =>
    Effect.gen(function* () {
      const { threads, analyzer } = observedPool(1)
      const context = yield* Layer.build(analyzer)
      const frame = yield* build(frontal)
      const first = yield* analyze([frame], 0).pipe(Effect.provide(context))
      yield* Effect.promise(() => threads[0]!.terminate())
      // Let the pool see the exit first (a request sent at the very moment of death fails instead).
      yield* Effect.sleep("100 millis")
      const later = yield* analyze([frame], 0).pipe(Effect.provide(context))
      expect(later).toEqual(first)
      expect(threads).toHaveLength(2)
      expect(threads[0]!.threadId).toBe(-1)
    }).pipe(Effect.scoped),
    60_000
  )
})

describe("WorkerFaceAnalyzer release", () => {
  it.live("ends every worker thread when the Layer's scope closes", () =>
    Effect.gen(function* () {
      const { threads, analyzer } = observedPool(2)
      const codes = yield* Effect.scoped(
        Effect.gen(function* () {
          const context = yield* Layer.build(analyzer)
          expect((yield* analyze([yield* build(frontal)], 0).pipe(Effect.provide(context))).problem).toBeUndefined()
          expect(threads).toHaveLength(2)
          expect(threads.every((thread) => thread.threadId > 0)).toBe(true)
          return threads.map(exitCode)
        })
      )
      expect(threads.every((thread) => thread.threadId === -1)).toBe(true)
      // Closed by the platform's close message (exit code 0), not terminated after its 5 s grace.
      expect(yield* Effect.promise(() => Promise.all(codes)).pipe(Effect.timeout("1 second"))).toEqual([0, 0])
    }),
    60_000
  )
})
