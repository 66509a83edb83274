/**
 * Decodes a JPEG frame with sharp (libvips, libjpeg-turbo). Decoding is the largest cost of the
 * analysis, so frames decode at the smallest size the caller needs: libjpeg's shrink-on-load
 * skips most of the work for 1/2, 1/4 and 1/8 scales.
 */
import sharp from "sharp"
import type { RgbImage } from "./RgbImage.js"

/** libvips work is short and per request; its own thread pool would fight the engine's. */
sharp.concurrency(1)
sharp.cache(false)

/** Frame size from the JPEG header, without decoding. */
export const frameSize = async (jpeg: Uint8Array): Promise<{ width: number; height: number }> => {
  const meta = await sharp(jpeg).metadata()
  if (meta.width === undefined || meta.height === undefined) throw new Error("frame has no size")
  // EXIF orientation is ignored on purpose: capture SDKs send frames upright in sensor order.
  return { width: meta.width, height: meta.height }
}

/**
 * Decodes so that the long side is at most `maxSide`, using the largest power-of-two shrink that
 * keeps it at or above half of `maxSide` (so no resampling besides the JPEG's own shrink).
 */
export const decodeFrame = async (jpeg: Uint8Array, maxSide: number): Promise<RgbImage> => {
  const { width: frameWidth, height: frameHeight } = await frameSize(jpeg)
  const longSide = Math.max(frameWidth, frameHeight)
  let shrink = 1
  while (shrink < 8 && longSide / (shrink * 2) >= maxSide) shrink *= 2
  let pipeline = sharp(jpeg).removeAlpha().toColourspace("srgb")
  if (shrink > 1) {
    pipeline = pipeline.resize(Math.ceil(frameWidth / shrink), Math.ceil(frameHeight / shrink), {
      fit: "fill",
      kernel: "linear",
      fastShrinkOnLoad: true
    })
  }
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true })
  if (info.channels !== 3) throw new Error(`frame decodes to ${info.channels} channels`)
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    scale: frameWidth / info.width,
    frameWidth,
    frameHeight
  }
}
