/**
 * The capture format the fake engine reads: a small JSON document stating the outcome, so that an
 * integrator can exercise every public answer end to end without a capture SDK.
 *
 *   {"capturedAt": "2026-11-25T10:00:00Z", "outcome": "NoneBecauseFaceTooClose"}
 *
 * The fake engine turns the outcome into capture contents and frame scripts that the real checks
 * answer with that outcome (FakeEngine.ts); `signals` and `frames` give finer control.
 */
import * as Schema from "effect/Schema"
import { CaptureSignals } from "../../capture/CaptureContents.js"
import { FakeFrameInput } from "./FakeFrame.js"
import { ErrorFacialImage, ErrorProcessing, FaceMessage, ImageDataError, LicenseError, PublicReason } from "../../domain/PublicMessages.js"

export const FakeOutcome = Schema.Union(
  Schema.Literal("Live"),
  Schema.Literal(...PublicReason.literals.filter((reason) => reason !== "None" && reason !== "Unknown")),
  FaceMessage,
  Schema.Literal(ImageDataError, LicenseError, ErrorProcessing, ErrorFacialImage)
).annotations({ identifier: "FakeOutcome" })
export type FakeOutcome = typeof FakeOutcome.Type

const Probability = Schema.Number.pipe(Schema.between(0, 1))

/** Epoch milliseconds, or an ISO 8601 date-time string. */
const CapturedAt = Schema.Union(
  Schema.Number.pipe(Schema.finite()),
  Schema.compose(Schema.DateFromString, Schema.ValidDateFromSelf).pipe(
    Schema.transform(Schema.Number, { strict: true, decode: (date) => date.getTime(), encode: (ms) => new Date(ms) })
  )
)

export const FakeCaptureDocument = Schema.Struct({
  /** Creation time; absent = the moment the engine opens it (always fresh). */
  capturedAt: Schema.optional(CapturedAt),
  outcome: Schema.optionalWith(FakeOutcome, { default: () => "Live" as const }),
  /** Overrides of the capture's signals, as `iad-capture build --signals` takes them. */
  signals: Schema.optionalWith(CaptureSignals, { default: () => ({}) }),
  /** Number of frames (default 3), or each frame's script (see FakeFrame.ts) over the outcome's. */
  frames: Schema.optional(
    Schema.Union(
      Schema.Int.pipe(Schema.between(1, 16)),
      Schema.Array(FakeFrameInput).pipe(
        Schema.minItems(1),
        Schema.maxItems(16)
      )
    )
  ),
  faceProbability: Schema.optionalWith(Probability, { default: () => 0.99 }),
  /** Best frame returned by extract, base64; default a built-in 16x16 JPEG. */
  image: Schema.optional(Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9+/]*={0,2}$/))),
  mimeType: Schema.optionalWith(Schema.String, { default: () => "image/jpeg" }),
  /** Simulated engine time per call, ms (drives sdkDuration; honours TestClock). */
  engineMillis: Schema.optionalWith(Schema.Number.pipe(Schema.nonNegative(), Schema.lessThanOrEqualTo(60_000)), {
    default: () => 0
  })
}).annotations({ identifier: "FakeCaptureDocument" })
export type FakeCaptureDocument = typeof FakeCaptureDocument.Type
export type FakeCaptureInput = typeof FakeCaptureDocument.Encoded

/** A 16x16 skin-toned JPEG, the default best frame of a fake capture. */
export const DEFAULT_FAKE_JPEG_BASE64 =
  "/9j/2wBDAAoHBwgHBgoICAgLCgoLDhgQDg0NDh0VFhEYIx8lJCIfIiEmKzcvJik0KSEiMEExNDk7Pj4+JS5ESUM8SDc9Pjv/2wBDAQoLCw4NDhwQEBw7KCIoOzs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozv/wAARCAAQABADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAb/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAABAX/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCiABUn/9k="

/** Encodes a fake capture document as the bytes to upload in the `capture` field. */
export const encodeFakeCapture = (input: FakeCaptureInput): Uint8Array => new TextEncoder().encode(JSON.stringify(input))
