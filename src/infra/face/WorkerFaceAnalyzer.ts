/**
 * The face analyzer on worker threads: `@effect/platform` workers (`FaceWorker.ts`), each with
 * its own ONNX sessions, so that model runs (synchronous in onnxruntime-node) leave the
 * event loop free and two captures' analyses use two cores. Each request goes to the least loaded
 * worker (`LeastLoaded.ts`), Schema-serialised (`FaceWorkerProtocol.ts`); a worker runs its
 * requests one after the other, so one sent to a busy worker waits there, ready the moment the
 * running one ends (the engine capacity lets `ANALYSES_PER_WORKER` through: `EngineSelection.ts`). A
 * worker that dies fails the requests it holds with ModelFailure; the platform starts a new thread
 * in its place a second later (requests for it wait), which opens its models from `workerData` on
 * its first request.
 *
 * Frames are copied to the worker, not transferred: a transfer detaches the caller's bytes (the
 * addon's frames are views into one capture buffer, which also holds the best frame still needed
 * afterwards as the `/extract` answer). The copy goes into slots of memory shared with every worker
 * (`FrameSlots.ts`), held until the answer is in; when no slot is free the frames go by structured
 * clone, `framesForClone` keeping it to the frames' own bytes when the capture holds more.
 * The frames' decoded pixels, which the forensics made on this thread (`SharedFrameDecodes`), go
 * with the request too, so the worker does not decode the frames a second time: named in the slot
 * the decode wrote them into (the capture's lease holds it), else copied into one like the bytes,
 * else transferred.
 */
import * as Worker from "@effect/platform/Worker"
import * as WorkerError from "@effect/platform/WorkerError"
import * as NodeWorker from "@effect/platform-node/NodeWorker"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { Worker as WorkerThread } from "node:worker_threads"
import { FaceAnalysisError, FaceAnalyzer, type FaceAnalyzerShape } from "../../domain/FaceAnalyzer.js"
import type { FaceThresholds } from "../../domain/FaceThresholds.js"
import type { SharedFrameDecodes } from "../SharedFrameDecodes.js"
import { framesForClone } from "./FramesForClone.js"
import { AnalyzeFaces, type DecodedFrame, FaceAnalysisErrorFromWire, type FaceWorkerData, FaceWorkerRequest, LoadModels, type SentFrame } from "./FaceWorkerProtocol.js"
import { makeFrameSlots, type FrameSlots } from "./FrameSlots.js"
import { leastLoaded } from "./LeastLoaded.js"

export interface WorkerFaceAnalyzerOptions {
  /** Folder holding the .onnx files. */
  readonly modelsDir: string
  /** Worker threads (and so analyses at once): the engine pool's size. */
  readonly workers: number
  /** Read on every analysis in the service's thread, and sent with the request. */
  readonly thresholds: FaceThresholds | Effect.Effect<FaceThresholds>
  /** Decodes the forensics already made of the same frames: their pixels go to the worker with the request. */
  readonly decodes?: SharedFrameDecodes
  /** Shared memory for the frames' bytes and those pixels, the same the workers got at spawn; without it the bytes are cloned and the pixels transferred. */
  readonly frameSlots?: FrameSlots
}

/**
 * The worker's entry next to this module: under tsx or vitest this file is TypeScript and a
 * thread needs tsx registered first (faceWorkerEntry.mjs); compiled, FaceWorker.js runs as is.
 */
const workerEntry = import.meta.url.endsWith(".ts")
  ? new URL("./faceWorkerEntry.mjs", import.meta.url)
  : new URL("./FaceWorker.js", import.meta.url)

/**
 * A face worker's young generation: its analysis allocates little that lives (model outputs,
 * detections), and V8's default (up to 3 x 16 MB) only made each worker's RSS grow. With 8 MB the
 * service's idle RSS after warm-up went 424 -> 376 MiB with two workers (docs/performance.md).
 */
