/**
 * The face analyzer on onnxruntime-node: BlazeFace finds faces on every frame, FaceMesh measures
 * the main face of the best frame, and the pure checks of `FaceChecks` pick the first problem.
 *
 * Work is skipped only where it cannot change the answer (checks run in a fixed order, the first
 * failing one wins): other frames are not looked at when the best frame already shows several
 * faces (TOO_MANY_FACES comes first), a frame byte-identical to one already seen reuses its count,
 * the Iris model runs only when every check before EYES_CLOSED passes, and on the second eye only
 * when the first reads closed.
 */
import { Effect, Layer } from "effect"
import { join } from "node:path"
import { FaceAnalysisError, FaceAnalyzer, type FaceMeasurements, type FaceReport } from "../../domain/FaceAnalyzer.js"
import { faceChecks, firstFaceProblem } from "../../domain/FaceChecks.js"
import type { FaceThresholds } from "../../domain/FaceThresholds.js"
import type { Detection } from "./BlazeFaceDetector.js"
import { DETECTOR_SIDE, detectFaces } from "./FaceDetection.js"
import { eyeOpenness, IRIS_SIZE, meshEyeOpenness } from "./EyeContours.js"
import { headPose, meshBox } from "./FaceGeometry.js"
import { MESH_SIZE, regionFromKeypoints, runMesh } from "./FaceMesh.js"
import { type FaceModels, loadFaceModels } from "./FaceModels.js"
import { decodeToSide } from "./FrameDecoder.js"
import { lowerFaceVisibility } from "./LowerFaceOcclusion.js"
import { type Scratch, scratchPool } from "./Scratch.js"

/**
 * Decode size (long side) of the best frame: landmark and eye crops need more pixels than the
 * detector. A quarter of the frame, and at least 320 px: on the fixtures, landmarks, pose (within
 * 2 degrees), eye ratios (within 0.04) and every answer match those read at 640 px, for faces
 * down to the 150 px minimum; at 256 px a 160 px face with shut eyes read as open.
 */
const bestFrameSide = (longSide: number): number => Math.min(longSide, Math.max(320, Math.ceil(longSide / 4)))

export interface OrtFaceAnalyzerOptions {
  /** Folder holding blazeface.onnx and facemesh.onnx; defaults to `models/` under the cwd. */
  readonly modelsDir?: string
  /** Read on every analysis, so a config change applies at once. */
  readonly thresholds: FaceThresholds | Effect.Effect<FaceThresholds>
}

const decodeWith = (jpeg: Uint8Array, side: (longSide: number) => number) =>
  Effect.tryPromise({
    try: () => decodeToSide(jpeg, side),
    catch: (cause) => new FaceAnalysisError({ kind: "UndecodableFrame", detail: String(cause) })
  })

const area = (d: Detection): number => d.width * d.height

/** Where EYES_CLOSED sits in the check order: a problem found before it is the answer as it stands. */
const EYES_CHECK = faceChecks.findIndex(([code]) => code === "EYES_CLOSED")
const decidedBeforeEyes = (m: FaceMeasurements, t: FaceThresholds): boolean => {
  const problem = firstFaceProblem({ ...m, eyeOpenness: { left: Infinity, right: Infinity } }, t)
  if (problem === undefined) return false
  const index = faceChecks.findIndex(([code]) => code === problem)
  return index >= 0 && index < EYES_CHECK
}

