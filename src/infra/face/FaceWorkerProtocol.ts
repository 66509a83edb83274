/**
 * Messages between the service and its face-analysis worker threads. Replies are checked with
 * these Schemas on arrival: a worker is another JavaScript realm, and what crosses is data.
 */
import { Schema } from "effect"
import { faceProblemTable, type FaceProblemCode } from "../../domain/EngineReasons.js"
import type { FaceThresholds } from "../../domain/FaceThresholds.js"

/** To a worker: analyse these frames with these thresholds. */
export interface AnalyzeRequest {
  readonly id: number
  readonly frames: ReadonlyArray<Uint8Array>
  readonly bestFrameIndex: number
  readonly thresholds: FaceThresholds
}

const problemCodes = Object.keys(faceProblemTable) as Array<FaceProblemCode>
const FaceProblem = Schema.Literal(...problemCodes)

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

/** From a worker: its models are loaded (or could not be), or the answer to one request. */
export const WorkerReply = Schema.Union(
  Schema.Struct({ type: Schema.Literal("ready") }),
  Schema.Struct({ type: Schema.Literal("failed"), detail: Schema.String }),
  Schema.Struct({
    type: Schema.Literal("report"),
    id: Schema.Number,
    report: Schema.Struct({
      faceProbability: Schema.Number,
      problem: Schema.UndefinedOr(FaceProblem),
      measurements: Schema.UndefinedOr(Measurements)
    })
  }),
  Schema.Struct({
    type: Schema.Literal("error"),
    id: Schema.Number,
    kind: Schema.Literal("NoFrames", "UndecodableFrame", "ModelFailure"),
    detail: Schema.String
  })
)
export type WorkerReply = typeof WorkerReply.Type
