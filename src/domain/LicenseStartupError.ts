/** Startup cannot go on: the license section or the product public key is unusable. */
import * as Data from "effect/Data"

export class LicenseStartupError extends Data.TaggedError("LicenseStartupError")<{
  readonly message: string
}> {}
