/**
 * The warp's fast paths (whole-pixel shift, axis-aligned scaling, all-taps-inside pixels) against
 * a plain bilinear sampler written out here: the same numbers to float rounding, inside, across and
 * outside the image edges.
 */
import { describe, expect, it } from "@effect/vitest"
import { detectorInput } from "../../src/infra/face/FaceDetection.js"
import { type Affine, rotatedCrop, warpToTensor } from "../../src/infra/face/ImageWarp.js"
import type { RgbImage } from "../../src/infra/face/RgbImage.js"
import { loadNativeAddon } from "../../src/infra/native/NativeAddon.js"
import { javascriptWarp } from "./javascriptWarp.js"

/** Reference: output (u, v) samples the image at t(u + 0.5, v + 0.5) - 0.5; taps outside are black. */
const referenceWarp = (img: RgbImage, t: Affine, size: number, rows: number, gain: number, offset: number): Float32Array => {
  const plane = size * rows
  const out = new Float32Array(plane * 3)
  const tap = (x: number, y: number, c: number) => (x < 0 || y < 0 || x >= img.width || y >= img.height ? 0 : img.data[(y * img.width + x) * 3 + c]!)
  for (let v = 0; v < rows; v++)
    for (let u = 0; u < size; u++) {
      const sx = t.ax * (u + 0.5) + t.bx * (v + 0.5) + t.cx - 0.5
      const sy = t.ay * (u + 0.5) + t.by * (v + 0.5) + t.cy - 0.5
      const x0 = Math.floor(sx)
      const y0 = Math.floor(sy)
      const fx = sx - x0
      const fy = sy - y0
      for (let c = 0; c < 3; c++) {
        const value =
          tap(x0, y0, c) * (1 - fx) * (1 - fy) + tap(x0 + 1, y0, c) * fx * (1 - fy) + tap(x0, y0 + 1, c) * (1 - fx) * fy + tap(x0 + 1, y0 + 1, c) * fx * fy
        out[c * plane + v * size + u] = value * gain + offset
      }
    }
  return out
}

const image = (width: number, height: number): RgbImage => {
  let seed = 5
  const data = Uint8Array.from({ length: width * height * 3 }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 255)
  return { width, height, data, scale: 1, frameWidth: width, frameHeight: height }
}

const maxDifference = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0)

