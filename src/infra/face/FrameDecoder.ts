/**
 * Decodes a JPEG frame at the smallest size the analysis needs: decoding is its largest cost. The
 * addon's scaled decoder takes baseline JPEGs (what capture SDKs send) straight to 1/2, 1/4 or 1/8
 * scale; sharp (libvips, libjpeg) takes everything else at the same size.
 */
import sharp, { type OutputInfo } from "sharp"
import type { NativeAddon } from "../native/NativeAddon.js"
import type { RgbImage } from "./RgbImage.js"

/** libvips work is short and per request; its own thread pool would fight the engine's. */
sharp.concurrency(1)
sharp.cache(false)

/** Start-of-frame markers (SOF0-SOF15 except DHT C4, JPG C8 and DAC CC), which carry the size. */
const isStartOfFrame = (marker: number): boolean =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc

/**
 * Frame size read from the JPEG's start-of-frame header: a walk over a few marker segments, where
 * asking sharp costs a libvips round trip (~0.2 ms) per frame. `undefined` when the bytes do not
 * look like a JPEG; the caller then asks sharp, which also reports why it cannot decode them.
 */
export const jpegSize = (jpeg: Uint8Array): { width: number; height: number } | undefined => {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return undefined
  let i = 2
  while (i + 9 < jpeg.length) {
    if (jpeg[i] !== 0xff) return undefined
    const marker = jpeg[i + 1]!
    // Fill bytes and markers without a length (TEM, RSTn) carry no segment.
    if (marker === 0xff) {
      i++
      continue
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2
      continue
    }
    if (marker === 0xd9 || marker === 0xda) return undefined
    const length = (jpeg[i + 2]! << 8) | jpeg[i + 3]!
    if (isStartOfFrame(marker)) {
      const height = (jpeg[i + 5]! << 8) | jpeg[i + 6]!
      const width = (jpeg[i + 7]! << 8) | jpeg[i + 8]!
      return width > 0 && height > 0 ? { width, height } : undefined
    }
    i += 2 + length
  }
  return undefined
}

/** Frame size from the JPEG header, without decoding. */
export const frameSize = async (jpeg: Uint8Array): Promise<{ width: number; height: number }> => {
  // EXIF orientation is ignored on purpose: capture SDKs send frames upright in sensor order.
  const fromHeader = jpegSize(jpeg)
  if (fromHeader !== undefined) return fromHeader
  const meta = await sharp(jpeg).metadata()
  if (meta.width === undefined || meta.height === undefined) throw new Error("frame has no size")
  return { width: meta.width, height: meta.height }
}

const toRgbImage = (
  data: Buffer,
  info: OutputInfo,
  frame: { width: number; height: number }
): RgbImage => {
  if (info.channels !== 3) throw new Error(`frame decodes to ${info.channels} channels`)
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    scale: frame.width / info.width,
    frameWidth: frame.width,
    frameHeight: frame.height
  }
}

/** The largest power of two, at most 8, by which `longSide` can be divided and stay at or above `minSide`. */
export const powerOfTwoShrink = (longSide: number, minSide: number): number => {
  let shrink = 1
  while (shrink < 8 && longSide / (shrink * 2) >= minSide) shrink *= 2
  return shrink
}

/**
 * Decodes straight to `maxSide` on the long side (aspect kept): libjpeg shrinks on load by a power
 * of two and libvips finishes with its linear reduction. sharp only shrinks on load by 4 when the
 * whole reduction is at least 5 (its guard against libjpeg rounding), so a 1280 px frame costs:
 * 256 px, 1/4 on load then linear: 3.2-4.3 ms of CPU here; 320 px, 1/2 on load then halved:
 * 5.2 ms; a full decode halved to 640 px: 6.7 ms (and 1.3 ms more to bring that to the detector).
 */
export const decodeToSide = async (jpeg: Uint8Array, maxSide: (frameLongSide: number) => number): Promise<RgbImage> => {
  const frame = await frameSize(jpeg)
  const { width, height } = fitSide(frame.width, frame.height, maxSide(Math.max(frame.width, frame.height)))
  const { data, info } = await sharp(jpeg)
    .removeAlpha()
    .toColourspace("srgb")
    .resize(width, height, { fit: "fill", kernel: "linear", fastShrinkOnLoad: true })
    .raw()
    .toBuffer({ resolveWithObject: true })
  return toRgbImage(data, info, frame)
}

/** Width and height with the long side `maxSide`, aspect kept. */
export const fitSide = (width: number, height: number, maxSide: number): { width: number; height: number } => {
  const s = Math.max(width, height) / maxSide
  return { width: Math.max(1, Math.round(width / s)), height: Math.max(1, Math.round(height / s)) }
}

export type ScaledJpegDecoder = NativeAddon["decodeJpegScaled"]

/**
 * The frame shrunk by the largest power of two, at most `maxShrink` (and 8), that keeps its long
 * side at or above `minSide`, decoded by the addon; `undefined` when it does not decode it (a JPEG
 * it reports unsupported or broken, or a frame too small to shrink), for the caller's fallback.
 * At 1/4 the addon takes 1.5 ms of CPU for a 1280x720 frame against 3.2-4.3 ms through sharp
 * (whose guard against libjpeg rounding turns an exact 1/4 into a 1/2 decode and a reduction), and
 * each pixel is the exact mean of the 4x4 it covers. `target` (a pooled buffer) receives the pixels
 * when it is large enough.
 */
export const decodeWithAddon = async (
  decoder: ScaledJpegDecoder,
  jpeg: Uint8Array,
  minSide: number,
  maxShrink = 8,
  target?: Uint8Array
): Promise<RgbImage | undefined> => {
  const frame = jpegSize(jpeg)
  if (frame === undefined) return undefined
  const shrink = Math.min(maxShrink, powerOfTwoShrink(Math.max(frame.width, frame.height), minSide))
  if (shrink !== 2 && shrink !== 4 && shrink !== 8) return undefined
  const decoded = await decoder(jpeg, shrink, target)
  if (decoded.status !== "ok") return undefined
  return { width: decoded.width, height: decoded.height, data: decoded.rgb, scale: shrink, frameWidth: frame.width, frameHeight: frame.height }
}

/**
 * `decodeWithAddon`, else sharp at the same size, which also says why a broken JPEG cannot be
 * decoded.
 */
export const decodeShrunk = async (
  decoder: ScaledJpegDecoder,
  jpeg: Uint8Array,
  minSide: number,
  maxShrink = 8,
  target?: Uint8Array
): Promise<RgbImage> => {
  const decoded = await decodeWithAddon(decoder, jpeg, minSide, maxShrink, target)
  if (decoded !== undefined) return decoded
  // Same size as the addon would give; bytes without a JPEG header are left at full size.
  const shrinkFor = (longSide: number) => (jpegSize(jpeg) === undefined ? 1 : Math.min(maxShrink, powerOfTwoShrink(longSide, minSide)))
  return decodeToSide(jpeg, (longSide) => Math.ceil(longSide / shrinkFor(longSide)))
}
