/**
 * The reference capture SDK as a function: frames (+ optional signals) -> capture bytes for the
 * service whose keys are in `keysDir`. Used by `iad-capture build`, tests and integrators.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { CaptureSignals } from "./CaptureContents.js"
import { encodeCapture } from "./CaptureEncoder.js"
import { draftOf } from "./GenuineSignals.js"
import { jpegSize, type RandomSource, simulateBurst } from "./Burst.js"
import { loadEncoderKeys } from "./KeysDir.js"

export interface BuildCaptureOptions {
  readonly keysDir: string
  /** JPEG frames, used exactly as given (unless `burst`). */
  readonly frames: ReadonlyArray<Uint8Array>
  /** Overrides of documented signals; unknown keys are refused. */
  readonly signals?: unknown
  /** ms since the epoch; defaults to now. */
  readonly capturedAt?: number
  /** Simulated burst: each frame becomes this many frames. */
  readonly burst?: number
  /** The simulated burst's jitter source; defaults to `Math.random` (`seededRandom` makes a burst repeatable). */
  readonly burstRandom?: RandomSource
}

export class BuildCaptureError extends Schema.TaggedError<BuildCaptureError>()("BuildCaptureError", {
  message: Schema.String
}) {}

const decodeSignals = Schema.decodeUnknownSync(CaptureSignals, { onExcessProperty: "error" })

export const buildCapture = async (options: BuildCaptureOptions): Promise<Uint8Array> => {
  const signals = decodeSignals(options.signals ?? {})
  const keys = await loadEncoderKeys(options.keysDir)
  const frames = options.burst !== undefined && options.burst > 1 ? await simulateBurst(options.frames, options.burst, options.burstRandom) : options.frames
  if (frames.length === 0) throw new Error("a capture needs at least one frame")
  const frameSize = await jpegSize(frames[0]!)
  const draft = draftOf({ frames, frameSize, capturedAt: options.capturedAt ?? Date.now(), signals })
  return encodeCapture(draft, keys)
}

export const buildCaptureEffect = (options: BuildCaptureOptions): Effect.Effect<Uint8Array, BuildCaptureError> =>
  Effect.tryPromise({
    try: () => buildCapture(options),
    catch: (cause) => new BuildCaptureError({ message: cause instanceof Error ? cause.message : String(cause) })
  })
