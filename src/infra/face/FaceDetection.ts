/** Runs BlazeFace on a decoded frame and maps its detections back into that frame's pixels. */
import { decodeDetections, type Detection } from "./BlazeFaceDetector.js"
import { detectorSessionFor, type DetectorSessions } from "./DetectorSessions.js"
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
/**
 * Black added at both ends of the long side when a candidate is cut by one of them (see
 * `detectFaces`): a whole grid cell, so the picture keeps its phase on both anchor grids.
 */
const EDGE_BAND = 32
/**
 * A candidate cut by an end of the long side gets the second run from this score: the cut faces of
 * the evaluation's tune part scored 0.40 and more without the bands (and 0.1-0.3 more with them),
 * while the candidates at those ends on its other photos (scenes, backgrounds) scored at most
 * 0.32, mostly under 0.2, so an ordinary capture rarely pays for it.
 */
const EDGE_RETRY_SCORE = 0.25

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
 * ones, a face at the bottom edge lost up to 0.16 of score. `edgeBand` px of black at both ends
 * of the long side make it 256 + 2 * `edgeBand` (320x192 for 16:9 with 32).
 */
export const detectorInput = (imgWidth: number, imgHeight: number, edgeBand = 0): DetectorInput => {
  const s = Math.max(imgWidth, imgHeight) / DETECTOR_SIDE
  const side = (picture: number) =>
    picture >= DETECTOR_SIDE - 0.5
      ? DETECTOR_SIDE + 2 * edgeBand
      : Math.min(DETECTOR_SIDE, Math.ceil((picture + 2 * BAND) / GRID) * GRID)
  const width = side(imgWidth / s)
  const height = side(imgHeight / s)
  return { width, height, t: { ax: s, bx: 0, cx: -(width * s - imgWidth) / 2, ay: 0, by: s, cy: -(height * s - imgHeight) / 2 } }
}

/** Whether `d` (in image pixels) reaches past an end of the image's long side (both, when square). */
export const cutByLongSide = (d: Detection, imgWidth: number, imgHeight: number): boolean => {
  const long = Math.max(imgWidth, imgHeight)
  return (
    (imgWidth >= long && (d.x < 0 || d.x + d.width > imgWidth)) ||
    (imgHeight >= long && (d.y < 0 || d.y + d.height > imgHeight))
  )
}

const runDetector = async (sessions: DetectorSessions, img: RgbImage, input: DetectorInput, target?: Float32Array): Promise<Array<Detection>> => {
  // The wider input of a cut face may not fit the pooled buffer (a 4:3 frame: 320x256).
  const pooled = target !== undefined && target.length >= 3 * input.width * input.height ? target : undefined
  const tensor = warpToTensor(img, input.t, input.width, 2 / 255, -1, input.height, pooled)
  const outputs = await runModel(detectorSessionFor(sessions, input.width, input.height), tensor, input.width, 1, input.height)
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
}

/**
 * Faces on `img`, in its pixels. The image is sampled straight into the detector's input (bilinear):
 * frames arrive decoded at 256 px (a plain copy) or, for the best frame, at 320 px (a 1.25 reduction).
 *
 * The long side fills the input, so a face cut by one of its ends lies on the network's zero
 * padding, and BlazeFace scores it low: faces a quarter outside the left edge scored 0.40-0.49,
 * under `min_face_probability`, and were answered FACE_NOT_FOUND instead of FACE_CROPPED. When a
 * candidate scoring 0.25 or more reaches past an end of the long side, the detector runs again with
 * 32 px of black at both ends (320x192 for 16:9) and that run's answer is taken: two of those
 * faces then scored 0.61 and 0.64 (the evaluation's cut faces 0.46-0.84 against 0.40-0.73). Only
 * frames with such a candidate pay for the second run; bands on every frame would cost +12-25% of
 * detector time on all of them, or move every detection (docs/face-analysis.md).
 */
export const detectFaces = async (sessions: DetectorSessions, img: RgbImage, target?: Float32Array): Promise<Array<Detection>> => {
  const plain = await runDetector(sessions, img, detectorInput(img.width, img.height), target)
  if (!plain.some((d) => d.score >= EDGE_RETRY_SCORE && cutByLongSide(d, img.width, img.height))) return plain
  return runDetector(sessions, img, detectorInput(img.width, img.height, EDGE_BAND), target)
}
