/**
 * The face analyzer on onnxruntime-node: BlazeFace finds faces on every frame, FaceMesh measures
 * the main face of the best frame, and the pure checks of `FaceChecks` pick the first problem.
 */
import { Effect, Layer } from "effect"
import { join } from "node:path"
import { FaceAnalysisError, FaceAnalyzer, type FaceMeasurements, type FaceReport } from "../../domain/FaceAnalyzer.js"
import { firstFaceProblem } from "../../domain/FaceChecks.js"
import type { FaceThresholds } from "../../domain/FaceThresholds.js"
import type { Detection } from "./BlazeFaceDetector.js"
import { detectFaces } from "./FaceDetection.js"
import { eyeOpenness } from "./EyeContours.js"
import { headPose, meshBox } from "./FaceGeometry.js"
import { regionFromKeypoints, runMesh } from "./FaceMesh.js"
import { type FaceModels, loadFaceModels } from "./FaceModels.js"
import { decodeFrame } from "./FrameDecoder.js"
import { lowerFaceVisibility } from "./LowerFaceOcclusion.js"

/** Decode sizes (long side): the best frame needs landmarks, the others only a face count. */
const BEST_FRAME_SIDE = 640
const OTHER_FRAME_SIDE = 320
/** Detector input: 256 is the model's native size; faces down to ~20 px there are found. */
const DETECTOR_SIZE = 256

export interface OrtFaceAnalyzerOptions {
  /** Folder holding blazeface.onnx and facemesh.onnx; defaults to `models/` under the cwd. */
  readonly modelsDir?: string
  /** Read on every analysis, so a config change applies at once. */
  readonly thresholds: FaceThresholds | Effect.Effect<FaceThresholds>
}

const decode = (jpeg: Uint8Array, side: number) =>
  Effect.tryPromise({
    try: () => decodeFrame(jpeg, side),
    catch: (cause) => new FaceAnalysisError({ kind: "UndecodableFrame", detail: String(cause) })
  })

const area = (d: Detection): number => d.width * d.height

const analyzeBestFrame = (models: FaceModels, jpeg: Uint8Array, t: FaceThresholds) =>
  Effect.gen(function* () {
    const img = yield* decode(jpeg, BEST_FRAME_SIDE)
    const faces = (yield* detectFaces(models.detector, img, DETECTOR_SIZE)).filter((d) => d.score >= t.min_face_probability)
    if (faces.length === 0) return { faceCount: 0, faceProbability: 0, measure: undefined }
    const main = faces.reduce((a, b) => (area(b) > area(a) ? b : a))
    const mesh = yield* runMesh(models.mesh, img, regionFromKeypoints(main, main.keypoints[0]!, main.keypoints[1]!))
    const eyes = yield* eyeOpenness(models.iris, img, mesh)
    const measure = (maxFaceCountInFrames: number, framesWithoutFace: number): FaceMeasurements => ({
      frameWidth: img.frameWidth,
      frameHeight: img.frameHeight,
      faceCount: faces.length,
      maxFaceCountInFrames,
      framesWithoutFace,
      box: meshBox(mesh, img.scale),
      pose: headPose(mesh),
      eyeOpenness: eyes,
      lowerFaceVisibility: lowerFaceVisibility(mesh),
      landmarkConfidence: mesh.confidence
    })
    return { faceCount: faces.length, faceProbability: main.score, measure }
  })

const countFaces = (models: FaceModels, jpeg: Uint8Array, t: FaceThresholds) =>
  Effect.gen(function* () {
    const img = yield* decode(jpeg, OTHER_FRAME_SIDE)
    const faces = yield* detectFaces(models.detector, img, DETECTOR_SIZE)
    return faces.filter((d) => d.score >= t.min_face_probability).length
  })

export const makeOrtFaceAnalyzer = (models: FaceModels, options: OrtFaceAnalyzerOptions) => {
  const thresholds = Effect.isEffect(options.thresholds) ? options.thresholds : Effect.succeed(options.thresholds)
  return FaceAnalyzer.of({
    analyze: (frames, bestFrameIndex) =>
      Effect.gen(function* () {
        const best = frames[bestFrameIndex]
        if (best === undefined || !Number.isInteger(bestFrameIndex))
          return yield* new FaceAnalysisError({ kind: "NoFrames", detail: `best frame ${bestFrameIndex} of ${frames.length}` })
        const t = yield* thresholds
        const bestResult = yield* analyzeBestFrame(models, best, t)
        if (bestResult.measure === undefined) {
          return { faceProbability: bestResult.faceProbability, problem: "FACE_NOT_FOUND", measurements: undefined } satisfies FaceReport
        }
        // Other frames only matter when the best one is usable so far: count faces on each.
        const counts = yield* Effect.forEach(
          frames.filter((_, i) => i !== bestFrameIndex),
          (frame) => countFaces(models, frame, t)
        )
        const measurements = bestResult.measure(
          Math.max(bestResult.faceCount, ...counts),
          counts.filter((c) => c === 0).length
        )
        return {
          faceProbability: bestResult.faceProbability,
          problem: firstFaceProblem(measurements, t),
          measurements
        } satisfies FaceReport
      })
  })
}

/** The Layer: sessions open once and close with the Layer's scope. */
export const ortFaceAnalyzerLayer = (options: OrtFaceAnalyzerOptions): Layer.Layer<FaceAnalyzer, FaceAnalysisError> =>
  Layer.scoped(
    FaceAnalyzer,
    Effect.map(loadFaceModels(options.modelsDir ?? join(process.cwd(), "models")), (models) => makeOrtFaceAnalyzer(models, options))
  )
