/**
 * Content forensics of the native engine. sharp (libvips, libjpeg-turbo) decodes each frame to a
 * small grayscale plane, 320 px on the long side for a 1280x720 frame (sharp shrinks that on load
 * by 1/2 and halves the rest: its guard against libjpeg rounding refuses an exact 1/4), which keeps
 * enough sensor noise to tell a live stream from a repeated still; the C++ addon then parses the
 * JPEG headers (quantisation tables, size) from the frame bytes and computes the noise statistics
 * on a libuv worker, off the main thread.
 *
 * Why not the addon's scaled decoder, which the face analysis uses (faster): it averages 4x4
 * blocks exactly, which smooths sensor noise differently from this path, and the noise thresholds
 * of the detection config were calibrated on these planes (`npm run eval`). Moving forensics to it
 * means recalibrating them.
 */
import { Effect, Schema } from "effect"
import sharp from "sharp"
import { type FrameForensics, NativeForensicsResult } from "../../domain/Forensics.js"
import { powerOfTwoShrink } from "../face/FrameDecoder.js"
import type { NativeAddon } from "./NativeAddon.js"

/** Shrink on load (a power of two, at most 8) stops before the plane's long side would go under this. */
export const FORENSICS_SIDE = 320
/**
 * |Laplacian| at or below which a pixel counts as flat (no edge) for the temporal noise.
 * Edges moved by 1-2 px of hand motion give |L| well above 16 at 1/4 scale; sensor noise stays under.
 */
export const FLAT_LIMIT = 16
/** The noise statistics read a 3x3 Laplacian over a plane's interior: smaller planes have none. */
const MIN_PLANE_SIDE = 3

export interface GrayPlane {
  readonly data: Uint8Array
  readonly width: number
  readonly height: number
}

/** `undefined` when the JPEG does not decode (truncated, corrupt entropy data, not a JPEG). */
export const decodeGray = async (jpeg: Uint8Array): Promise<GrayPlane | undefined> => {
  try {
    const meta = await sharp(jpeg, { failOn: "warning" }).metadata()
    if (meta.width === undefined || meta.height === undefined) return undefined
    const shrink = powerOfTwoShrink(Math.max(meta.width, meta.height), FORENSICS_SIDE)
    let pipeline = sharp(jpeg, { failOn: "warning" })
    if (shrink > 1) {
      pipeline = pipeline.resize(Math.ceil(meta.width / shrink), Math.ceil(meta.height / shrink), {
        fit: "fill",
        kernel: "linear",
        fastShrinkOnLoad: true
      })
    }
    const { data, info } = await pipeline.greyscale().raw().toBuffer({ resolveWithObject: true })
    if (info.channels !== 1) return undefined
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height }
  } catch {
    return undefined
  }
}

const decodeResult = Schema.decodeUnknown(NativeForensicsResult)

/**
 * Headers and noise statistics of the frames, in frame order; noise and pairs cover the decodable
 * frames large enough to measure (the addon refuses a plane under 3 px a side), pairs consecutive ones.
 */
export const frameForensics = (addon: NativeAddon, jpegs: ReadonlyArray<Uint8Array>) =>
  Effect.gen(function*() {
    const planes = yield* Effect.promise(() => Promise.all(jpegs.map(decodeGray)))
    const measurable = planes.flatMap((plane) =>
      plane !== undefined && plane.width >= MIN_PLANE_SIDE && plane.height >= MIN_PLANE_SIDE ? [plane] : []
    )
    const raw = yield* Effect.tryPromise(() => addon.forensics({ jpegs, planes: measurable, flatLimit: FLAT_LIMIT }))
    const result = yield* decodeResult(raw)
    const forensics: FrameForensics = {
      decoded: planes.map((plane) => plane !== undefined),
      headers: result.headers,
      spatialNoise: result.spatialNoise,
      pairs: result.pairs
    }
    return forensics
  })
