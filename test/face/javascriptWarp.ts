/**
 * The JavaScript sampler the addon's `warpToTensor` replaced (src/infra/face/ImageWarp.ts before
 * native/src/warp.cc), kept verbatim as the oracle: the native one must give the same float32
 * values bit for bit, so no face answer moves.
 */
import type { warpToTensor } from "../../src/infra/face/ImageWarp.js"

/** The same signature as the addon's warp it checks. */
export const javascriptWarp: typeof warpToTensor = (img, t, size, gain, offset, rows = size, target) => {
  const plane = size * rows
  const out = target === undefined ? new Float32Array(plane * 3) : target.subarray(0, plane * 3)
  const { width, height, data } = img
  const stride = width * 3
  if (t.ax === 1 && t.bx === 0 && t.ay === 0 && t.by === 1 && Number.isInteger(t.cx) && Number.isInteger(t.cy)) {
    // A whole-pixel shift (an image already at the input's scale): bilinear weights are 1 and 0.
    copyToTensor(data, width, height, t.cx, t.cy, out, size, rows, gain, offset)
    return out
  }
  for (let v = 0; v < rows; v++) {
    const rowX = t.bx * (v + 0.5) + t.cx - 0.5
    const rowY = t.by * (v + 0.5) + t.cy - 0.5
    for (let u = 0; u < size; u++) {
      const sx = t.ax * (u + 0.5) + rowX
      const sy = t.ay * (u + 0.5) + rowY
      const x0 = Math.floor(sx)
      const y0 = Math.floor(sy)
      const o = v * size + u
      if (x0 < -1 || y0 < -1 || x0 >= width || y0 >= height) {
        // No tap inside: black.
        out[o] = offset
        out[plane + o] = offset
        out[2 * plane + o] = offset
        continue
      }
      const fx = sx - x0
      const fy = sy - y0
      const w00 = (1 - fx) * (1 - fy)
      const w10 = fx * (1 - fy)
      const w01 = (1 - fx) * fy
      const w11 = fx * fy
      let r: number
      let g: number
      let b: number
      if (x0 >= 0 && y0 >= 0 && x0 < width - 1 && y0 < height - 1) {
        const i = y0 * stride + x0 * 3
        const j = i + stride
        r = data[i]! * w00 + data[i + 3]! * w10 + data[j]! * w01 + data[j + 3]! * w11
        g = data[i + 1]! * w00 + data[i + 4]! * w10 + data[j + 1]! * w01 + data[j + 4]! * w11
        b = data[i + 2]! * w00 + data[i + 5]! * w10 + data[j + 2]! * w01 + data[j + 5]! * w11
      } else {
        r = 0
        g = 0
        b = 0
        for (let k = 0; k < 4; k++) {
          const xx = x0 + (k & 1)
          const yy = y0 + (k >> 1)
          if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue
          const w = k === 0 ? w00 : k === 1 ? w10 : k === 2 ? w01 : w11
          const i = yy * stride + xx * 3
          r += data[i]! * w
          g += data[i + 1]! * w
          b += data[i + 2]! * w
        }
      }
      out[o] = r * gain + offset
      out[plane + o] = g * gain + offset
      out[2 * plane + o] = b * gain + offset
    }
  }
  return out
}

/** Output (u, v) = image (u + dx, v + dy), black outside the image: the unit-scale case of the warp. */
const copyToTensor = (
  data: Uint8Array,
  width: number,
  height: number,
  dx: number,
  dy: number,
  out: Float32Array,
  size: number,
  rows: number,
  gain: number,
  offset: number
): void => {
  const plane = size * rows
  out.fill(offset, 0, plane * 3)
  const u0 = Math.max(0, -dx)
  const u1 = Math.min(size, width - dx)
  for (let v = Math.max(0, -dy); v < Math.min(rows, height - dy); v++) {
    let i = ((v + dy) * width + u0 + dx) * 3
    for (let o = v * size + u0, end = v * size + u1; o < end; o++, i += 3) {
      out[o] = data[i]! * gain + offset
      out[plane + o] = data[i + 1]! * gain + offset
      out[2 * plane + o] = data[i + 2]! * gain + offset
    }
  }
}
