/**
 * Content forensics of the native engine. Each frame is decoded to a small grayscale plane, 1/4 of
 * a 1280x720 frame (320x180), by the addon's scaled decoder (each pixel the mean of a 4x4 block,
 * grey as BT.601 luma, the JPEG's own Y, taken by the addon); what it does not decode goes through sharp (libvips),
 * which also fails on any libjpeg warning. The C++ addon then parses the JPEG headers
 * (quantisation tables, size) from the frame bytes and computes the noise statistics on a libuv
 * worker, off the main thread.
 *
 * The decoder change (sharp's path: a 1/2 decode halved, libvips grey) moved the noise figures
 * apart: on 48 simulated bursts and 12 stills the least bona fide temporal noise rose from 0.27 to
 * 0.33 while re-encoded stills stayed at 0.06-0.18 (thresholds 0.2 and 0.3), and `npm run eval`
 * keeps APCER 0 and BPCER 0/200.
 */
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import sharp from "sharp"
import { Forensics, ForensicsFailure, type FrameForensics, NativeForensicsResult } from "../../domain/Forensics.js"
import { decodeWithAddon, powerOfTwoShrink } from "../face/FrameDecoder.js"
import { currentFrameLease, type ScaledJpegDecode, type SharedFrameDecodes } from "../SharedFrameDecodes.js"
import type { NativeAddon } from "./NativeAddon.js"
import { nativeAddon, type NativeEngineStartupError } from "./NativeEngine.js"

/** The shrink (a power of two, at most 8) stops before the plane's long side would go under this. */
export const FORENSICS_SIDE = 320
/**
 * |Laplacian| at or below which a pixel counts as flat (no edge) for the temporal noise.
 * Edges moved by 1-2 px of hand motion give |L| well above 16 at 1/4 scale; sensor noise stays under.
 */
export const FLAT_LIMIT = 16
/** The noise statistics read a 3x3 Laplacian over a plane's interior: smaller planes have none. */
const MIN_PLANE_SIDE = 3

/** A frame's plane for the noise statistics: grey, or packed RGB that the addon turns into luma. */
export interface ForensicsPlane {
  readonly data: Uint8Array
  readonly width: number
  readonly height: number
  readonly channels: 1 | 3
}

/**
 * The frame's plane at the largest power-of-two shrink that keeps 320 px on the long side:
 * the addon's RGB decode (shared with the face analysis through `decodes`; the addon takes its
 * BT.601 luma, the JPEG's own Y, off the main thread), else sharp's grey decode; `undefined` when
 * the JPEG does not decode (truncated, corrupt entropy data, not a JPEG).
 */
export const decodePlane = async (decode: ScaledJpegDecode, jpeg: Uint8Array): Promise<ForensicsPlane | undefined> => {
  const decoded = await decodeWithAddon(decode, jpeg, FORENSICS_SIDE)
  return decoded === undefined
    ? decodeGrayWithSharp(jpeg)
    : { data: decoded.data, width: decoded.width, height: decoded.height, channels: 3 }
}

/** sharp's decode, for JPEGs the addon leaves alone (progressive, CMYK...) or finds broken. */
const decodeGrayWithSharp = async (jpeg: Uint8Array): Promise<ForensicsPlane | undefined> => {
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
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 1 }
  } catch {
    return undefined
  }
}

const decodeResult = Schema.decodeUnknown(NativeForensicsResult)

/**
 * Headers and noise statistics of the frames, in frame order; noise and pairs cover the decodable
 * frames large enough to measure (the addon refuses a plane under 3 px a side), pairs consecutive ones.
 */
export const frameForensics = (
  addon: NativeAddon,
  jpegs: ReadonlyArray<Uint8Array>,
  decode: ScaledJpegDecode = addon.decodeJpegScaled
) =>
  Effect.gen(function*() {
    const planes = yield* Effect.promise(() => Promise.all(jpegs.map((jpeg) => decodePlane(decode, jpeg))))
    const measurable = planes.flatMap((plane) =>
      plane !== undefined && plane.width >= MIN_PLANE_SIDE && plane.height >= MIN_PLANE_SIDE ? [plane] : []
    )
    const raw = yield* Effect.tryPromise(() => addon.forensics({ jpegs, planes: measurable, flatLimit: FLAT_LIMIT }))
    const result = yield* decodeResult(raw)
    const forensics: FrameForensics = {
      decoded: planes.map((plane) => plane !== undefined),
      headers: result.headers,
      pairs: result.pairs
    }
    return forensics
  })

/**
 * The `Forensics` port on the addon: decoding on the addon's and sharp's libuv workers. With
 * `decodes`, the frames' decodes are shared with the face analysis of the same capture.
 */
export const nativeForensicsLayerWith = (decodes?: SharedFrameDecodes): Layer.Layer<Forensics, NativeEngineStartupError> =>
  Layer.effect(
    Forensics,
    Effect.map(nativeAddon, (addon) =>
      Forensics.of({
        measure: (frames) =>
          // Inside a capture's lease (EngineSelection.ts), the decodes write into its frame slots.
          Effect.flatMap(FiberRef.get(currentFrameLease), (lease) => frameForensics(addon, frames, decodes?.decodeIn(lease))).pipe(
            Effect.mapError((cause) => new ForensicsFailure({ detail: `forensics: ${String(cause)}` }))
          )
      }))
  )

/** The `Forensics` port on the addon, decoding frames for itself. */
export const nativeForensicsLayer: Layer.Layer<Forensics, NativeEngineStartupError> = nativeForensicsLayerWith()