const FACE_WORKER_YOUNG_GENERATION_MB = 8

/** Starts one worker thread; the platform calls it for each worker of the pool (and each restart). */
export const spawnFaceWorkerThread = (modelsDir: string, frameSlots?: SharedArrayBuffer) => (id: number) =>
  new WorkerThread(workerEntry, {
    workerData: (frameSlots === undefined ? { modelsDir } : { modelsDir, frameSlots }) satisfies FaceWorkerData,
    name: `face-worker-${id}`,
    resourceLimits: { maxYoungGenerationSizeMb: FACE_WORKER_YOUNG_GENERATION_MB }
  })

/** Loading three models takes a second or two (10 s seen on a loaded 2-core box); a worker silent this long will not start. */
const START_TIMEOUT = Duration.seconds(60)

const modelFailure = (detail: string) => new FaceAnalysisError({ kind: "ModelFailure", detail })

/** A worker's start failure in words: the FaceAnalysisError it answered to LoadModels, else the platform's error. */
const startFailure = (error: WorkerError.WorkerError): FaceAnalysisError => {
  const answered = Schema.decodeUnknownOption(FaceAnalysisErrorFromWire)(error.cause)
  return modelFailure(`face worker did not start: ${Option.match(answered, { onNone: () => `${error.message}: ${String(error.cause)}`, onSome: (e) => e.detail })}`)
}

/**
 * The platform's serialized worker decodes every failure with the request's failure Schema, so a
 * WorkerError (the worker gone) arrives as a ParseError around it: unwrap it to say what happened.
 */
const workerErrorIn = (failure: unknown): WorkerError.WorkerError | undefined => {
  if (WorkerError.isWorkerError(failure)) return failure
  if (ParseResult.isParseError(failure) && WorkerError.isWorkerError(failure.issue.actual)) return failure.issue.actual
  return undefined
}

/** Anything but the domain error (worker gone, message not encodable or decodable) is the runtime failing. */
const asFaceAnalysisError = (cause: Cause.Cause<unknown>): FaceAnalysisError => {
  const failure = Option.getOrUndefined(Cause.failureOption(cause))
  if (failure instanceof FaceAnalysisError) return failure
  const workerError = workerErrorIn(failure)
  if (workerError !== undefined) return modelFailure(`face worker: ${workerError.message}: ${String(workerError.cause)}`)
  return modelFailure(`face worker: ${Cause.pretty(cause)}`)
}

/** What a request carries of its frames: the JPEG bytes and the decoded pixels, each in a slot when one is free. */
interface HandedOver {
  readonly frames: ReadonlyArray<SentFrame>
  readonly decoded: ReadonlyArray<DecodedFrame | null>
  /** The slots stored here for this request, given back once it is answered (the decodes' own slots are their lease's). */
  readonly stored: ReadonlyArray<number>
}

/**
 * The frames for one request. Decoded pixels take slots first: without them the worker decodes the
 * frame again (~1.5 ms), while JPEG bytes without a slot only cost a copy. Pixels without a slot
 * are transferred; JPEG bytes without one are cloned (`framesForClone`).
 */
const handOver = (frames: ReadonlyArray<Uint8Array>, options: WorkerFaceAnalyzerOptions): HandedOver => {
  const stored: Array<number> = []
  const store = (bytes: Uint8Array) => {
    const slot = options.frameSlots?.store(bytes)
    if (slot !== undefined) stored.push(slot)
    return slot
  }
  const decoded = frames.map((frame): DecodedFrame | null => {
    const pixels = options.decodes?.take(frame)
    if (pixels === undefined) return null
    const { shrink, width, height, rgb } = pixels
    // Pixels a decode wrote into a slot are named as they are; others are copied into one.
    const slot = pixels.slot ?? store(rgb)
    return slot === undefined ? { shrink, width, height, rgb } : { shrink, width, height, slot }
  })
  const inSlots = frames.map(store)
  const cloned = framesForClone(frames.filter((_, i) => inSlots[i] === undefined))
  let nextCloned = 0
  const sent = frames.map((frame, i): SentFrame => {
    const slot = inSlots[i]
    return slot === undefined ? cloned[nextCloned++]! : { slot, byteLength: frame.byteLength }
  })
  return { frames: sent, decoded, stored }
}

