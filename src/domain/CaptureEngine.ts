/**
 * The capture engine port: opening (decrypting, verifying, parsing) a capture. The native engine
 * (C++ addon) and the fake engine for testers are two Layers of this one Tag. Opening is all an
 * engine does: what the opened capture means is decided in the domain (`AssessCapture.ts`).
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type { OpenedFacts } from "./Evidence.js"

/** The facial frame the capture names as best, ready to hand back by `POST /extract`. */
export interface CaptureImage {
  readonly bytes: Uint8Array
  readonly mimeType: string
}

/** What opening a capture yields: its contents and what the engine established about its origin. */
export interface OpenedCapture {
  /** Hex id the SDK gave the capture; for logs and the replay store, never returned to clients. */
  readonly captureId: string
  /** Creation time the capture declares, ms since the Unix epoch. */
  readonly capturedAt: number
  readonly bestFrame: CaptureImage
  readonly facts: OpenedFacts
}

/**
 * Why an engine could not open a capture.
 * - `Undecryptable`: no trusted key opens it, or authentication failed (tampered bytes).
 * - `Malformed`: decrypts but does not parse as a capture (truncated, garbage, over the limits).
 * - `LicenseRejected`: the engine refuses to run without a valid license.
 * - `Internal`: anything else; it is logged and answered as an unclassified failure.
 */
export type EngineFailureKind = "Undecryptable" | "Malformed" | "LicenseRejected" | "Internal"

export class EngineFailure extends Data.TaggedError("EngineFailure")<{
  readonly kind: EngineFailureKind
  /** Private detail for logs; never sent to a client. */
  readonly detail: string
}> {}

export interface CaptureEngineShape {
  /** A short human name for logs and `/version`, e.g. `native` or `fake`. */
  readonly name: string
  readonly open: (capture: Uint8Array) => Effect.Effect<OpenedCapture, EngineFailure>
}

export class CaptureEngine extends Context.Tag("iad/CaptureEngine")<CaptureEngine, CaptureEngineShape>() {}
