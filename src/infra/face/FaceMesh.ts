/**
 * FaceMesh: 468 landmarks from a 192x192 crop turned so the eyes are level. The crop comes from
 * the detection (box enlarged 1.5x, as MediaPipe's face-landmark graph does).
 */
import type { InferenceSession } from "onnxruntime-node"
import type { Point } from "./BlazeFaceDetector.js"
import { applyAffine, rotatedCrop, warpToTensor } from "./ImageWarp.js"
import { runModel } from "./FaceModels.js"
import type { RgbImage } from "./RgbImage.js"

export const MESH_SIZE = 192
const CROP_ENLARGE = 1.5

export interface Mesh {
  /** Landmark i in image pixels: x[i], y[i]; z[i] in the same scale (depth, camera-facing < 0). */
  readonly x: Float32Array
  readonly y: Float32Array
  readonly z: Float32Array
  /** The crop the model saw, NCHW in [0, 1], and landmarks in its pixels (for region sampling). */
  readonly crop: Float32Array
  readonly cropX: Float32Array
  readonly cropY: Float32Array
  /** In-plane angle of the crop, radians (image y down). */
  readonly cropAngle: number
  /** Model confidence in [0, 1] that the crop holds a face. */
  readonly confidence: number
}

export interface FaceRegion {
  /** Centre and side in image pixels. */
  readonly cx: number
  readonly cy: number
  readonly side: number
  /** Eye-line angle in radians: from the subject's right eye to the left eye. */
  readonly angle: number
}

export const regionFromKeypoints = (box: { x: number; y: number; width: number; height: number }, rightEye: Point, leftEye: Point): FaceRegion => ({
  cx: box.x + box.width / 2,
  cy: box.y + box.height / 2,
  side: Math.max(box.width, box.height) * CROP_ENLARGE,
  angle: Math.atan2(leftEye.y - rightEye.y, leftEye.x - rightEye.x)
})

/** `target`: where the crop goes (a pooled buffer); the returned Mesh reads it, so it must outlive the Mesh. */
export const runMesh = async (session: InferenceSession, img: RgbImage, region: FaceRegion, target?: Float32Array): Promise<Mesh> => {
  const t = rotatedCrop(region.cx, region.cy, region.side, region.angle, MESH_SIZE)
  const crop = warpToTensor(img, t, MESH_SIZE, 1 / 255, 0, MESH_SIZE, target)
  const outputs = await runModel(session, crop, MESH_SIZE)
  const raw = Object.values(outputs).find((o) => o.dims[o.dims.length - 1] === 1404)!.data as Float32Array
  const flag = Object.values(outputs).find((o) => o.dims[o.dims.length - 1] === 1 && o.dims.length === 2)!
  const n = raw.length / 3
  const x = new Float32Array(n)
  const y = new Float32Array(n)
  const z = new Float32Array(n)
  const cropX = new Float32Array(n)
  const cropY = new Float32Array(n)
  const zScale = region.side / MESH_SIZE
  for (let i = 0; i < n; i++) {
    cropX[i] = raw[i * 3]!
    cropY[i] = raw[i * 3 + 1]!
    const [px, py] = applyAffine(t, raw[i * 3]!, raw[i * 3 + 1]!)
    x[i] = px
    y[i] = py
    z[i] = raw[i * 3 + 2]! * zScale
  }
  return {
    x,
    y,
    z,
    crop,
    cropX,
    cropY,
    cropAngle: region.angle,
    confidence: (flag.data as Float32Array)[0]!
  }
}
