/**
 * Gives the memory a burst of captures freed back to the system once the service goes idle, in two
 * steps.
 * - A second after the last capture (the engine capacity's idle hook), the C library trims. glibc
 *   keeps freed heap memory (upload buffers, decoded frames, every thread's scratch) mapped in its
 *   arenas, so the service's RSS stayed at a burst's peak: 434 MiB idle after 150 captures, 356 MiB
 *   after `malloc_trim` (engine_pool_size 2). It costs the next captures nothing measurable.
 * - Ten seconds after the last capture, each thread also collects its own V8 heap
 *   (`releaseHeapMemory`: V8 keeps its heaps at the size a burst grew them to, and frees the buffers
 *   they hold only when it collects), then the C library trims again: idle RSS ~380 -> ~290 MiB.
 *   This one has a price: the next ~100 captures run slower while V8 grows its heaps back and
 *   warms up again (p50 +5 ms for the first hundred at one client, +2 ms of CPU each on average
 *   over 300; docs/performance.md), so a service with gaps of a few seconds between captures does
 *   not pay it, and one idle for longer (whose own memory reducer would collect soon anyway) does.
 * The face workers release their own heaps after the same ten seconds (FaceWorker.ts).
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { loadNativeAddon, type NativeAddon } from "./NativeAddon.js"

/** Quiet time after the last capture before the V8 heaps are collected and given back. */
export const HEAP_RELEASE_DELAY = Duration.seconds(10)

const logged = (released: boolean) =>
  Effect.logDebug(`idle: ${released ? "returned freed memory to the system" : "no free memory to return"}`)

/** The trim, with its effect logged at debug level; an addon that cannot load (reported at start) is left alone. */
export const trimFreeMemoryWhenIdle = (load: () => NativeAddon = loadNativeAddon): Effect.Effect<void> =>
  Effect.try(() => load().trimFreeMemory()).pipe(Effect.flatMap(logged), Effect.catchAll(() => Effect.void))

/** The calling thread's V8 heap collected and given back, then the trim; as quiet about a missing addon. */
export const releaseHeapWhenIdle = (load: () => NativeAddon = loadNativeAddon): Effect.Effect<void> =>
  Effect.try(() => load().releaseHeapMemory()).pipe(Effect.zipRight(trimFreeMemoryWhenIdle(load)), Effect.catchAll(() => Effect.void))

/**
 * The engine capacity's idle hook (run `idleAfter` after the last capture, interrupted when a
 * capture starts): the trim at once, the heap release once `HEAP_RELEASE_DELAY` has passed since the
 * last capture.
 */
export const idleMemoryRelease = (idleAfter: Duration.DurationInput, load: () => NativeAddon = loadNativeAddon): Effect.Effect<void> =>
  trimFreeMemoryWhenIdle(load).pipe(
    Effect.zipRight(Effect.sleep(Duration.subtract(HEAP_RELEASE_DELAY, Duration.decode(idleAfter)))),
    Effect.zipRight(releaseHeapWhenIdle(load))
  )
