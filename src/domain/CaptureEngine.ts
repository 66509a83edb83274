/**
 * The capture engine port. A native engine (C++ addon behind a pool) and a fake engine for testers
 * are two Layers of this one Tag; the use cases never know which one runs.
 */
import { Context, Data, type Effect } from "effect"

/** The facial frame an engine chose as best, ready to hand back by `POST /extract`. */
export interface CaptureImage {
  readonly bytes: Uint8Array
  readonly mimeType: string
}

/** What opening (decrypting and parsing) a capture yields: enough for replay checks and extract. */
export interface OpenedCapture {
  /** Hex id the SDK gave the capture; used for logs, never returned to clients. */
  readonly captureId: string
  /** Creation time the capture declares, ms since the Unix epoch. */
  readonly capturedAt: number
  readonly bestFrame: CaptureImage
  /**
   * Engine-specific state carried from `open` to `assess` (parsed contents, frame views).
   * Opaque to the domain.
   */
  readonly engineState: unknown
}

/** The engine's analysis of an opened capture, in its private vocabulary. */
export interface EngineAssessment {
  /** Probability in [0, 1] that the capture is genuine (not injected, not tampered). */
  readonly probability: number
  /** Private rejection reason codes, strongest first; empty when the engine has no objection. */
  readonly reasons: ReadonlyArray<string>
  /** Private face-problem code for the best frame, if the face is not usable. */
  readonly faceProblem: string | undefined
  /** Probability in [0, 1] that the best frame holds a face (detector confidence). */
  readonly faceProbability: number
}

/** What the face detector says of the best frame, for `POST /extract`. */
export interface FaceDetection {
  /** Probability in [0, 1] that the best frame holds a face. */
  readonly faceProbability: number
}

/** A result plus where its time went: waiting for an engine, and inside the engine. */
export interface Timed<A> {
  readonly value: A
  readonly queueMillis: number
  readonly engineMillis: number
}

/**
 * Why an engine could not produce a result.
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

/** No engine became free within the queue timeout. */
export class EngineBusy extends Data.TaggedError("EngineBusy")<{
  readonly waitedMillis: number
  readonly retryAfterSeconds: number
}> {}

export type EngineReadiness =
  | { readonly ready: true }
  | { readonly ready: false; readonly reason: string }

export interface CaptureEngineShape {
  /** A short human name for logs and `/version`, e.g. `native` or `fake`. */
  readonly name: string
  readonly open: (capture: Uint8Array) => Effect.Effect<Timed<OpenedCapture>, EngineFailure | EngineBusy>
  /** Full analysis for `POST /liveness/evaluate`: integrity, trust, content and face. */
  readonly assess: (capture: OpenedCapture) => Effect.Effect<Timed<EngineAssessment>, EngineFailure | EngineBusy>
  /** Face detection only, for `POST /extract`. */
  readonly detectFace: (capture: OpenedCapture) => Effect.Effect<Timed<FaceDetection>, EngineFailure | EngineBusy>
  readonly readiness: Effect.Effect<EngineReadiness>
}

export class CaptureEngine extends Context.Tag("iad/CaptureEngine")<CaptureEngine, CaptureEngineShape>() {}
