/**
 * The face worker's decoder for one request: the frames the service's thread already decoded come
 * with the request (`DecodedFrame`: transferred, or in a slot of the shared pixel memory); the
 * others, or another shrink, are decoded here.
 */
import type { ScaledJpegDecoder } from "./FrameDecoder.js"
import type { DecodedFrame } from "./FaceWorkerProtocol.js"
import { frameSlotView } from "./FrameSlots.js"

/**
 * The sent frame as a decode at `scale`: its own buffer, or a view of its slot; `undefined` when
 * nothing was sent at that scale or the slot is not in `frameSlots`.
 */
const sentImage = (sent: DecodedFrame | null | undefined, scale: number, frameSlots: SharedArrayBuffer | undefined) => {
  if (sent === undefined || sent === null || sent.shrink !== scale) return undefined
  const rgb = "rgb" in sent ? sent.rgb : frameSlots === undefined ? undefined : frameSlotView(frameSlots, sent.slot, sent.width * sent.height * 3)
  return rgb === undefined ? undefined : ({ status: "ok", width: sent.width, height: sent.height, rgb } as const)
}

/** Serves a frame at the shrink it was sent at from the sent pixels; anything else goes to `decoder`. */
export const decoderWithSentPixels = (
  decoder: ScaledJpegDecoder,
  frames: ReadonlyArray<Uint8Array>,
  decoded: ReadonlyArray<DecodedFrame | null>,
  frameSlots?: SharedArrayBuffer
): ScaledJpegDecoder =>
  (jpeg, scale, target) => {
    const image = sentImage(decoded[frames.indexOf(jpeg)], scale, frameSlots)
    return image === undefined ? decoder(jpeg, scale, target) : Promise.resolve(image)
  }
