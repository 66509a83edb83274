/**
 * The detector's view of the main face's neighbourhood on a further frame of a burst: a window of
 * the whole-frame detector input around where the best frame's face was, at the same scale and on
 * the same 32 px anchor grid, so the detector sees the face as it would on the whole frame (only
 * the network's zero padding at the window's inner edges differs, kept 32 px or more away from the
 * face). A 300 px face in a 1280x720 frame makes a 128x128 window, a third of the 256x192 input.
 */
import type { FrameBox } from "./FaceConfirmation.js"
import { type DetectorInput, detectorInput } from "./FaceDetection.js"
import type { PixelRect } from "./SceneChange.js"

/** Input pixels kept around the face: the face moves a few pixels between frames of a burst. */
const MARGIN = 32
/** The anchor grid's coarser stride: window corners sit on it. */
const GRID = 32
/** A window this large a share of the whole input saves too little: the whole frame is used. */
const MAX_SHARE = 0.6

export interface FaceWindow {
  /** The detector input of the window alone. */
  readonly input: DetectorInput
  /** The window in the image's pixels (for leaving it out of the scene comparison). */
  readonly pixels: PixelRect
}

/**
 * The window around `face` (a box in frame pixels) for an image `imgWidth` x `imgHeight` decoded at
 * `scale`; `undefined` when it would cover most of the input anyway.
 */
export const faceWindow = (imgWidth: number, imgHeight: number, scale: number, face: FrameBox): FaceWindow | undefined => {
  const whole = detectorInput(imgWidth, imgHeight)
  const { ax: s, cx, cy } = whole.t
  // Face box in whole-input pixels (input -> image is x = s * u + cx).
  const u0 = (face.x / scale - cx) / s
  const v0 = (face.y / scale - cy) / s
  const u1 = ((face.x + face.width) / scale - cx) / s
  const v1 = ((face.y + face.height) / scale - cy) / s
  const x0 = Math.max(0, Math.floor((u0 - MARGIN) / GRID) * GRID)
  const y0 = Math.max(0, Math.floor((v0 - MARGIN) / GRID) * GRID)
  const x1 = Math.min(whole.width, Math.ceil((u1 + MARGIN) / GRID) * GRID)
  const y1 = Math.min(whole.height, Math.ceil((v1 + MARGIN) / GRID) * GRID)
  const width = x1 - x0
  const height = y1 - y0
  if (width <= 0 || height <= 0 || width * height > MAX_SHARE * whole.width * whole.height) return undefined
  return {
    input: { width, height, t: { ...whole.t, cx: cx + s * x0, cy: cy + s * y0 } },
    pixels: { x0: s * x0 + cx, y0: s * y0 + cy, x1: s * x1 + cx, y1: s * y1 + cy }
  }
}
