/**
 * The face analyzer on onnxruntime-node: BlazeFace finds candidate faces on every frame, FaceMesh
 * confirms them (`FaceConfirmation`: a detection is a face only when the landmark model agrees) and
 * measures the main face of the best frame, and the pure checks of `FaceChecks` pick the first problem.
 *
 * Work is skipped only where it cannot change the answer (checks run in a fixed order, the first
 * failing one wins): other frames are not looked at when the best frame already shows several
 * faces (TOO_MANY_FACES comes first), a frame byte-identical to one already seen reuses its count,
 * the Iris model runs only when every check before EYES_CLOSED passes, and on the second eye only
 * when the first reads closed. A further frame that shows the best frame's scene within sensor
 * noise, hand motion and exposure drift (`SceneChange.ts`) keeps a clear face's count, as a
 * byte-identical one does.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { join } from "node:path"
import { FaceAnalysisError, FaceAnalyzer, type FaceMeasurements, type FaceReport } from "../../domain/FaceAnalyzer.js"
import { faceChecks, firstFaceProblem } from "../../domain/FaceChecks.js"
import type { FaceThresholds } from "../../domain/FaceThresholds.js"
import { DETECTOR_SIDE, detectFaces } from "./FaceDetection.js"
import { isSameScene, type SceneTable, sceneTable } from "./SceneChange.js"
import { eyeOpenness, IRIS_SIZE, meshEyeOpenness } from "./EyeContours.js"
import { headPose, meshBox } from "./FaceGeometry.js"
import { confirmOnBestFrame, countConfirmedOnFrame, type JudgedDetection } from "./FaceConfirmation.js"
import { MESH_SIZE } from "./FaceMesh.js"
import { type FaceModels, loadFaceModels } from "./FaceModels.js"
import { loadNativeAddon } from "../native/NativeAddon.js"
import { decodeShrunk, type ScaledJpegDecoder } from "./FrameDecoder.js"
import { lowerFaceVisibility } from "./LowerFaceOcclusion.js"
import { type Scratch, scratchPool } from "./Scratch.js"

/**
 * Decode size of the best frame: landmark and eye crops need more pixels than the detector. At
 * least 320 px on the long side and at least a quarter of the frame (1280x720: 320x180): on the
 * fixtures, landmarks, pose (within 2 degrees), eye ratios (within 0.04) and every answer match
 * those read at 640 px, for faces down to the 150 px minimum; at 256 px a 160 px face with shut
 * eyes read as open.
 */
const BEST_FRAME_MIN_SIDE = 320
const BEST_FRAME_MAX_SHRINK = 4

export interface OrtFaceAnalyzerOptions {
  /** Folder holding blazeface.onnx, facemesh.onnx and iris.onnx; defaults to `models/` under the cwd. */
  readonly modelsDir?: string
  /** Read on every analysis, so a config change applies at once. */
  readonly thresholds: FaceThresholds | Effect.Effect<FaceThresholds>
  /** The scaled JPEG decoder; defaults to the native addon's. */
  readonly decoder?: ScaledJpegDecoder
}

const decodeWith = async (decoder: ScaledJpegDecoder, jpeg: Uint8Array, minSide: number, maxShrink: number, target: Uint8Array) => {
  try {
    return await decodeShrunk(decoder, jpeg, minSide, maxShrink, target)
  } catch (cause) {
    throw new FaceAnalysisError({ kind: "UndecodableFrame", detail: String(cause) })
  }
}

/** Where EYES_CLOSED sits in the check order: a problem found before it is the answer as it stands. */
const EYES_CHECK = faceChecks.findIndex(([code]) => code === "EYES_CLOSED")
const decidedBeforeEyes = (m: FaceMeasurements, t: FaceThresholds): boolean => {
  const problem = firstFaceProblem({ ...m, eyeOpenness: { left: Infinity, right: Infinity } }, t)
  if (problem === undefined) return false
  const index = faceChecks.findIndex(([code]) => code === problem)
  return index >= 0 && index < EYES_CHECK
}

