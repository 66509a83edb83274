/**
 * Gives the memory a burst of captures freed back to the system once the engines go idle. glibc
 * keeps freed heap memory (upload buffers, decoded frames, every thread's scratch) mapped in its
 * arenas, so the service's RSS stayed at a burst's peak: 434 MiB idle after 150 captures, 356 MiB
 * after `malloc_trim` (engine_pool_size 2; docs/performance.md). V8 keeps its heap at the size a
 * burst grew it to as well, and frees the buffers it still holds only when it collects: so the
 * thread's heap is collected first (`releaseHeapMemory`), then the C library trims. Run by the
 * engine capacity's idle hook, a second after the last capture, so a steady stream of captures
 * never pays for it; each face worker does the same for its own heap (FaceWorker.ts).
 */
import * as Effect from "effect/Effect"
import { loadNativeAddon, type NativeAddon } from "./NativeAddon.js"

/**
 * The calling thread's collection, then the trim, with its effect logged at debug level; an addon
 * that cannot load (reported at start) is left alone.
 */
export const trimFreeMemoryWhenIdle = (load: () => NativeAddon = loadNativeAddon): Effect.Effect<void> =>
  Effect.try(() => {
    const addon = load()
    addon.releaseHeapMemory()
    return addon.trimFreeMemory()
  }).pipe(
    Effect.flatMap((released) => Effect.logDebug(`idle: ${released ? "returned freed memory to the system" : "no free memory to return"}`)),
    Effect.catchAll(() => Effect.void)
  )
