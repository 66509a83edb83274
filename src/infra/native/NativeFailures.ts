/** Native result codes -> engine failure kinds of the port. */
import type { EngineFailureKind } from "../../domain/CaptureEngine.js"

export const failureKindOf = (code: string): EngineFailureKind => {
  switch (code) {
    case "UNKNOWN_SERVICE_KEY":
    case "DECRYPT_FAILED":
      return "Undecryptable"
    default:
      // Envelope or content that is not a well-formed v1 capture (truncated, garbage, over limits).
      return "Malformed"
  }
}