const analyzeBestFrame = (models: FaceModels, jpeg: Uint8Array, t: FaceThresholds, scratch: Scratch) =>
  Effect.gen(function* () {
    const img = yield* decodeWith(jpeg, bestFrameSide)
    const faces = (yield* detectFaces(models.detector, img, scratch.detector)).filter(
      (d) => d.score >= t.min_face_probability
    )
    if (faces.length === 0) return { faceCount: 0, faceProbability: 0, measure: undefined }
    const main = faces.reduce((a, b) => (area(b) > area(a) ? b : a))
    const mesh = yield* runMesh(models.mesh, img, regionFromKeypoints(main, main.keypoints[0]!, main.keypoints[1]!), scratch.mesh)
    const measure = (maxFaceCountInFrames: number, framesWithoutFace: number) =>
      Effect.gen(function* () {
        const withoutEyes: FaceMeasurements = {
          frameWidth: img.frameWidth,
          frameHeight: img.frameHeight,
          faceCount: faces.length,
          maxFaceCountInFrames,
          framesWithoutFace,
          box: meshBox(mesh, img.scale),
          pose: headPose(mesh),
          eyeOpenness: meshEyeOpenness(mesh),
          lowerFaceVisibility: lowerFaceVisibility(mesh),
          landmarkConfidence: mesh.confidence
        }
        if (decidedBeforeEyes(withoutEyes, t)) return withoutEyes
        const eyes = yield* eyeOpenness(models.iris, img, mesh, t.min_eye_openness, scratch.eyes)
        return { ...withoutEyes, eyeOpenness: eyes } satisfies FaceMeasurements
      })
    return { faceCount: faces.length, faceProbability: main.score, measure }
  })

/** Faces on a frame other than the best: only counted, so decoded straight to the detector's scale. */
const countFaces = (models: FaceModels, jpeg: Uint8Array, t: FaceThresholds, scratch: Scratch) =>
  Effect.gen(function* () {
    const img = yield* decodeWith(jpeg, (longSide) => Math.min(longSide, DETECTOR_SIDE))
    const faces = yield* detectFaces(models.detector, img, scratch.detector)
    return faces.filter((d) => d.score >= t.min_face_probability).length
  })

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)

export const makeOrtFaceAnalyzer = (models: FaceModels, options: OrtFaceAnalyzerOptions) => {
  const thresholds = Effect.isEffect(options.thresholds) ? options.thresholds : Effect.succeed(options.thresholds)
  const scratchBuffers = scratchPool(DETECTOR_SIDE, MESH_SIZE, IRIS_SIZE)
  return FaceAnalyzer.of({
    analyze: (frames, bestFrameIndex) =>
      Effect.gen(function* () {
        const scratch = yield* scratchBuffers
        const best = frames[bestFrameIndex]
        if (best === undefined || !Number.isInteger(bestFrameIndex))
          return yield* new FaceAnalysisError({ kind: "NoFrames", detail: `best frame ${bestFrameIndex} of ${frames.length}` })
        const t = yield* thresholds
        const bestResult = yield* analyzeBestFrame(models, best, t, scratch)
        if (bestResult.measure === undefined) {
          return { faceProbability: bestResult.faceProbability, problem: "FACE_NOT_FOUND", measurements: undefined } satisfies FaceReport
        }
        // Other frames only matter when the best one shows exactly one face: count faces on each.
        const seen: Array<readonly [Uint8Array, number]> = [[best, bestResult.faceCount]]
        const counts: Array<number> = []
        if (bestResult.faceCount === 1) {
          for (const [i, frame] of frames.entries()) {
            if (i === bestFrameIndex) continue
            const known = seen.find(([bytes]) => sameBytes(bytes, frame))
            const count = known !== undefined ? known[1] : yield* countFaces(models, frame, t, scratch)
            if (known === undefined) seen.push([frame, count])
            counts.push(count)
          }
        }
        const measurements = yield* bestResult.measure(
          Math.max(bestResult.faceCount, ...counts),
          counts.filter((c) => c === 0).length
        )
        return {
          faceProbability: bestResult.faceProbability,
          problem: firstFaceProblem(measurements, t),
          measurements
        } satisfies FaceReport
      }).pipe(Effect.scoped)
  })
}

/** The Layer: sessions open once and close with the Layer's scope. */
export const ortFaceAnalyzerLayer = (options: OrtFaceAnalyzerOptions): Layer.Layer<FaceAnalyzer, FaceAnalysisError> =>
  Layer.scoped(
    FaceAnalyzer,
    Effect.map(loadFaceModels(options.modelsDir ?? join(process.cwd(), "models")), (models) => makeOrtFaceAnalyzer(models, options))
  )
