/**
 * Requests between the service and its face-analysis worker threads, as `Schema.TaggedRequest`s:
 * `@effect/platform`'s Worker encodes each request and checks each reply (success or failure)
 * with these Schemas, since a worker is another JavaScript realm and what crosses is data.
 */
import * as Transferable from "@effect/platform/Transferable"
import * as Schema from "effect/Schema"
import { faceProblemTable, type FaceProblemCode } from "../../domain/EngineReasons.js"
import { FaceAnalysisError } from "../../domain/FaceAnalyzer.js"
import { FaceThresholds } from "../../domain/FaceThresholds.js"
import { FRAME_SLOT_BYTES } from "./FrameSlots.js"

/** The domain error on the wire: its kind and detail, rebuilt as the domain class on arrival. */
export const FaceAnalysisErrorFromWire = Schema.transform(
  Schema.TaggedStruct("FaceAnalysisError", {
    kind: Schema.Literal("NoFrames", "UndecodableFrame", "ModelFailure"),
    detail: Schema.String
  }),
  Schema.instanceOf(FaceAnalysisError),
  {
    strict: true,
    decode: ({ kind, detail }) => new FaceAnalysisError({ kind, detail }),
    encode: (error) => ({ _tag: "FaceAnalysisError" as const, kind: error.kind, detail: error.detail })
  }
)

const problemCodes = Object.keys(faceProblemTable) as Array<FaceProblemCode>

const Measurements = Schema.Struct({
  frameWidth: Schema.Number,
  frameHeight: Schema.Number,
  faceCount: Schema.Number,
  maxFaceCountInFrames: Schema.Number,
  framesWithoutFace: Schema.Number,
  box: Schema.Struct({ x: Schema.Number, y: Schema.Number, width: Schema.Number, height: Schema.Number }),
  pose: Schema.Struct({ yaw: Schema.Number, pitch: Schema.Number, roll: Schema.Number }),
  eyeOpenness: Schema.Struct({ left: Schema.Number, right: Schema.Number }),
  lowerFaceVisibility: Schema.Number,
  landmarkConfidence: Schema.Number
})

export const FaceReportSchema = Schema.Struct({
  faceProbability: Schema.Number,
  problem: Schema.UndefinedOr(Schema.Literal(...problemCodes)),
  measurements: Schema.UndefinedOr(Measurements)
})

/**
 * Sent first to every new worker: it opens its ONNX sessions and answers once they are ready, or
 * with the reason they are not (a missing model names its file), which fails the pool's start.
 */
export class LoadModels extends Schema.TaggedRequest<LoadModels>()("LoadModels", {
  failure: FaceAnalysisErrorFromWire,
  success: Schema.Void,
  payload: {}
}) {}

const decodedSize = {
  shrink: Schema.Literal(2, 4, 8),
  width: Schema.Int.pipe(Schema.positive()),
  height: Schema.Int.pipe(Schema.positive())
}

/**
 * A frame the service's thread already decoded (for the forensics) at 1/`shrink`, packed RGB, with
 * its pixels transferred, not copied: the service has no further use for them. Used when no pixel
 * slot is free (`FrameSlots.ts`).
 */
export const DecodedFrameInBuffer = Schema.Struct({
  ...decodedSize,
  rgb: Transferable.schema(Schema.Uint8ArrayFromSelf, (bytes) => [bytes.buffer])
}).pipe(Schema.filter((frame) => frame.rgb.byteLength === frame.width * frame.height * 3 || "rgb must hold width * height * 3 bytes"))

const slot = Schema.Int.pipe(Schema.nonNegative())

/** The same, with its pixels in a slot of the shared frame memory the worker got at spawn (`FrameSlots.ts`). */
export const DecodedFrameInSlot = Schema.Struct({
  ...decodedSize,
  slot
}).pipe(Schema.filter((frame) => frame.width * frame.height * 3 <= FRAME_SLOT_BYTES || "width * height * 3 bytes must fit a frame slot"))

export const DecodedFrame = Schema.Union(DecodedFrameInBuffer, DecodedFrameInSlot)
export type DecodedFrame = typeof DecodedFrame.Type

/** A frame's JPEG bytes in a slot of the shared frame memory: the slot and how many of its bytes are the frame's. */
export const FrameInSlot = Schema.Struct({
  slot,
  byteLength: Schema.Int.pipe(Schema.nonNegative(), Schema.lessThanOrEqualTo(FRAME_SLOT_BYTES))
})
export type FrameInSlot = typeof FrameInSlot.Type

/** A frame's JPEG bytes: in a slot when one was free, else cloned with the request. */
export const SentFrame = Schema.Union(Schema.Uint8ArrayFromSelf, FrameInSlot)
export type SentFrame = typeof SentFrame.Type

/**
 * Analyse these frames with these thresholds (read in the service's thread for each analysis).
 * The frames' bytes are copied into slots of the shared frame memory, or cross by structured clone
 * when no slot is free: transferring them would detach bytes the caller still needs (the best
 * frame is the `/extract` answer), see `WorkerFaceAnalyzer.ts`. `decoded` holds, per frame, its
 * pixels (or their slot) when the service's thread has them (else null: the worker decodes it).
 */
export class AnalyzeFaces extends Schema.TaggedRequest<AnalyzeFaces>()("AnalyzeFaces", {
  failure: FaceAnalysisErrorFromWire,
  success: FaceReportSchema,
  payload: {
    frames: Schema.Array(SentFrame),
    decoded: Schema.Array(Schema.NullOr(DecodedFrame)),
    bestFrameIndex: Schema.Number,
    thresholds: FaceThresholds
  }
}) {}

export const FaceWorkerRequest = Schema.Union(LoadModels, AnalyzeFaces)
export type FaceWorkerRequest = typeof FaceWorkerRequest.Type

/**
 * What the service hands each new worker thread at spawn (`workerData`): where the models are, and
 * the shared frame memory requests name slots of (absent: every frame and decoded frame comes in
 * the request itself).
 */
export const FaceWorkerData = Schema.Struct({
  modelsDir: Schema.String,
  frameSlots: Schema.optionalWith(Schema.instanceOf(SharedArrayBuffer), { exact: true })
})
export type FaceWorkerData = typeof FaceWorkerData.Type