const analyzeBestFrame = async (models: FaceModels, decoder: ScaledJpegDecoder, jpeg: Uint8Array, t: FaceThresholds, scratch: Scratch) => {
  const img = await decodeWith(decoder, jpeg, BEST_FRAME_MIN_SIDE, BEST_FRAME_MAX_SHRINK, scratch.bestFrame)
  const detections = (await detectFaces(models.detector, img, scratch.detector)).filter((d) => d.score >= t.min_face_probability)
  // Two confirmed faces already decide TOO_MANY_FACES: no need to judge the rest.
  const { faces, judged } = await confirmOnBestFrame(models.mesh, img, detections, t.min_face_presence, 2, scratch.mesh)
  const main = faces[0]
  if (main === undefined) return { faceCount: 0, faceProbability: 0, facePresence: 0, judged, img, measure: undefined }
  const mesh = main.mesh
  const measure = async (maxFaceCountInFrames: number, framesWithoutFace: number): Promise<FaceMeasurements> => {
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
    const eyes = await eyeOpenness(models.iris, img, mesh, t.min_eye_openness, scratch.eyes)
    return { ...withoutEyes, eyeOpenness: eyes }
  }
  return { faceCount: faces.length, faceProbability: main.detection.score, facePresence: mesh.confidence, judged, img, measure }
}

/** What the further frames are compared with: the best frame's face count and its scene table (made on first use). */
interface BestFrameScene {
  readonly faceCount: number
  /** The best frame's face is far enough from the detector's and FaceMesh's thresholds to stand for a same-scene frame (`isClearFace`). */
  readonly clearFace: boolean
  readonly judged: ReadonlyArray<JudgedDetection>
  readonly scene: () => SceneTable
}

/**
 * Margins over `min_face_probability` and `min_face_presence` that make the best frame's face a
 * clear one. A same-scene further frame keeps only a clear face's count: near the thresholds its own
 * detection is a second opinion (things that are not faces, such as the rocket of eval:faces, read
 * 0.53-0.95 on FaceMesh and vary between frames; real faces read 1.00 in 95% of cases).
 */
const CLEAR_SCORE_MARGIN = 0.2
const CLEAR_PRESENCE_MARGIN = 0.3

const isClearFace = (score: number, presence: number, t: FaceThresholds): boolean =>
  score >= t.min_face_probability + CLEAR_SCORE_MARGIN && presence >= t.min_face_presence + CLEAR_PRESENCE_MARGIN

/**
 * Confirmed faces on a frame other than the best, up to two (more cannot change the answer);
 * decoded straight to the detector's scale. A frame showing the best frame's scene (`SceneChange.ts`:
 * sensor noise, a few pixels of hand motion, exposure drift) holds the same faces, as a
 * byte-identical one does, when the best frame's face is a clear one; any other frame gets the
 * whole detection and confirmation.
 */
const countFaces = async (
  models: FaceModels,
  decoder: ScaledJpegDecoder,
  jpeg: Uint8Array,
  t: FaceThresholds,
  best: BestFrameScene,
  scratch: Scratch
): Promise<number> => {
  const img = await decodeWith(decoder, jpeg, DETECTOR_SIDE, 8, scratch.otherFrame)
  if (best.clearFace) {
    if (isSameScene(best.scene(), sceneTable(img, scratch.otherScene))) return best.faceCount
  }
  const detections = (await detectFaces(models.detector, img, scratch.detector)).filter((d) => d.score >= t.min_face_probability)
  return countConfirmedOnFrame(models.mesh, img, detections, best.judged, t.min_face_presence, 2)
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)

/** The analysis of a capture's frames, all of it (`frames[bestFrameIndex]` exists). */
const analyzeFrames = async (
  models: FaceModels,
  decoder: ScaledJpegDecoder,
  frames: ReadonlyArray<Uint8Array>,
  bestFrameIndex: number,
  t: FaceThresholds,
  scratch: Scratch
): Promise<FaceReport> => {
  const best = frames[bestFrameIndex]!
  const bestResult = await analyzeBestFrame(models, decoder, best, t, scratch)
  if (bestResult.measure === undefined) {
    return { faceProbability: bestResult.faceProbability, problem: "FACE_NOT_FOUND", measurements: undefined }
  }
  // Other frames only matter when the best one shows exactly one face: count faces on each.
  const seen: Array<readonly [Uint8Array, number]> = [[best, bestResult.faceCount]]
  let bestTable: SceneTable | undefined
  const bestScene: BestFrameScene = {
    faceCount: bestResult.faceCount,
    clearFace: isClearFace(bestResult.faceProbability, bestResult.facePresence, t),
    judged: bestResult.judged,
    scene: () => (bestTable ??= sceneTable(bestResult.img, scratch.bestScene))
  }
  const counts: Array<number> = []
  if (bestResult.faceCount === 1) {
    for (const [i, frame] of frames.entries()) {
      if (i === bestFrameIndex) continue
      const known = seen.find(([bytes]) => sameBytes(bytes, frame))
      const count = known !== undefined ? known[1] : await countFaces(models, decoder, frame, t, bestScene, scratch)
      if (known === undefined) seen.push([frame, count])
      counts.push(count)
    }
  }
  const measurements = await bestResult.measure(Math.max(bestResult.faceCount, ...counts), counts.filter((c) => c === 0).length)
  return { faceProbability: bestResult.faceProbability, problem: firstFaceProblem(measurements, t), measurements }
}