describe("warpToTensor", () => {
  const img = image(320, 180)
  const eye = rotatedCrop(200, 60, 30, -0.2, 64)
  const cases: ReadonlyArray<readonly [string, Affine, number, number]> = [
    ["a whole-pixel shift with bands (a frame decoded at 256 px)", detectorInput(256, 144).t, 256, 192],
    ["a 1.25 reduction with bands (the detector input of a 320 px frame)", detectorInput(320, 180).t, 256, 192],
    ["an axis-aligned enlargement over every edge", { ax: 0.7, bx: 0, cx: -20, ay: 0, by: 1.3, cy: -15 }, 500, 200],
    ["a turned crop across the left edge", rotatedCrop(20, 90, 150, 0.4, 192), 192, 192],
    ["a mirrored eye crop", { ...eye, ax: -eye.ax, cx: eye.cx + eye.ax * 64 }, 64, 64],
    ["a crop wholly outside the image", rotatedCrop(-500, -500, 100, 1, 64), 64, 64]
  ]
  for (const [name, t, size, rows] of cases) {
    it(`matches the reference for ${name}`, () => {
      const ours = warpToTensor(img, t, size, 2 / 255, -1, rows)
      expect(ours.length).toBe(3 * size * rows)
      expect(maxDifference(ours, referenceWarp(img, t, size, rows, 2 / 255, -1))).toBeLessThan(1e-5)
    })
  }

  it("writes into the front of a larger pooled buffer and leaves the rest alone", () => {
    const target = new Float32Array(3 * 64 * 64 + 10).fill(7)
    const out = warpToTensor(img, rotatedCrop(160, 90, 64, 0, 64), 64, 1 / 255, 0, 64, target)
    expect(out.buffer).toBe(target.buffer)
    expect(Array.from(target.subarray(3 * 64 * 64))).toEqual(new Array(10).fill(7))
  })

  // On a CPU with AVX2 this checks the AVX2 path; native/fuzz/fuzz_warp.cc checks it gives the baseline path's bits.
  it("gives the JavaScript sampler's values bit for bit (random maps, sizes and images, every edge case)", () => {
    let seed = 11
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const images = [image(320, 180), image(1, 1), image(2, 3), image(97, 61)]
    for (let n = 0; n < 400; n++) {
      const src = images[n % images.length]!
      const size = 1 + Math.floor(random() * 80)
      const rows = 1 + Math.floor(random() * 80)
      const t: Affine =
        n % 5 === 0
          ? { ax: 1, bx: 0, ay: 0, by: 1, cx: Math.floor(random() * 200) - 100, cy: Math.floor(random() * 200) - 100 }
          : n % 5 === 1
            ? // Axis-aligned scaling, as the detector input: every tap inside, across and beyond each edge.
              { ax: 0.2 + random() * 3, bx: 0, ay: 0, by: 0.2 + random() * 3, cx: random() * src.width * 1.2 - src.width * 0.6, cy: random() * src.height * 1.2 - src.height * 0.6 }
            : rotatedCrop(random() * src.width * 1.6 - src.width * 0.3, random() * src.height * 1.6 - src.height * 0.3, 1 + random() * 300, random() * 7 - 3.5, size)
      const gain = n % 2 === 0 ? 2 / 255 : 1 / 255
      const offset = n % 2 === 0 ? -1 : 0
      const ours = warpToTensor(src, t, size, gain, offset, rows)
      const theirs = javascriptWarp(src, t, size, gain, offset, rows)
      expect(Buffer.from(ours.buffer, ours.byteOffset, ours.byteLength).equals(Buffer.from(theirs.buffer, theirs.byteOffset, theirs.byteLength))).toBe(true)
    }
  })

  it("gives the JavaScript sampler's values for maps gone NaN or infinite (NaN where it gave NaN, black where it gave black)", () => {
    const img = image(40, 30)
    const maps: ReadonlyArray<Affine> = [
      { ax: Number.NaN, bx: 0, cx: 0, ay: 0, by: 1, cy: 0 },
      { ax: 1, bx: 0, cx: Number.POSITIVE_INFINITY, ay: 0, by: 1, cy: 0 },
      { ax: 1, bx: 0, cx: Number.NEGATIVE_INFINITY, ay: 0, by: 1, cy: 3 },
      { ax: Number.POSITIVE_INFINITY, bx: 0, cx: 0, ay: 0, by: 1, cy: 0 },
      { ax: 1, bx: 0, cx: 1e300, ay: 0, by: 1e300, cy: 0 }
    ]
    for (const t of maps) {
      const ours = Array.from(warpToTensor(img, t, 8, 2 / 255, -1, 6))
      const theirs = Array.from(javascriptWarp(img, t, 8, 2 / 255, -1, 6))
      expect(ours.every((v, i) => Object.is(v, theirs[i]))).toBe(true)
    }
  })

  describe("the addon's arguments", () => {
    const addon = loadNativeAddon()
    const rgb = new Uint8Array(4 * 4 * 3)
    const out = new Float32Array(2 * 2 * 3)
    const call = (over: Partial<Record<"rgb" | "width" | "size" | "ax" | "out", unknown>>) => () =>
      (addon.warpToTensor as (...args: ReadonlyArray<unknown>) => void)(
        over.rgb ?? rgb, over.width ?? 4, 4, over.ax ?? 1, 0, 0.5, 0, 1, 0.5, over.size ?? 2, 2, 1, 0, over.out ?? out
      )
    it("takes a fitting call", () => {
      expect(call({})).not.toThrow()
    })
    it.each([
      ["an image shorter than width x height x 3", { rgb: new Uint8Array(10) }, /rgb is shorter/],
      ["an output shorter than size x rows x 3", { out: new Float32Array(5) }, /out is shorter/],
      ["a float64 output", { out: new Float64Array(12) }, /Float32Array/],
      ["a plain array image", { rgb: [1, 2, 3] }, /Uint8Array/],
      ["a fractional side", { width: 2.5 }, /whole numbers/],
      ["a zero side", { size: 0 }, /whole numbers/],
      ["a side beyond 16384", { width: 1e6 }, /whole numbers/]
    ])("refuses %s with a TypeError", (_name, over, message) => {
      expect(call(over)).toThrow(message)
    })
  })
})
