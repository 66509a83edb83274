/**
 * The native engine behind the `CaptureEngine` port: `engine_pool_size` C++ `Engine` instances
 * (each with its own copy of the keys) that decrypt, verify and parse captures on libuv's pool.
 * `EngineCapacity` bounds the calls in flight to the same number, so an instance is always free
 * when a call gets its slot; the pool only guarantees that calls on one instance never overlap.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Pool from "effect/Pool"
import * as Schema from "effect/Schema"
import { CaptureContents, IntegrityFacts } from "../../capture/CaptureContents.js"
import { CaptureEngine, EngineFailure, type OpenedCapture } from "../../domain/CaptureEngine.js"
import type { ServiceConfig } from "../../domain/ServiceConfig.js"
import { loadNativeAddon, type NativeAddon, type NativeEngineHandle } from "./NativeAddon.js"
import { failureKindOf } from "./NativeFailures.js"
import { ensureEngineKeys } from "./NativeKeys.js"

export class NativeEngineStartupError extends Data.TaggedError("NativeEngineStartupError")<{
  readonly message: string
}> {}

const decodeContents = Schema.decodeUnknown(CaptureContents)
const decodeIntegrity = Schema.decodeUnknown(IntegrityFacts)

const internal = (detail: string) => new EngineFailure({ kind: "Internal", detail })

export const openWith = (handle: NativeEngineHandle, bytes: Uint8Array): Effect.Effect<OpenedCapture, EngineFailure> =>
  Effect.gen(function*() {
    const result = yield* Effect.tryPromise({
      try: () => handle.open(bytes),
      catch: (cause) => internal(`native open threw: ${String(cause)}`)
    })
    if (!result.ok) {
      return yield* new EngineFailure({
        kind: failureKindOf(result.codeName),
        detail: `${result.codeName}${result.tag === 0 ? "" : ` (tag 0x${result.tag.toString(16).padStart(4, "0")})`}`
      })
    }
    const contents = yield* Effect.mapError(decodeContents(result.capture), (e) => internal(`addon result: ${e.message}`))
    const integrity = yield* Effect.mapError(decodeIntegrity(result.integrity), (e) => internal(`addon result: ${e.message}`))
    const best = contents.frames[contents.bestFrame]
    if (best === undefined) return yield* internal("best frame index out of range after parsing")
    return {
      captureId: contents.captureId,
      capturedAt: contents.createdAt,
      bestFrame: { bytes: best.jpeg, mimeType: "image/jpeg" },
      facts: { contents, integrity }
    } satisfies OpenedCapture
  })

const startupError = (what: string) => (cause: unknown) =>
  new NativeEngineStartupError({ message: `${what}: ${cause instanceof Error ? cause.message : String(cause)}` })

/** The addon, or a start-up error that says how to build it. */
export const nativeAddon: Effect.Effect<NativeAddon, NativeEngineStartupError> = Effect.try({
  try: loadNativeAddon,
  catch: startupError("native addon not built (run `npm install` or `npx node-gyp rebuild`)")
})

export const nativeEngineLayer = (config: ServiceConfig): Layer.Layer<CaptureEngine, NativeEngineStartupError> =>
  Layer.scoped(
    CaptureEngine,
    Effect.gen(function*() {
      const addon = yield* nativeAddon
      const keys = yield* Effect.mapError(ensureEngineKeys(config.keys_dir), startupError(`keys_dir ${config.keys_dir}`))
      const size = Math.max(1, config.engine_pool_size)
      const handles = yield* Pool.make({
        acquire: Effect.try({ try: () => new addon.Engine(keys), catch: startupError("native engine refused its keys") }),
        size
      })
      // Take every instance once at startup: a broken engine stops the service, not its first request.
      yield* Effect.scoped(Effect.forEach(Array.from({ length: size }), () => Pool.get(handles), { concurrency: "unbounded" }))
      return CaptureEngine.of({
        name: "native",
        open: (bytes) =>
          Effect.scoped(
            Effect.flatMap(
              Effect.mapError(Pool.get(handles), (cause) => internal(`engine instance unavailable: ${String(cause)}`)),
              (handle) => openWith(handle, bytes)
            )
          )
      })
    })
  )
