/**
 * The face analyzer port: what the frames of a capture show of a face. The ONNX Layer in
 * `src/infra/face` runs real models; a fake Layer lets testers choose the report.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type { FaceProblemCode } from "./EngineReasons.js"

/** Axis-aligned box in frame pixels; it may reach outside the frame when the face is cut off. */
export interface FaceBox {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

/** Head pose in degrees: yaw turns left/right, pitch nods up/down, roll tilts in the image plane. */
export interface HeadPose {
  readonly yaw: number
  readonly pitch: number
  readonly roll: number
}

/** What the models measured on the best frame (and, for counts, on every frame). */
export interface FaceMeasurements {
  readonly frameWidth: number
  readonly frameHeight: number
  /**
   * Confirmed faces on the best frame: detections above the detection threshold that the landmark
   * model also reads as a face (face presence at least `min_face_presence`).
   */
  readonly faceCount: number
  /** Most confirmed faces on any single frame of the capture. */
  readonly maxFaceCountInFrames: number
  /** Frames (other than the best) where no face was confirmed. */
  readonly framesWithoutFace: number
  /** The main face, from its landmarks (forehead to chin, cheek to cheek). */
  readonly box: FaceBox
  readonly pose: HeadPose
  /** Eye aspect ratio (lid gap / eye width) per eye, about 0.25-0.35 open and under 0.1 closed. */
  readonly eyeOpenness: { readonly left: number; readonly right: number }
  /** Likeness in [0, 1] of the lower face (mouth, chin) to the upper face skin; low when covered. */
  readonly lowerFaceVisibility: number
  /** Landmark model confidence in [0, 1] that the main face's crop holds a face (face presence). */
  readonly landmarkConfidence: number
}

export interface FaceReport {
  /** Detector confidence in [0, 1] for the main face on the best frame; 0 when none is found. */
  readonly faceProbability: number
  /** The first failing check, or `undefined` when the face is usable. */
  readonly problem: FaceProblemCode | undefined
  /** Absent when no face was found on the best frame. */
  readonly measurements: FaceMeasurements | undefined
}

/**
 * - `NoFrames`: the frame list is empty or the best index is out of range.
 * - `UndecodableFrame`: a frame is not a decodable image.
 * - `ModelFailure`: the runtime failed to run a model (logged, answered as an internal error).
 */
export class FaceAnalysisError extends Data.TaggedError("FaceAnalysisError")<{
  readonly kind: "NoFrames" | "UndecodableFrame" | "ModelFailure"
  readonly detail: string
}> {}

export interface FaceAnalyzerShape {
  /** Frames are JPEG bytes; `bestFrameIndex` picks the frame that gets the full analysis. */
  readonly analyze: (
    frames: ReadonlyArray<Uint8Array>,
    bestFrameIndex: number
  ) => Effect.Effect<FaceReport, FaceAnalysisError>
}

export class FaceAnalyzer extends Context.Tag("iad/FaceAnalyzer")<FaceAnalyzer, FaceAnalyzerShape>() {}
