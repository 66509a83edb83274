/** Native result codes -> engine failure kinds of the port. */
import type { EngineFailureKind } from "../../domain/CaptureEngine.js"
import type { NativeCodeName } from "./NativeAddon.js"

export const failureKindOf = (code: NativeCodeName): EngineFailureKind => {
  switch (code) {
    case "UNKNOWN_SERVICE_KEY":
    case "DECRYPT_FAILED":
      return "Undecryptable"
    case "INTERNAL":
      return "Internal"
    default:
      // Envelope or content that is not a well-formed v1 capture (truncated, garbage, over limits).
      return "Malformed"
  }
}
