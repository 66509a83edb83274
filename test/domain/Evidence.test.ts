import { describe, expect, it } from "@effect/vitest"
import { channelNoise } from "../../src/domain/evidence/ActivityChecks.js"
import { ijgQualityOf, ijgTable } from "../../src/domain/evidence/JpegTables.js"
import { knownVirtualCamera } from "../../src/domain/evidence/TrustChecks.js"
import { defaultDetectionConfig } from "../../src/domain/DetectionConfig.js"


describe("JPEG tables", () => {
  it("scales the Annex K tables as libjpeg does, in zig-zag order", () => {
    expect(ijgTable([16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, ...Array<number>(52).fill(1)], 50).slice(0, 3)).toEqual([16, 11, 12])
  })

  it("recognises the quality of standard tables and refuses others", () => {
    const table = (id: number, values: Array<number>) => ({ id, precision: 0, values })
    const luma90 = ijgTable(
      [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99],
      90
    )
    expect(luma90.slice(0, 4)).toEqual([3, 2, 2, 3])
    expect(ijgQualityOf([table(0, luma90)])).toBe(90)
    expect(ijgQualityOf([table(0, Array<number>(64).fill(3))])).toBeUndefined()
    expect(ijgQualityOf([table(1, luma90)])).toBeUndefined()
  })
})

describe("motion sensor noise", () => {
  it("is near zero for a constant or a noise-free sine of any amplitude, and of the order of sigma for white noise", () => {
    const n = 200
    const sine = Array.from({ length: n }, (_, i) => 0.1 * Math.sin((2 * Math.PI * 10 * i) / 100))
    let seed = 7
    const uniform = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1
    const noise = Array.from({ length: n }, () => 0.02 * Math.sqrt(3) * uniform())
    expect(channelNoise(Array<number>(n).fill(9.81))).toBeLessThan(1e-9)
    expect(channelNoise(sine)).toBeLessThan(defaultDetectionConfig.min_accel_noise)
    const bigFastSine = Array.from({ length: n }, (_, i) => 9.81 + 0.5 * Math.sin((2 * Math.PI * 17 * i) / 100))
    expect(channelNoise(bigFastSine)).toBeLessThan(1e-6)
    expect(channelNoise(noise)).toBeGreaterThan(0.01)
    expect(channelNoise(noise)).toBeLessThan(0.03)
  })
})

describe("virtual camera names", () => {
  it("match case-insensitively anywhere in the camera name", () => {
    expect(knownVirtualCamera("OBS Virtual Camera", defaultDetectionConfig.virtual_camera_names)).toBe("obs virtual")
    expect(knownVirtualCamera("front camera", defaultDetectionConfig.virtual_camera_names)).toBeUndefined()
  })
})
