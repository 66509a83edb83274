/** Runs BlazeFace on a decoded frame and maps its detections back into that frame's pixels. */
import * as Effect from "effect/Effect"
import type { InferenceSession } from "onnxruntime-node"
import { decodeDetections, type Detection } from "./BlazeFaceDetector.js"
import { runModel } from "./FaceModels.js"
import { type Affine, applyAffine, warpToTensor } from "./ImageWarp.js"
import type { RgbImage } from "./RgbImage.js"

/** Candidates below this never matter (the configured threshold is always higher in practice). */
const CANDIDATE_SCORE = 0.1
/** The model's training size: the frame's long side is scaled to this. */
export const DETECTOR_SIDE = 256
/** Black kept above and below (or beside) the picture, see `detectorInput`. */
const BAND = 24
/** The coarser anchor grid's stride: the input's short side is a multiple of it. */
const GRID = 32

export interface DetectorInput {
  readonly width: number
  readonly height: number
  /** Input pixel to image pixel. */
  readonly t: Affine
}

/**
 * The frame scaled so its long side is 256 (the model's size) and padded black on the short side
 * to the next multiple of 32 that leaves at least 24 px each side: 256x192 for a 16:9 frame, 25%
 * less work than the 256x256 letterbox the model was trained on, with the same answers. The
 * 24 px bands put the picture at the same phase of the 32 px anchor grid as the square letterbox
 * (56 px bands) does, so scores stay within ~0.03 of it on the fixtures, faces at the edges
 * included; without bands (the network's zero padding then touches the picture) or with 8 px
 * ones, a face at the bottom edge lost up to 0.16 of score.
 */
export const detectorInput = (imgWidth: number, imgHeight: number): DetectorInput => {
  const s = Math.max(imgWidth, imgHeight) / DETECTOR_SIDE
  const side = (picture: number) =>
    picture >= DETECTOR_SIDE - 0.5 ? DETECTOR_SIDE : Math.min(DETECTOR_SIDE, Math.ceil((picture + 2 * BAND) / GRID) * GRID)
  const width = side(imgWidth / s)
  const height = side(imgHeight / s)
  return { width, height, t: { ax: s, bx: 0, cx: -(width * s - imgWidth) / 2, ay: 0, by: s, cy: -(height * s - imgHeight) / 2 } }
}

/**
 * Faces on `img`, in its pixels. The image is sampled straight into the detector's input (bilinear):
 * frames arrive decoded at 256 px (a plain copy) or, for the best frame, at 320 px (a 1.25 reduction).
 */
export const detectFaces = (session: InferenceSession, img: RgbImage, target?: Float32Array) =>
  detectFacesOn(session, img, detectorInput(img.width, img.height), target)

/** Faces on `img` as the detector sees it through `input` (the whole frame, or a window of it: `FaceWindow.ts`). */
export const detectFacesOn = (session: InferenceSession, img: RgbImage, input: DetectorInput, target?: Float32Array) =>
  Effect.gen(function* () {
    const tensor = warpToTensor(img, input.t, input.width, 2 / 255, -1, input.height, target)
    const outputs = yield* runModel(session, tensor, input.width, 1, input.height)
    return decodeDetections(outputs, input.width, input.height, CANDIDATE_SCORE).map((d): Detection => {
      const [x0, y0] = applyAffine(input.t, d.x, d.y)
      const [x1, y1] = applyAffine(input.t, d.x + d.width, d.y + d.height)
      return {
        score: d.score,
        x: x0,
        y: y0,
        width: x1 - x0,
        height: y1 - y0,
        keypoints: d.keypoints.map((p) => {
          const [x, y] = applyAffine(input.t, p.x, p.y)
          return { x, y }
        })
      }
    })
  })
