/**
 * Whether a further frame of a burst shows the best frame's scene: then it holds the same faces
 * and needs no detection of its own. A person or face coming into view or leaving, a head turning,
 * or a different picture changes the scene, and the frame gets the whole detection.
 *
 * Both frames (decoded at the same scale) are cut into 8x8-pixel cells (32 px of a 1280x720 frame
 * at 1/4), and each cell's mean brightness is compared after the best alignment within +-2 pixels
 * (hand motion of a burst: +-8 px of the frame) and a fitted gain and offset (exposure drift).
 * A face of the 150 px minimum covers ~20 cells whose means move far more than the residual a
 * re-encoded, shifted, noisy frame of the same scene leaves (measured in `docs/performance.md`).
 * The arithmetic is the addon's (`native/src/scene.cc`): ~0.3 ms of a face worker per capture
 * against ~0.9 ms in JavaScript, with the same numbers.
 */
import { nativeAddon } from "../native/NativeAddon.js"
import type { RgbImage } from "./RgbImage.js"

export interface SceneComparison {
  /** The alignment that fits best, in pixels of the decoded images: the other frame at (x + shiftX, y + shiftY) shows what the best one shows at (x, y). */
  readonly shiftX: number
  readonly shiftY: number
  /** The largest cell difference, in grey levels, after alignment and exposure fit. */
  readonly maxResidual: number
}

/** A frame's brightness (R+G+B) as a summed-area table of (width+1) x (height+1): any box sums in four reads. */
export interface SceneTable {
  readonly width: number
  readonly height: number
  readonly table: Float64Array
}

/**
 * The table of `img` (float64: exact sums for any frame size), written into `target` (a pooled
 * buffer) when it has room: a new 460 KB array per frame cost more in allocation than the sums.
 */
export const sceneTable = (img: RgbImage, target?: Float64Array): SceneTable => {
  const { width, height, data } = img
  const size = (width + 1) * (height + 1)
  const table = target !== undefined && target.length >= size ? target.subarray(0, size) : new Float64Array(size)
  nativeAddon().sceneTable(data, width, height, table)
  return { width, height, table }
}

/**
 * The alignment within +-2 pixels that fits the two frames' 8x8-pixel cell means best after a
 * least-squares gain and offset, and its largest cell residual; `undefined` when the two images are
 * not the same size (different decode scales: nothing to compare).
 */
export const compareScenes = (best: SceneTable, other: SceneTable): SceneComparison | undefined =>
  best.width !== other.width || best.height !== other.height
    ? undefined
    : nativeAddon().compareScenes(best.table, other.table, best.width, best.height)

/**
 * Cell difference (grey levels, 32 px cells of a 1280x720 frame, after alignment and exposure fit)
 * up to which a frame shows the other's scene. Chosen on the eval:faces tune photos: further frames
 * of the same simulated burst reach 20.4, two different photos 36.7 or more.
 */
export const SCENE_CHANGE_LIMIT = 28

/** The two frames show the same scene (frames decoded at different scales never do). */
export const isSameScene = (best: SceneTable, other: SceneTable): boolean => {
  const comparison = compareScenes(best, other)
  return comparison !== undefined && comparison.maxResidual <= SCENE_CHANGE_LIMIT
}
