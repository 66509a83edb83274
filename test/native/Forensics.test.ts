/**
 * The addon's frame forensics: JPEG header facts from real encoders, noise statistics on planes,
 * and refusal of inputs whose sizes do not add up (before any worker runs).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import sharp from "sharp"
import { NativeForensicsResult } from "../../src/domain/Forensics.js"
import { ijgQualityOf } from "../../src/domain/evidence/JpegTables.js"
import { loadNativeAddon } from "../../src/infra/native/NativeAddon.js"
import { decodePlane, frameForensics } from "../../src/infra/native/NativeForensics.js"

const addon = loadNativeAddon()
const decode = Schema.decodeUnknownSync(NativeForensicsResult)
const picture = (quality: number, extra: object = {}) =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: "#4a7" } }).jpeg({ quality, ...extra }).toBuffer()

describe("native forensics", () => {
  it("reads size and the standard tables of a libjpeg frame, and their IJG quality", async () => {
    const result = decode(await addon.forensics({ jpegs: [await picture(90), await picture(75)], planes: [], flatLimit: 16 }))
    expect(result.headers.map((h) => [h.ok, h.width, h.height, h.components])).toEqual([[true, 64, 48, 3], [true, 64, 48, 3]])
    expect(result.headers.map((h) => ijgQualityOf(h.tables))).toEqual([90, 75])
  })

  it("tells mozjpeg's tables from the standard ones, and refuses a header cut before the scan", async () => {
    const moz = await picture(90, { quantisationTable: 3 })
    const cut = (await picture(90)).subarray(0, 100)
    const result = decode(await addon.forensics({ jpegs: [moz, cut, Uint8Array.of(0xff, 0xd8, 0xff)], planes: [], flatLimit: 16 }))
    expect(ijgQualityOf(result.headers[0]!.tables)).toBeUndefined()
    expect(result.headers.slice(1).map((h) => h.ok)).toEqual([false, false])
  })

  it("measures no temporal noise between identical planes and some between noisy ones", async () => {
    const width = 40
    const height = 30
    const flat = new Uint8Array(width * height).fill(100)
    let seed = 1
    const noisy = flat.map((v) => v + ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 5) - 2)
    const result = decode(
      await addon.forensics({ jpegs: [], planes: [{ data: flat, width, height }, { data: flat, width, height }, { data: noisy, width, height }], flatLimit: 16 })
    )
    expect(result.pairs[0]).toMatchObject({ comparable: true, temporalNoise: 0, identicalShare: 1 })
    expect(result.pairs[1]!.temporalNoise).toBeGreaterThan(0.5)
  })

  it("RGB planes give the statistics of their BT.601 luma (Math.round(0.299 r + 0.587 g + 0.114 b)), taken by the addon", async () => {
    const width = 97
    const height = 61
    const rgbPlanes = [1, 2, 3].map((seed) => Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 7919 * seed + ((i * i) >> 3)) % 256))
    const luma = (rgb: Uint8Array) =>
      Uint8Array.from({ length: width * height }, (_, i) => Math.round(0.299 * rgb[3 * i]! + 0.587 * rgb[3 * i + 1]! + 0.114 * rgb[3 * i + 2]!))
    const fromRgb = await addon.forensics({ jpegs: [], planes: rgbPlanes.map((data) => ({ data, width, height, channels: 3 })), flatLimit: 16 })
    const fromGrey = await addon.forensics({ jpegs: [], planes: rgbPlanes.map((rgb) => ({ data: luma(rgb), width, height })), flatLimit: 16 })
    expect(fromRgb).toEqual(fromGrey)
    expect(() => addon.forensics({ jpegs: [], planes: [{ data: rgbPlanes[0]!, width, height, channels: 1 }], flatLimit: 16 })).toThrow(/channels/)
    expect(() => addon.forensics({ jpegs: [], planes: [{ data: rgbPlanes[0]!, width, height, channels: 2 as 1 }], flatLimit: 16 })).toThrow(/channels/)
  })

  it("refuses a plane whose bytes do not match its size, and too many frames", () => {
    const data = new Uint8Array(10)
    expect(() => addon.forensics({ jpegs: [], planes: [{ data, width: 4, height: 4 }], flatLimit: 16 })).toThrow(/plane size/)
    expect(() => addon.forensics({ jpegs: Array.from({ length: 17 }, () => data), planes: [], flatLimit: 16 })).toThrow(/too many/)
  })

  it("a truncated frame does not decode; decodable frames pair up", () =>
    Effect.gen(function*() {
      const good = yield* Effect.promise(() => picture(90))
      expect(yield* Effect.promise(() => decodePlane(addon.decodeJpegScaled, good.subarray(0, good.length - 40)))).toBeUndefined()
      const result = yield* frameForensics(addon, [good, good])
      expect(result.decoded).toEqual([true, true])
      expect(result.pairs).toHaveLength(1)
      expect(result.pairs[0]!.identicalShare).toBe(1)
    }).pipe(Effect.runPromise))

  it("decodes a baseline frame with the addon (BT.601 luma of its 1/4 decode) and a progressive one through sharp, at the same size", () =>
    Effect.gen(function*() {
      const photo = sharp({ create: { width: 1280, height: 720, channels: 3, background: "#000", noise: { type: "gaussian", mean: 120, sigma: 40 } } })
      const baseline = yield* Effect.promise(() => photo.clone().jpeg({ quality: 90 }).toBuffer())
      const progressive = yield* Effect.promise(() => photo.clone().jpeg({ quality: 90, progressive: true }).toBuffer())
      const fromAddon = (yield* Effect.promise(() => decodePlane(addon.decodeJpegScaled, baseline)))!
      const decoded = yield* Effect.promise(() => addon.decodeJpegScaled(baseline, 4))
      if (decoded.status !== "ok") throw new Error(decoded.status)
      expect([fromAddon.width, fromAddon.height, fromAddon.channels]).toEqual([320, 180, 3])
      expect(fromAddon.data).toEqual(decoded.rgb)
      expect((yield* Effect.promise(() => addon.decodeJpegScaled(progressive, 4))).status).toBe("unsupported")
      const fromSharp = (yield* Effect.promise(() => decodePlane(addon.decodeJpegScaled, progressive)))!
      expect([fromSharp.width, fromSharp.height, fromSharp.channels]).toEqual([320, 180, 1])
    }).pipe(Effect.runPromise))

  it("frames too small for the noise statistics (under 3 px a side) still answer: decoded, no noise, no pair", () =>
    Effect.gen(function*() {
      const tiny = yield* Effect.promise(() =>
        sharp({ create: { width: 2, height: 2, channels: 3, background: "#4a7" } }).jpeg({ quality: 90 }).toBuffer()
      )
      const result = yield* frameForensics(addon, [tiny, tiny])
      expect(result.decoded).toEqual([true, true])
      expect(result.headers.map((h) => [h.ok, h.width, h.height])).toEqual([[true, 2, 2], [true, 2, 2]])
      expect(result.pairs).toEqual([])
    }).pipe(Effect.runPromise))
})
