/**
 * One decode per frame for the whole capture. Forensics (on the service's thread) and face analysis
 * (on a worker thread) both read a frame at the same power-of-two shrink (1/4 for 1280x720 and
 * 1920x1080, 1/2 for 640x480), so the first to ask decodes it and the other gets the same pixels:
 * a 1280x720 frame's decode is ~1.5 ms of CPU, three of them a capture.
 *
 * Entries are keyed by the frame's bytes object in a WeakMap: they go away with the capture. `take`
 * hands the pixels over (to be sent to a worker) and forgets them.
 *
 * Inside a capture's lease (`withLease`, which the engine capacity puts around each evaluation), a
 * decode writes its pixels straight into a free slot of the shared frame memory (`FrameSlots.ts`),
 * where the face worker reads them: no copy on the way, and no new ArrayBuffer, which V8 would count
 * as external memory until a full collection (docs/performance.md, round 8). The lease gives its
 * slots back once the capture's work is done and every decode it started has settled, so a slot is
 * never reused while the addon may still write it. Without a lease (or a free slot) the decode makes
 * a buffer of its own, as before.
 */
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import type { FrameSlots } from "./face/FrameSlots.js"
import type { NativeAddon, NativeScaledJpeg, ScaledJpegShrink } from "./native/NativeAddon.js"

export type ScaledJpegDecode = (jpeg: Uint8Array, scale: ScaledJpegShrink) => Promise<NativeScaledJpeg>

/** A finished decode's pixels, as the face worker takes them; `slot` when they are in the shared frame memory. */
export interface DecodedPixels {
  readonly shrink: ScaledJpegShrink
  readonly width: number
  readonly height: number
  readonly rgb: Uint8Array
  readonly slot?: number
}

/** The frame memory of one capture: each decode it made into a slot, with its frame and slot. */
export interface FrameLease {
  readonly owner: object
  readonly held: Array<{ readonly jpeg: Uint8Array; readonly slot: number; readonly decode: Promise<unknown> }>
}

export interface SharedFrameDecodes {
  /** The frame at 1/`shrink`, decoded once: a second caller for the same frame and shrink shares the first's decode. */
  readonly decode: ScaledJpegDecode
  /** `decode` for the capture holding `lease`: its pixels go into a free frame slot, held until the lease ends. */
  readonly decodeIn: (lease: FrameLease | undefined) => ScaledJpegDecode
  /** The finished, successful decode of this frame, removed from the cache; `undefined` when there is none. */
  readonly take: (jpeg: Uint8Array) => DecodedPixels | undefined
  /** `work` with a lease of its own for its decodes (read with `currentFrameLease`), ended when `work` is. */
  readonly withLease: <A, E, R>(work: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

/** The lease of the capture the current fiber works on, if any (set by `withLease`). */
export const currentFrameLease: FiberRef.FiberRef<FrameLease | undefined> = FiberRef.unsafeMake<FrameLease | undefined>(undefined)

interface Entry {
  readonly shrink: ScaledJpegShrink
  readonly pending: Promise<NativeScaledJpeg>
  readonly slot: number | undefined
  settled?: NativeScaledJpeg
}

/** `decoder`: the addon's scaled decode, whose `target`, when large enough, receives the pixels. */
export const makeSharedFrameDecodes = (decoder: NativeAddon["decodeJpegScaled"], frameSlots?: FrameSlots): SharedFrameDecodes => {
  const owner = {}
  const entries = new WeakMap<Uint8Array, Entry>()
  const decodeWith = (lease: FrameLease | undefined): ScaledJpegDecode => (jpeg, shrink) => {
    const known = entries.get(jpeg)
    if (known !== undefined && known.shrink === shrink) return known.pending
    const slot = lease?.owner === owner ? frameSlots?.reserve() : undefined
    const target = slot === undefined ? undefined : frameSlots!.slotView(slot)
    const entry: Entry = {
      shrink,
      slot,
      pending: decoder(jpeg, shrink, target).then((decoded) => {
        entry.settled = decoded
        return decoded
      })
    }
    if (slot !== undefined) lease!.held.push({ jpeg, slot, decode: entry.pending })
    // A failed decode is not kept: the caller's fallback (sharp) reports it.
    entry.pending.catch(() => {
      if (entries.get(jpeg) === entry) entries.delete(jpeg)
    })
    entries.set(jpeg, entry)
    return entry.pending
  }
  /** Forgets the lease's frames (their pixels are about to be overwritten) and frees its slots once its decodes have settled. */
  const end = (lease: FrameLease) => {
    if (lease.held.length === 0) return
    for (const { jpeg, slot } of lease.held) if (entries.get(jpeg)?.slot === slot) entries.delete(jpeg)
    void Promise.allSettled(lease.held.map(({ decode }) => decode)).then(() => {
      for (const { slot } of lease.held) frameSlots?.release(slot)
    })
  }
  return {
    decode: decodeWith(undefined),
    decodeIn: decodeWith,
    take: (jpeg) => {
      const entry = entries.get(jpeg)
      const decoded = entry?.settled
      if (entry === undefined || decoded === undefined || decoded.status !== "ok") return undefined
      entries.delete(jpeg)
      // Pixels the addon wrote into the slot start there; a decode too large for it came back in a buffer of its own.
      const inSlot = entry.slot !== undefined && decoded.rgb.buffer === frameSlots?.memory
      return { shrink: entry.shrink, width: decoded.width, height: decoded.height, rgb: decoded.rgb, ...(inSlot ? { slot: entry.slot } : {}) }
    },
    withLease: (work) =>
      Effect.acquireUseRelease(
        Effect.sync((): FrameLease => ({ owner, held: [] })),
        (lease) => Effect.locally(work, currentFrameLease, lease),
        (lease) => Effect.sync(() => end(lease))
      )
  }
}
