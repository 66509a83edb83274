/**
 * Resampling of decoded RGB frames into model input tensors (NCHW float32).
 * Written by hand rather than with sharp because each call is a few thousand pixels on an image
 * already in memory: a rotated crop (sharp's affine would need a round trip through libvips and
 * its thread pool, costing more than the sampling itself).
 */
import type { RgbImage } from "./RgbImage.js"

/** 2x2 box-filter halving; used before a large downscale so bilinear sampling does not alias. */
export const halve = (img: RgbImage): RgbImage => {
  const width = img.width >> 1
  const height = img.height >> 1
  const out = new Uint8Array(width * height * 3)
  const src = img.data
  const stride = img.width * 3
  for (let y = 0; y < height; y++) {
    const row0 = y * 2 * stride
    const row1 = row0 + stride
    for (let x = 0; x < width; x++) {
      const i = x * 6
      const o = (y * width + x) * 3
      for (let c = 0; c < 3; c++) out[o + c] = (src[row0 + i + c]! + src[row0 + i + 3 + c]! + src[row1 + i + c]! + src[row1 + i + 3 + c]! + 2) >> 2
    }
  }
  return { ...img, width, height, data: out, scale: img.scale * 2 }
}

/**
 * Maps output pixel (u, v) to source position: x = ax*u + bx*v + cx, y = ay*u + by*v + cy.
 * Pixel centres are at +0.5 on both sides.
 */
export interface Affine {
  readonly ax: number
  readonly bx: number
  readonly cx: number
  readonly ay: number
  readonly by: number
  readonly cy: number
}

export const applyAffine = (t: Affine, u: number, v: number): readonly [number, number] => [
  t.ax * u + t.bx * v + t.cx,
  t.ay * u + t.by * v + t.cy
]

/**
 * Samples `size` x `size` pixels through `t` (bilinear, black outside the image) into an NCHW
 * tensor with values `pixel * gain + offset`.
 */
export const warpToTensor = (img: RgbImage, t: Affine, size: number, gain: number, offset: number): Float32Array => {
  const plane = size * size
  const out = new Float32Array(plane * 3)
  const { width, height, data } = img
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const sx = t.ax * (u + 0.5) + t.bx * (v + 0.5) + t.cx - 0.5
      const sy = t.ay * (u + 0.5) + t.by * (v + 0.5) + t.cy - 0.5
      const x0 = Math.floor(sx)
      const y0 = Math.floor(sy)
      const fx = sx - x0
      const fy = sy - y0
      const o = v * size + u
      let r = 0
      let g = 0
      let b = 0
      for (let k = 0; k < 4; k++) {
        const xx = x0 + (k & 1)
        const yy = y0 + (k >> 1)
        if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue
        const w = ((k & 1) === 1 ? fx : 1 - fx) * ((k >> 1) === 1 ? fy : 1 - fy)
        const i = (yy * width + xx) * 3
        r += data[i]! * w
        g += data[i + 1]! * w
        b += data[i + 2]! * w
      }
      out[o] = r * gain + offset
      out[plane + o] = g * gain + offset
      out[2 * plane + o] = b * gain + offset
    }
  }
  return out
}

/** Letterbox: the whole image centred in a square, scaled to fit, padded black. */
export const letterbox = (img: RgbImage, size: number): Affine => {
  const s = Math.max(img.width, img.height) / size
  const padX = (size * s - img.width) / 2
  const padY = (size * s - img.height) / 2
  return { ax: s, bx: 0, cx: -padX, ay: 0, by: s, cy: -padY }
}

/** A square crop of side `side` around (cx, cy), turned by `angle` radians, onto `size` pixels. */
export const rotatedCrop = (cx: number, cy: number, side: number, angle: number, size: number): Affine => {
  const s = side / size
  const cos = Math.cos(angle) * s
  const sin = Math.sin(angle) * s
  const half = size / 2
  return {
    ax: cos,
    bx: -sin,
    cx: cx - cos * half + sin * half,
    ay: sin,
    by: cos,
    cy: cy - sin * half - cos * half
  }
}