/** One analysis with these thresholds and this decoder; the face worker calls it per request. */
export type FrameAnalysis = (
  frames: ReadonlyArray<Uint8Array>,
  bestFrameIndex: number,
  thresholds: FaceThresholds,
  decoder: ScaledJpegDecoder
) => Effect.Effect<FaceReport, FaceAnalysisError>

/**
 * The analysis on these sessions, as one Effect around plain async functions. Each step used to be
 * an Effect of its own (~100 a capture); on a face worker, Effect's run loop then cost ~1.2 ms a
 * capture and its per-call closures kept TurboFan recompiling (docs/performance.md, round 5). Steps
 * throw only FaceAnalysisError (a model run or a decode failing); anything else is a ModelFailure.
 */
export const makeFrameAnalysis = (models: FaceModels): FrameAnalysis => {
  const scratchBuffers = scratchPool(DETECTOR_SIDE, MESH_SIZE, IRIS_SIZE, FRAME_BUFFER_BYTES, SCENE_TABLE_SIZE)
  return (frames, bestFrameIndex, thresholds, decoder) => {
    if (frames[bestFrameIndex] === undefined || !Number.isInteger(bestFrameIndex))
      return Effect.fail(new FaceAnalysisError({ kind: "NoFrames", detail: `best frame ${bestFrameIndex} of ${frames.length}` }))
    return Effect.tryPromise({
      try: async () => {
        // Native work (decodes into pooled buffers, model runs reading them) cannot be stopped half
        // way: the buffers go back to the pool only once it has all finished.
        const scratch = scratchBuffers.take()
        try {
          return await analyzeFrames(models, decoder, frames, bestFrameIndex, thresholds, scratch)
        } finally {
          scratchBuffers.give(scratch)
        }
      },
      catch: (cause) => (cause instanceof FaceAnalysisError ? cause : new FaceAnalysisError({ kind: "ModelFailure", detail: String(cause) }))
    }).pipe(Effect.uninterruptible)
  }
}

/**
 * `decoder` may be read per analysis (an effect), as `thresholds` are: a config change applies at
 * once.
 */
export const makeOrtFaceAnalyzer = (
  models: FaceModels,
  decoder: ScaledJpegDecoder | Effect.Effect<ScaledJpegDecoder>,
  options: OrtFaceAnalyzerOptions
) => {
  const thresholds = Effect.isEffect(options.thresholds) ? options.thresholds : Effect.succeed(options.thresholds)
  const decoderOfAnalysis = Effect.isEffect(decoder) ? decoder : Effect.succeed(decoder)
  const analysis = makeFrameAnalysis(models)
  return FaceAnalyzer.of({
    analyze: (frames, bestFrameIndex) =>
      Effect.flatMap(Effect.zip(thresholds, decoderOfAnalysis), ([t, d]) => analysis(frames, bestFrameIndex, t, d))
  })
}

/** Pooled decode targets hold a frame at 1/4 up to 1280x960 (larger frames get a buffer of their own). */
const FRAME_BUFFER_BYTES = 320 * 240 * 3
/** Scene tables of such a frame: (width + 1) x (height + 1). */
const SCENE_TABLE_SIZE = 321 * 241

/** The addon's scaled JPEG decoder; a missing build is a startup error that says how to build it. */
const addonDecoder = Effect.try({
  try: (): ScaledJpegDecoder => loadNativeAddon().decodeJpegScaled,
  catch: (cause) => new FaceAnalysisError({ kind: "ModelFailure", detail: `native addon (run \`npm ci\`): ${String(cause)}` })
})

/** The Layer: sessions open once and close with the Layer's scope. */
export const ortFaceAnalyzerLayer = (options: OrtFaceAnalyzerOptions): Layer.Layer<FaceAnalyzer, FaceAnalysisError> =>
  Layer.scoped(
    FaceAnalyzer,
    Effect.gen(function* () {
      const models = yield* loadFaceModels(options.modelsDir ?? join(process.cwd(), "models"))
      const decoder = options.decoder ?? (yield* addonDecoder)
      return makeOrtFaceAnalyzer(models, decoder, options)
    })
  )
