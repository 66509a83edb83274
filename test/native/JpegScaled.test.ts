/**
 * The addon's scaled JPEG decoder against a reference: sharp's full-size decode averaged over each
 * scale x scale block (what the decoder promises), on frames from real encoders: mozjpeg through
 * sharp (4:2:0, 4:4:4, grey) and libjpeg-turbo's cjpeg (restart intervals, 4:2:2, 4:4:0; made
 * once, see test/fixtures/jpeg/README.md). Then what it must refuse, and broken input.
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import sharp from "sharp"
import { loadNativeAddon } from "../../src/infra/native/NativeAddon.js"
import { packageDir } from "../../scripts/models/packageDir.js"

const addon = loadNativeAddon()
const fixture = (name: string) => readFileSync(join(import.meta.dirname, "..", "fixtures", "jpeg", name))
const photo = () => sharp(join(packageDir("@vladmandic/face-api"), "demo", "sample6.jpg")).resize(1280, 720, { fit: "cover" })
/** An odd-sized crop, so partial blocks and MCUs at the right and bottom edges are exercised. */
const oddPhoto = () => sharp(join(packageDir("@vladmandic/face-api"), "demo", "sample2.jpg")).extract({ left: 101, top: 53, width: 677, height: 389 })

/** Peak signal-to-noise ratio (dB) of `decoded` against the block means of the full-size decode. */
const psnrAgainstBlockMeans = async (jpeg: Uint8Array, scale: number, decoded: { width: number; height: number; rgb: Uint8Array }) => {
  const { data, info } = await sharp(jpeg).toColourspace("srgb").raw().toBuffer({ resolveWithObject: true })
  expect(info.channels).toBe(3)
  let squared = 0
  for (let y = 0; y < decoded.height; y++)
    for (let x = 0; x < decoded.width; x++)
      for (let c = 0; c < 3; c++) {
        let sum = 0
        let count = 0
        for (let dy = 0; dy < scale; dy++)
          for (let dx = 0; dx < scale; dx++) {
            const sy = y * scale + dy
            const sx = x * scale + dx
            if (sy < info.height && sx < info.width) {
              sum += data[(sy * info.width + sx) * 3 + c]!
              count++
            }
          }
        squared += (sum / count - decoded.rgb[(y * decoded.width + x) * 3 + c]!) ** 2
      }
  return 10 * Math.log10(255 ** 2 / (squared / (decoded.width * decoded.height * 3)))
}

/**
 * Least PSNR accepted. Photos measure 36-52 dB (sharp's own shrink-on-load path scores 31-43
 * against the same means). The cjpeg fixtures are synthetic, with strong colour stripes at the
 * period of their chroma subsampling: chroma is sampled at the nearest position, not
 * interpolated, so their blue channel falls to 23-26 dB at 1/8 (27.4-30.5 dB over all channels;
 * green and red stay above 37).
 */
const PHOTO_DB = 34
const SYNTHETIC_DB = 26

const decodable: ReadonlyArray<readonly [string, () => Promise<Uint8Array>, number]> = [
  ["a 1280x720 photo, 4:2:0 (mozjpeg)", () => photo().jpeg({ quality: 90 }).toBuffer(), PHOTO_DB],
  ["an odd-sized photo, 4:4:4", () => oddPhoto().jpeg({ quality: 85, chromaSubsampling: "4:4:4" }).toBuffer(), PHOTO_DB],
  ["an odd-sized grey photo", () => oddPhoto().greyscale().jpeg({ quality: 80 }).toBuffer(), PHOTO_DB],
  ["restart markers every 2 MCUs, 4:2:2 (cjpeg)", async () => fixture("restart-422.jpg"), SYNTHETIC_DB],
  ["4:4:0 sampling (cjpeg)", async () => fixture("sampled-440.jpg"), SYNTHETIC_DB]
]