const releaseSlots = ({ stored }: HandedOver, frameSlots: FrameSlots | undefined) => {
  for (const slot of stored) frameSlots?.release(slot)
}

/** The analyzer on `options.workers` workers; the spawner (`NodeWorker.layer`) decides how threads start. */
export const makeWorkerFaceAnalyzer = (
  options: WorkerFaceAnalyzerOptions
): Effect.Effect<FaceAnalyzerShape, FaceAnalysisError, Worker.WorkerManager | Worker.Spawner | Scope.Scope> =>
  Effect.gen(function* () {
    const thresholds = Effect.isEffect(options.thresholds) ? options.thresholds : Effect.succeed(options.thresholds)
    const size = Math.max(1, options.workers)
    // Every worker must have loaded its models before the service answers: a missing model is a startup error.
    const workers = yield* Effect.forEach(
      Array.from({ length: size }),
      () => Worker.makeSerialized<FaceWorkerRequest>({ initialMessage: () => new LoadModels() }),
      { concurrency: "unbounded" }
    )
    const dispatch = leastLoaded(workers)
    return FaceAnalyzer.of({
      analyze: (frames, bestFrameIndex) =>
        Effect.acquireUseRelease(
          Effect.sync(() => handOver(frames, options)),
          (handed) =>
            Effect.gen(function* () {
              // Built unchecked: encoding it for the worker checks it.
              const request = new AnalyzeFaces({ ...handed, bestFrameIndex, thresholds: yield* thresholds }, true)
              return yield* dispatch.use((worker) => worker.executeEffect(request))
            }),
          // The worker has answered (or is gone): the slots it read are free again.
          (handed) => Effect.sync(() => releaseSlots(handed, options.frameSlots))
        ).pipe(
          Effect.catchAllCause((cause) => Effect.fail(asFaceAnalysisError(cause))),
          // The worker finishes what it started: not interrupted half way (it may hold the next request queued).
          Effect.uninterruptible
        )
    })
  }).pipe(
    Effect.timeoutFail({ duration: START_TIMEOUT, onTimeout: () => modelFailure(`face workers did not start within ${Duration.format(START_TIMEOUT)}`) }),
    Effect.catchIf(WorkerError.isWorkerError, (error) => Effect.fail(startFailure(error)))
  )

/**
 * Analyses a worker holds at once: the one it runs and the next, queued in the worker. The engine
 * capacity's second stage has this many slots per worker (EngineSelection.ts).
 */
export const ANALYSES_PER_WORKER = 2

/**
 * Frame slots per worker: a capture's frames and their pixels (three of each from the SDKs, and
 * room for longer bursts) from its forensics to its analysis' answer, for the captures an engine's
 * two stages hold at once (one in its first stage, two at its face worker: 18 slots for three
 * 3-frame captures).
 */
const FRAME_SLOTS_PER_WORKER = 24

/** The shared frame memory for `workers` face workers. */
export const frameSlotsFor = (workers: number): FrameSlots => makeFrameSlots(Math.max(1, workers) * FRAME_SLOTS_PER_WORKER)

export const workerFaceAnalyzerLayer = (options: WorkerFaceAnalyzerOptions): Layer.Layer<FaceAnalyzer, FaceAnalysisError> => {
  const frameSlots = options.frameSlots ?? frameSlotsFor(options.workers)
  return Layer.scoped(FaceAnalyzer, makeWorkerFaceAnalyzer({ ...options, frameSlots })).pipe(
    Layer.provide(NodeWorker.layer(spawnFaceWorkerThread(options.modelsDir, frameSlots.memory)))
  )
}
