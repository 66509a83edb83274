/** Runs BlazeFace on a decoded frame and maps its detections back into that frame's pixels. */
import { Effect } from "effect"
import type { InferenceSession } from "onnxruntime-node"
import { decodeDetections, type Detection } from "./BlazeFaceDetector.js"
import { runModel } from "./FaceModels.js"
import { FaceAnalysisError } from "../../domain/FaceAnalyzer.js"
import { shrinkImage } from "./FrameDecoder.js"
import { type Affine, applyAffine, warpToTensor } from "./ImageWarp.js"
import type { RgbImage } from "./RgbImage.js"

/** Candidates below this never matter (the configured threshold is always higher in practice). */
const CANDIDATE_SCORE = 0.1
export interface DetectorInput {
  readonly width: number
  readonly height: number
  /** Input pixel to image pixel. */
  readonly t: Affine
}

/**
 * The frame letterboxed into the model's `size` square, as it was trained. Cutting the black bands
 * of a 16:9 frame (256x192 keeps every anchor grid's phase, 25% less work) was tried and dropped:
 * the network's zero padding then sits next to the picture, and a face touching the top or bottom
 * edge loses up to 0.2 of score (a 150 px face at the bottom edge: 0.72 -> 0.51), which would turn
 * FACE_CROPPED into FACE_NOT_FOUND.
 */
export const detectorInput = (imgWidth: number, imgHeight: number, size: number): DetectorInput => {
  const s = Math.max(imgWidth, imgHeight) / size
  return { width: size, height: size, t: { ax: s, bx: 0, cx: -(size * s - imgWidth) / 2, ay: 0, by: s, cy: -(size * s - imgHeight) / 2 } }
}

/**
 * Faces on `img`, in its pixels. An image larger than the detector's square is first scaled to fit
 * it by libvips (so the letterbox is a plain copy); the other frames arrive at that size already.
 */
export const detectFaces = (session: InferenceSession, img: RgbImage, size: number, target?: Float32Array) =>
  Effect.gen(function* () {
    const small =
      Math.max(img.width, img.height) > size
        ? yield* Effect.tryPromise({
            try: () => shrinkImage(img, size),
            catch: (cause) => new FaceAnalysisError({ kind: "ModelFailure", detail: `detector input: ${String(cause)}` })
          })
        : img
    const input = detectorInput(small.width, small.height, size)
    const tensor = warpToTensor(small, input.t, input.width, 2 / 255, -1, input.height, target)
    const outputs = yield* runModel(session, tensor, input.width, 1, input.height)
    // Detector input pixels -> `small` pixels (input.t) -> `img` pixels (kx, ky).
    const kx = img.width / small.width
    const ky = img.height / small.height
    return decodeDetections(outputs, input.width, input.height, CANDIDATE_SCORE).map((d): Detection => {
      const [x0, y0] = applyAffine(input.t, d.x, d.y)
      const [x1, y1] = applyAffine(input.t, d.x + d.width, d.y + d.height)
      return {
        score: d.score,
        x: x0 * kx,
        y: y0 * ky,
        width: (x1 - x0) * kx,
        height: (y1 - y0) * ky,
        keypoints: d.keypoints.map((p) => {
          const [x, y] = applyAffine(input.t, p.x, p.y)
          return { x: x * kx, y: y * ky }
        })
      }
    })
  })