describe("native scaled JPEG decoder", () => {
  for (const [name, make, leastDb] of decodable) {
    it(`decodes ${name} at 1/2, 1/4 and 1/8 close to the block means of a full decode`, async () => {
      const jpeg = await make()
      const meta = await sharp(jpeg).metadata()
      for (const scale of [2, 4, 8] as const) {
        const decoded = await addon.decodeJpegScaled(jpeg, scale)
        if (decoded.status !== "ok") throw new Error(`${name} 1/${scale}: ${decoded.status}`)
        expect([decoded.width, decoded.height]).toEqual([Math.ceil(meta.width! / scale), Math.ceil(meta.height! / scale)])
        expect(decoded.rgb.length).toBe(decoded.width * decoded.height * 3)
        expect(await psnrAgainstBlockMeans(jpeg, scale, decoded)).toBeGreaterThan(leastDb)
      }
    })
  }

  it("answers unsupported for what it leaves to sharp: progressive, arithmetic-coded, CMYK, RGB samples", async () => {
    const progressive = await photo().jpeg({ quality: 80, progressive: true }).toBuffer()
    const cmyk = await oddPhoto().toColourspace("cmyk").jpeg({ quality: 80 }).toBuffer()
    for (const jpeg of [progressive, fixture("arithmetic.jpg"), cmyk, fixture("rgb.jpg")]) {
      expect((await addon.decodeJpegScaled(jpeg, 4)).status).toBe("unsupported")
    }
  })

  it("answers corrupt, and never more, for truncated, garbage and headerless input", async () => {
    const jpeg = await photo().jpeg({ quality: 90 }).toBuffer()
    for (let cut = 0; cut < jpeg.length - 2; cut += 1531) {
      expect((await addon.decodeJpegScaled(jpeg.subarray(0, cut), 4)).status).toBe("corrupt")
    }
    let seed = 3
    const garbage = Uint8Array.from({ length: 5000 }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 255)
    expect((await addon.decodeJpegScaled(garbage, 4)).status).toBe("corrupt")
    expect((await addon.decodeJpegScaled(Uint8Array.of(0xff, 0xd8, 0xff, 0xd9), 4)).status).toBe("corrupt")
    expect((await addon.decodeJpegScaled(new Uint8Array(0), 4)).status).toBe("corrupt")
  })

  it("answers corrupt for the fuzzer's finds: Huffman tables with more codes than their lengths hold", async () => {
    for (const name of ["fuzz-overfull-huffman-1.bin", "fuzz-overfull-huffman-2.bin"]) {
      for (const scale of [2, 4, 8] as const) expect((await addon.decodeJpegScaled(fixture(name), scale)).status).toBe("corrupt")
    }
  })

  it("survives flipped bytes anywhere: each answer is a well-formed image or corrupt", async () => {
    const jpeg = await oddPhoto().jpeg({ quality: 70 }).toBuffer()
    let seed = 11
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
    for (let i = 0; i < 400; i++) {
      const broken = Uint8Array.from(jpeg)
      broken[next() % broken.length] ^= 1 << next() % 8
      const decoded = await addon.decodeJpegScaled(broken, (2 ** (1 + (i % 3))) as 2 | 4 | 8)
      expect(["ok", "corrupt", "unsupported"]).toContain(decoded.status)
      if (decoded.status === "ok") expect(decoded.rgb.length).toBe(decoded.width * decoded.height * 3)
    }
  })

  it("writes into a target large enough, and into a buffer of its own otherwise", async () => {
    const jpeg = await photo().jpeg({ quality: 90 }).toBuffer()
    const target = new Uint8Array(320 * 180 * 3 + 100)
    const into = await addon.decodeJpegScaled(jpeg, 4, target)
    if (into.status !== "ok") throw new Error(into.status)
    expect(into.rgb.buffer).toBe(target.buffer)
    const small = new Uint8Array(10)
    const own = await addon.decodeJpegScaled(jpeg, 4, small)
    if (own.status !== "ok") throw new Error(own.status)
    expect(own.rgb.buffer).not.toBe(small.buffer)
    expect(Buffer.from(own.rgb).equals(Buffer.from(into.rgb))).toBe(true)
    // A target on shared memory (the service's frame slots), at an offset: the pixels land there.
    const shared = new SharedArrayBuffer(2 * 320 * 180 * 3)
    const slot = new Uint8Array(shared, 320 * 180 * 3, 320 * 180 * 3)
    const inShared = await addon.decodeJpegScaled(jpeg, 4, slot)
    if (inShared.status !== "ok") throw new Error(inShared.status)
    expect(inShared.rgb.buffer).toBe(shared)
    expect([inShared.rgb.byteOffset, inShared.rgb.byteLength]).toEqual([320 * 180 * 3, 320 * 180 * 3])
    expect(Buffer.from(inShared.rgb).equals(Buffer.from(own.rgb))).toBe(true)
  })

  it("refuses bad arguments before any work", () => {
    const jpeg = new Uint8Array(8)
    expect(() => addon.decodeJpegScaled(jpeg, 3 as 2)).toThrow(/scale must be 2, 4 or 8/)
    expect(() => addon.decodeJpegScaled([1, 2] as unknown as Uint8Array, 4)).toThrow(/expects/)
    expect(() => addon.decodeJpegScaled(jpeg, 4, "x" as unknown as Uint8Array)).toThrow(/target/)
  })
})
