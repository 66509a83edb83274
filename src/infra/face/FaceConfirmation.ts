/**
 * A detection counts as a face only when FaceMesh agrees: BlazeFace alone fires at 0.6-0.75 on a
 * cat's face, a cup or a smiley-like pattern, where FaceMesh's face-presence output reads ~0 (and
 * ~1 on real faces). Each frame where faces are counted gets its detections confirmed this way.
 *
 * On a frame other than the best, a detection in the place of one already judged on the best frame
 * (boxes overlapping by IoU >= 0.5: a burst moves a few pixels between frames) carries that
 * judgement instead of running FaceMesh again; any other detection is judged on its own frame. This
 * keeps the usual single-face capture at one FaceMesh run, as before.
 */
import type { InferenceSession } from "onnxruntime-node"
import type { Detection } from "./BlazeFaceDetector.js"
import { type Mesh, regionFromKeypoints, runMesh } from "./FaceMesh.js"
import type { RgbImage } from "./RgbImage.js"

/** A detection's box in frame pixels (frames may be decoded at different scales). */
export interface FrameBox {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

/** A detection's place on the frame and the landmark model's verdict on it. */
export interface JudgedDetection {
  readonly box: FrameBox
  readonly isFace: boolean
}

/** Overlap at which a detection on another frame is the same thing as one on the best frame. */
const SAME_PLACE_IOU = 0.5

const area = (d: FrameBox): number => d.width * d.height
const largestFirst = (a: FrameBox, b: FrameBox): number => area(b) - area(a)

const frameBox = (d: Detection, img: RgbImage): FrameBox => ({
  x: d.x * img.scale,
  y: d.y * img.scale,
  width: d.width * img.scale,
  height: d.height * img.scale
})

export const intersectionOverUnion = (a: FrameBox, b: FrameBox): number => {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  if (w <= 0 || h <= 0) return 0
  const inter = w * h
  return inter / (area(a) + area(b) - inter)
}

const meshOf = (session: InferenceSession, img: RgbImage, d: Detection, target?: Float32Array) =>
  runMesh(session, img, regionFromKeypoints(d, d.keypoints[0]!, d.keypoints[1]!), target)

export interface ConfirmedFaces {
  /** Confirmed faces, largest first, each with its mesh. */
  readonly faces: ReadonlyArray<{ readonly detection: Detection; readonly mesh: Mesh }>
  /** Every detection FaceMesh ran on, with its verdict (for the other frames to reuse). */
  readonly judged: ReadonlyArray<JudgedDetection>
}

/**
 * The best frame: FaceMesh runs on each detection, largest first, until `enough` are confirmed
 * (two already decide TOO_MANY_FACES). The first mesh goes into `target` (a pooled buffer); later
 * ones, only run when the frame holds several detections, get buffers of their own so the main
 * face's crop stays intact.
 */
export const confirmOnBestFrame = async (
  session: InferenceSession,
  img: RgbImage,
  detections: ReadonlyArray<Detection>,
  minPresence: number,
  enough: number,
  target: Float32Array
): Promise<ConfirmedFaces> => {
  const faces: Array<{ detection: Detection; mesh: Mesh }> = []
  const judged: Array<JudgedDetection> = []
  for (const detection of [...detections].sort(largestFirst)) {
    if (faces.length >= enough) break
    const mesh = await meshOf(session, img, detection, judged.length === 0 ? target : undefined)
    const isFace = mesh.confidence >= minPresence
    judged.push({ box: frameBox(detection, img), isFace })
    if (isFace) faces.push({ detection, mesh })
  }
  return { faces, judged }
}

/**
 * Confirmed faces on another frame, counted up to `enough`: a detection in the place of a judged
 * one carries its verdict, any other is judged by FaceMesh on this frame (in a buffer of its own:
 * the pooled one still holds the best frame's main face).
 */
export const countConfirmedOnFrame = async (
  session: InferenceSession,
  img: RgbImage,
  detections: ReadonlyArray<Detection>,
  judgedOnBest: ReadonlyArray<JudgedDetection>,
  minPresence: number,
  enough: number
): Promise<number> => {
  let count = 0
  for (const detection of detections) {
    if (count >= enough) break
    const box = frameBox(detection, img)
    const known = judgedOnBest.find((j) => intersectionOverUnion(j.box, box) >= SAME_PLACE_IOU)
    const isFace = known !== undefined ? known.isFace : (await meshOf(session, img, detection)).confidence >= minPresence
    if (isFace) count++
  }
  return count
}
