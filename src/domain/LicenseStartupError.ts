/** Startup cannot go on: the license section or the product public key is unusable. */
import { Data } from "effect"

export class LicenseStartupError extends Data.TaggedError("LicenseStartupError")<{
  readonly message: string
}> {}
