/**
 * The public vocabulary of the Facephi IAD Service 2.0.0 contract: every value an integrator
 * can read in `diagnostic`, `reason` or an error `message`. Nothing private leaves through here.
 */
import * as Schema from "effect/Schema"

export const Diagnostic = Schema.Literal("Live", "NoLive")
export type Diagnostic = typeof Diagnostic.Type

/** The nine public values of `reason` in a liveness response. */
export const PublicReason = Schema.Literal(
  "None",
  "Unknown",
  "UntrustedEnvironment",
  "SuspiciousActivity",
  "UntrustedDevice",
  "SdkIntegrityViolation",
  "UntrustedCorruptedPayload",
  "UntrustedContent",
  "UntrustedContentLowConfidence"
)
export type PublicReason = typeof PublicReason.Type

/** Face-quality messages: 400 answers of `POST /liveness/evaluate`. */
export const FaceMessage = Schema.Literal(
  "NoneBecauseFaceTooClose",
  "NoneBecauseFaceNotFound",
  "NoneBecauseFaceCropped",
  "NoneBecauseFaceOccluded",
  "NoneBecauseTooManyFaces",
  "NoneBecauseAngleTooLarge",
  "NoneBecauseFaceTooSmall",
  "NoneBecauseFaceTooCloseToBorder",
  "NoneBecauseEyesClosed"
)
export type FaceMessage = typeof FaceMessage.Type

export const ImageDataError = "NoneBecauseImageDataError" as const
export const LicenseError = "NoneBecauseLicenseError" as const
export const ReplayDetected = "Replay attack detected" as const
export const ErrorProcessing = "ErrorProcessing" as const
export const ErrorFacialImage = "ErrorFacialImage" as const
