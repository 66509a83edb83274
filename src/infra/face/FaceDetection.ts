/** Runs BlazeFace on a decoded frame and maps its detections back into that frame's pixels. */
import { Effect } from "effect"
import type { InferenceSession } from "onnxruntime-node"
import { decodeDetections, type Detection } from "./BlazeFaceDetector.js"
import { runModel } from "./FaceModels.js"
import { applyAffine, halve, letterbox, warpToTensor } from "./ImageWarp.js"
import type { RgbImage } from "./RgbImage.js"

/** Candidates below this never matter (the configured threshold is always higher in practice). */
const CANDIDATE_SCORE = 0.1

export const detectFaces = (session: InferenceSession, img: RgbImage, size: number) =>
  Effect.gen(function* () {
    let small = img
    // Halve first so the bilinear letterbox never shrinks by more than 2x (no aliasing).
    while (Math.max(small.width, small.height) > 2 * size) small = halve(small)
    const t = letterbox(small, size)
    const outputs = yield* runModel(session, warpToTensor(small, t, size, 2 / 255, -1), size)
    const k = small.scale / img.scale
    return decodeDetections(outputs, size, CANDIDATE_SCORE).map((d): Detection => {
      const [x0, y0] = applyAffine(t, d.x, d.y)
      const [x1, y1] = applyAffine(t, d.x + d.width, d.y + d.height)
      return {
        score: d.score,
        x: x0 * k,
        y: y0 * k,
        width: (x1 - x0) * k,
        height: (y1 - y0) * k,
        keypoints: d.keypoints.map((p) => {
          const [x, y] = applyAffine(t, p.x, p.y)
          return { x: x * k, y: y * k }
        })
      }
    })
  })
