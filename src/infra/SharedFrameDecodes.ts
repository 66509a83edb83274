/**
 * One decode per frame for the whole capture. Forensics (on the service's thread) and face analysis
 * (on a worker thread) both read a frame at the same power-of-two shrink (1/4 for 1280x720 and
 * 1920x1080, 1/2 for 640x480), so the first to ask decodes it and the other gets the same pixels:
 * a 1280x720 frame's decode is ~1.5 ms of CPU, three of them a capture.
 *
 * Entries are keyed by the frame's bytes object in a WeakMap: they go away with the capture, and
 * nothing has to be cleared when a request ends or fails. `take` hands the pixels over (to be
 * transferred to a worker) and forgets them, since a transfer empties the caller's copy.
 */
import type { NativeScaledJpeg, ScaledJpegShrink } from "./native/NativeAddon.js"

export type ScaledJpegDecode = (jpeg: Uint8Array, scale: ScaledJpegShrink) => Promise<NativeScaledJpeg>

/** A finished decode's pixels, as the face worker takes them. */
export interface DecodedPixels {
  readonly shrink: ScaledJpegShrink
  readonly width: number
  readonly height: number
  readonly rgb: Uint8Array
}

export interface SharedFrameDecodes {
  /** The frame at 1/`shrink`, decoded once: a second caller for the same frame and shrink shares the first's decode. */
  readonly decode: ScaledJpegDecode
  /** The finished, successful decode of this frame, removed from the cache; `undefined` when there is none. */
  readonly take: (jpeg: Uint8Array) => DecodedPixels | undefined
}

interface Entry {
  readonly shrink: ScaledJpegShrink
  readonly pending: Promise<NativeScaledJpeg>
  settled?: NativeScaledJpeg
}

export const makeSharedFrameDecodes = (decoder: ScaledJpegDecode): SharedFrameDecodes => {
  const entries = new WeakMap<Uint8Array, Entry>()
  return {
    decode: (jpeg, shrink) => {
      const known = entries.get(jpeg)
      if (known !== undefined && known.shrink === shrink) return known.pending
      const entry: Entry = {
        shrink,
        pending: decoder(jpeg, shrink).then((decoded) => {
          entry.settled = decoded
          return decoded
        })
      }
      // A failed decode is not kept: the caller's fallback (sharp) reports it.
      entry.pending.catch(() => {
        if (entries.get(jpeg) === entry) entries.delete(jpeg)
      })
      entries.set(jpeg, entry)
      return entry.pending
    },
    take: (jpeg) => {
      const entry = entries.get(jpeg)
      const decoded = entry?.settled
      if (entry === undefined || decoded === undefined || decoded.status !== "ok") return undefined
      entries.delete(jpeg)
      return { shrink: entry.shrink, width: decoded.width, height: decoded.height, rgb: decoded.rgb }
    }
  }
}
