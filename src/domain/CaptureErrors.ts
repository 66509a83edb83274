/**
 * Failures of the capture use cases, and their total mapping to public HTTP answers.
 */
import * as Data from "effect/Data"
import * as Match from "effect/Match"
import type { EngineFailure } from "./CaptureEngine.js"
import type { EngineBusy } from "./EngineCapacity.js"
import type { FaceAnalysisError } from "./FaceAnalyzer.js"
import type { ForensicsFailure } from "./Forensics.js"
import type { LicenseUnavailable } from "./LicenseGate.js"
import {
  ErrorFacialImage,
  ErrorProcessing,
  type FaceMessage,
  ImageDataError,
  LicenseError,
  ReplayDetected
} from "./PublicMessages.js"
import type { ReplayAttackDetected } from "./ReplayPolicy.js"
import type { ReplayStoreUnavailable } from "./ReplayStore.js"

export class EmptyCapture extends Data.TaggedError("EmptyCapture")<{}> {}

export class FaceRejected extends Data.TaggedError("FaceRejected")<{ readonly message: FaceMessage }> {}

/** Something went wrong that has no public classification; the detail is logged, not sent. */
export class UnclassifiedFailure extends Data.TaggedError("UnclassifiedFailure")<{ readonly detail: string }> {}

export type CaptureFailure =
  | EmptyCapture
  | FaceRejected
  | UnclassifiedFailure
  | EngineFailure
  | EngineBusy
  | ForensicsFailure
  | FaceAnalysisError
  | ReplayAttackDetected
  | ReplayStoreUnavailable
  | LicenseUnavailable

export type CaptureEndpoint = "evaluate" | "extract"

export interface PublicFailure {
  readonly status: 400 | 500 | 503
  readonly message: string
  readonly retryAfterSeconds?: number
}

export const engineBusyMessage = (retryAfterSeconds: number): string =>
  `All engines are busy; retry after ${retryAfterSeconds} s`

export const replayStoreUnavailableMessage = (retryAfterSeconds: number): string =>
  `The replay check cannot run now; retry after ${retryAfterSeconds} s`

export const publicFailureOf = (failure: CaptureFailure, endpoint: CaptureEndpoint): PublicFailure => {
  const unclassified: PublicFailure = {
    status: 500,
    message: endpoint === "evaluate" ? ErrorProcessing : ErrorFacialImage
  }
  return Match.value(failure).pipe(
    Match.tagsExhaustive({
      EmptyCapture: (): PublicFailure => ({ status: 400, message: ImageDataError }),
      // Extract never gives face guidance (per the description); such a failure is unclassified there.
      FaceRejected: (error): PublicFailure =>
        endpoint === "evaluate" ? { status: 400, message: error.message } : unclassified,
      UnclassifiedFailure: () => unclassified,
      ForensicsFailure: () => unclassified,
      // A best frame that does not decode (extract): the payload is not a usable capture.
      // (Evaluate turns it into an UntrustedCorruptedPayload verdict before it gets here.)
      FaceAnalysisError: (error): PublicFailure =>
        error.kind === "UndecodableFrame" ? { status: 400, message: ImageDataError } : unclassified,
      ReplayAttackDetected: (): PublicFailure => ({ status: 400, message: ReplayDetected }),
      // Fail closed: a capture whose replay check cannot run is not answered, and may be retried.
      ReplayStoreUnavailable: (error): PublicFailure => ({
        status: 503,
        message: replayStoreUnavailableMessage(error.retryAfterSeconds),
        retryAfterSeconds: error.retryAfterSeconds
      }),
      LicenseUnavailable: (): PublicFailure => ({ status: 503, message: LicenseError }),
      EngineBusy: (error): PublicFailure => ({
        status: 503,
        message: engineBusyMessage(error.retryAfterSeconds),
        retryAfterSeconds: error.retryAfterSeconds
      }),
      EngineFailure: (error): PublicFailure => {
        switch (error.kind) {
          case "Undecryptable":
          case "Malformed":
            return { status: 400, message: ImageDataError }
          case "LicenseRejected":
            return { status: 503, message: LicenseError }
          case "Internal":
            return unclassified
        }
      }
    })
  )
}
