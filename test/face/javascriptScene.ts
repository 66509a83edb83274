/**
 * The JavaScript scene table and comparison that native/src/scene.cc replaced (SceneChange.ts
 * before it), kept verbatim as the oracle: the addon must give the same numbers bit for bit, so no
 * face answer moves.
 */
import type { RgbImage } from "../../src/infra/face/RgbImage.js"

/** Cell side, pixels of the decoded frame. */
const CELL = 8
/** Alignment tried, pixels of the decoded frame each way. */
const MAX_SHIFT = 2

interface SceneComparison {
  /** The alignment that fits best, in pixels of the decoded images: the other frame at (x + shiftX, y + shiftY) shows what the best one shows at (x, y). */
  readonly shiftX: number
  readonly shiftY: number
  /** The largest cell difference, in grey levels, after alignment and exposure fit. */
  readonly maxResidual: number
}

/** A frame's brightness (R+G+B) as a summed-area table of (width+1) x (height+1): any box sums in four reads. */
interface SceneTable {
  readonly width: number
  readonly height: number
  readonly table: Float64Array
}

/**
 * The table of `img` (float64: exact sums for any frame size), written into `target` (a pooled
 * buffer) when it has room: a new 460 KB array per frame cost more in allocation than the sums.
 */
export const javascriptSceneTable = (img: RgbImage, target?: Float64Array): SceneTable => {
  const { width, height, data } = img
  const stride = width + 1
  const size = stride * (height + 1)
  const table = target !== undefined && target.length >= size ? target.subarray(0, size) : new Float64Array(size)
  // Row 0 and column 0 are the zero border (a reused buffer holds the last frame's sums elsewhere).
  table.fill(0, 0, stride)
  for (let y = 1; y <= height; y++) table[y * stride] = 0
  for (let y = 0; y < height; y++) {
    let row = 0
    let p = y * width * 3
    const dst = (y + 1) * stride
    for (let x = 0; x < width; x++, p += 3) {
      row += data[p]! + data[p + 1]! + data[p + 2]!
      table[dst + x + 1] = table[dst - stride + x + 1]! + row
    }
  }
  return { width, height, table }
}

/**
 * Best alignment and the largest residual; `undefined` when the two images are not the
 * same size (different decode scales: nothing to compare).
 */
export const javascriptCompareScenes = (best: SceneTable, other: SceneTable): SceneComparison | undefined => {
  if (best.width !== other.width || best.height !== other.height) return undefined
  const { width, height } = best
  const stride = width + 1
  const bestTable = best.table
  const otherTable = other.table
  // Cells wholly inside the image at every shift tried: the table index of each one's top-left corner.
  const corners: Array<number> = []
  for (let y = MAX_SHIFT; y + CELL + MAX_SHIFT <= height; y += CELL) {
    for (let x = MAX_SHIFT; x + CELL + MAX_SHIFT <= width; x += CELL) {
      corners.push(y * stride + x)
    }
  }
  const n = corners.length
  if (n < 2) return { shiftX: 0, shiftY: 0, maxResidual: 0 }
  // Means in grey levels (R+G+B over 3 per pixel); a cell's sum is four table reads.
  const norm = 1 / (3 * CELL * CELL)
  const down = CELL * stride
  const cellMean = (table: Float64Array, c: number) => (table[c + down + CELL]! - table[c + CELL]! - table[c + down]! + table[c]!) * norm
  const reference = new Float64Array(n)
  for (let i = 0; i < n; i++) reference[i] = cellMean(bestTable, corners[i]!)
  const moved = new Float64Array(n)
  let found = { shiftX: 0, shiftY: 0, maxResidual: Infinity, squares: Infinity }
  for (let dy = -MAX_SHIFT; dy <= MAX_SHIFT; dy++) {
    for (let dx = -MAX_SHIFT; dx <= MAX_SHIFT; dx++) {
      const shift = dy * stride + dx
      let sx = 0, sy = 0, sxx = 0, sxy = 0
      for (let i = 0; i < n; i++) {
        const m = cellMean(otherTable, corners[i]! + shift)
        moved[i] = m
        const r = reference[i]!
        sx += r
        sy += m
        sxx += r * r
        sxy += r * m
      }
      // Least-squares gain and offset (exposure): other ~ gain * best + offset.
      const variance = n * sxx - sx * sx
      const gain = variance > 1e-9 ? (n * sxy - sx * sy) / variance : 1
      const offset = (sy - gain * sx) / n
      let squares = 0
      let max = 0
      for (let i = 0; i < n; i++) {
        const residual = Math.abs(moved[i]! - (gain * reference[i]! + offset))
        squares += residual * residual
        if (residual > max) max = residual
      }
      if (squares < found.squares) found = { shiftX: dx, shiftY: dy, maxResidual: max, squares }
    }
  }
  return { shiftX: found.shiftX, shiftY: found.shiftY, maxResidual: found.maxResidual }
}
