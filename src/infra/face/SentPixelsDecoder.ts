/**
 * The face worker's decoder for one request: the frames the service's thread already decoded come
 * with the request (`DecodedFrame`); the others, or another shrink, are decoded here.
 */
import type { ScaledJpegDecoder } from "./FrameDecoder.js"
import type { DecodedFrame } from "./FaceWorkerProtocol.js"

/** Serves a frame at the shrink it was sent at from the sent pixels; anything else goes to `decoder`. */
export const decoderWithSentPixels = (
  decoder: ScaledJpegDecoder,
  frames: ReadonlyArray<Uint8Array>,
  decoded: ReadonlyArray<DecodedFrame | null>
): ScaledJpegDecoder =>
  (jpeg, scale, target) => {
    const sent = decoded[frames.indexOf(jpeg)]
    if (sent === undefined || sent === null || sent.shrink !== scale) return decoder(jpeg, scale, target)
    return Promise.resolve({ status: "ok", width: sent.width, height: sent.height, rgb: sent.rgb })
  }
