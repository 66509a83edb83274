/**
 * Resampling of decoded RGB frames into model input tensors (NCHW float32).
 * Written by hand rather than with sharp because each call is a few thousand pixels on an image
 * already in memory: a rotated crop (sharp's affine would need a round trip through libvips and
 * its thread pool, costing more than the sampling itself).
 */
import { nativeAddon } from "../native/NativeAddon.js"
import type { RgbImage } from "./RgbImage.js"

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
 * Samples `size` x `rows` pixels through `t` (bilinear, black outside the image) into an NCHW
 * tensor with values `pixel * gain + offset`, in the addon (native/src/warp.cc): ~90 thousand
 * pixels per analysis (a 256x192 detector input, a 192 px landmark crop, 64 px eye crops) cost a
 * face worker ~1.3 ms in JavaScript. Synchronous, on the calling thread.
 */
export const warpToTensor = (
  img: RgbImage,
  t: Affine,
  size: number,
  gain: number,
  offset: number,
  rows: number = size,
  /** Where to write (a pooled buffer, see Scratch.ts); its first 3*size*rows values are used. */
  target?: Float32Array
): Float32Array => {
  const out = target === undefined ? new Float32Array(size * rows * 3) : target.subarray(0, size * rows * 3)
  nativeAddon().warpToTensor(img.data, img.width, img.height, t.ax, t.bx, t.cx, t.ay, t.by, t.cy, size, rows, gain, offset, out)
  return out
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
