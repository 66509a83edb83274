/**
 * The face worker's decoder for one request: the frames the service's thread already decoded come
 * with the request (`DecodedFrame`: transferred, or in a slot of the shared pixel memory); the
 * others, or another shrink, are decoded here.
 */
import type { ScaledJpegDecoder } from "./FrameDecoder.js"
import type { DecodedFrame } from "./FaceWorkerProtocol.js"
import { pixelSlotView } from "./PixelSlots.js"

/** The sent frame's pixels: its own buffer, or a view of its slot (`undefined` when the slot is not in `pixelSlots`). */
const sentPixels = (sent: DecodedFrame, pixelSlots: SharedArrayBuffer | undefined): Uint8Array | undefined => {
  if ("rgb" in sent) return sent.rgb
  return pixelSlots === undefined ? undefined : pixelSlotView(pixelSlots, sent.slot, sent.width * sent.height * 3)
}

/** Serves a frame at the shrink it was sent at from the sent pixels; anything else goes to `decoder`. */
export const decoderWithSentPixels = (
  decoder: ScaledJpegDecoder,
  frames: ReadonlyArray<Uint8Array>,
  decoded: ReadonlyArray<DecodedFrame | null>,
  pixelSlots?: SharedArrayBuffer
): ScaledJpegDecoder =>
  (jpeg, scale, target) => {
    const sent = decoded[frames.indexOf(jpeg)]
    const rgb = sent === undefined || sent === null || sent.shrink !== scale ? undefined : sentPixels(sent, pixelSlots)
    if (sent === undefined || sent === null || rgb === undefined) return decoder(jpeg, scale, target)
    return Promise.resolve({ status: "ok", width: sent.width, height: sent.height, rgb })
  }
