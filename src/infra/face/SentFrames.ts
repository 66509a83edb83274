/**
 * The face worker's side of a request's frames: JPEG bytes that came with the request are used as
 * they are, those in a slot of the shared frame memory (`FrameSlots.ts`) are read in place.
 */
import { FaceAnalysisError } from "../../domain/FaceAnalyzer.js"
import type { SentFrame } from "./FaceWorkerProtocol.js"
import { frameSlotView } from "./FrameSlots.js"

/**
 * Each frame's bytes, or a ModelFailure when a slot is not in `frameSlots` (a worker started without
 * the memory, or a slot past its end): unlike decoded pixels, which a worker can make again, a
 * frame's bytes exist nowhere else on this thread.
 */
export const receivedFrames = (
  frames: ReadonlyArray<SentFrame>,
  frameSlots: SharedArrayBuffer | undefined
): ReadonlyArray<Uint8Array> | FaceAnalysisError => {
  const received: Array<Uint8Array> = []
  for (const [i, frame] of frames.entries()) {
    if (frame instanceof Uint8Array) {
      received.push(frame)
      continue
    }
    const view = frameSlots === undefined ? undefined : frameSlotView(frameSlots, frame.slot, frame.byteLength)
    if (view === undefined) {
      const where = frameSlots === undefined ? "this worker has no shared frame memory" : `slot ${frame.slot} is outside the shared frame memory`
      return new FaceAnalysisError({ kind: "ModelFailure", detail: `frame ${i} was sent in a slot, but ${where}` })
    }
    received.push(view)
  }
  return received
}
