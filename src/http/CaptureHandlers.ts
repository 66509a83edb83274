/**
 * `POST /liveness/evaluate` and `POST /extract`: read the `capture` field under the body limit,
 * run one domain use case, answer the public payload or `{message}`.
 */
import { HttpApiBuilder, type HttpServerRequest, type HttpServerResponse } from "@effect/platform"
import { Cause, Effect } from "effect"
import type { CaptureFailure, CaptureEndpoint } from "../domain/CaptureErrors.js"
import { publicFailureOf, UnclassifiedFailure } from "../domain/CaptureErrors.js"
import { type CaptureSettings, evaluateCapture, extractBestFrame } from "../domain/CaptureUseCases.js"
import { ReplaySettings } from "../domain/ReplayPolicy.js"
import { ConfigStore } from "../infra/ConfigStore.js"
import { IadApi } from "./Api.js"
import { bodyLimitOf } from "./BodyLimit.js"
import { readCaptureField } from "./CaptureUpload.js"
import { bodyTooLargeResponse, jsonResponse, messageResponse } from "./Responses.js"

const answerFailure = (endpoint: CaptureEndpoint) => (failure: CaptureFailure) => {
  const answer = publicFailureOf(failure, endpoint)
  const detail = "detail" in failure ? failure.detail : undefined
  const log = answer.status >= 500 && answer.status !== 503 ? Effect.logWarning : Effect.logInfo
  return log("capture rejected").pipe(
    Effect.annotateLogs({ failure: failure._tag, publicMessage: answer.message, ...(detail ? { detail } : {}) }),
    Effect.as(
      messageResponse(
        answer.status,
        answer.message,
        answer.retryAfterSeconds === undefined ? {} : { "retry-after": String(answer.retryAfterSeconds) }
      )
    )
  )
}

const handleCapture = <R>(
  endpoint: CaptureEndpoint,
  run: (capture: Uint8Array, settings: CaptureSettings) => Effect.Effect<unknown, CaptureFailure, R>
) =>
({ request }: { readonly request: HttpServerRequest.HttpServerRequest }) =>
  Effect.gen(function*() {
    const config = yield* Effect.flatMap(ConfigStore, (store) => store.current)
    const replay = yield* ReplaySettings
    return yield* readCaptureField(request, bodyLimitOf(config)).pipe(
      Effect.matchEffect({
        onFailure: (error): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
          switch (error._tag) {
            case "BodyTooLarge":
              return Effect.succeed(bodyTooLargeResponse(config.client_max_body_size))
            case "UploadRejected":
            case "BodyReadFailed":
              return Effect.succeed(messageResponse(400, error.message))
          }
        },
        onSuccess: (capture) =>
          run(capture, { livenessThreshold: config.liveness_threshold, replay, detection: config.detection }).pipe(
            Effect.map((result) => jsonResponse(result)),
            // A defect (a bug under the use case) is an unclassified failure too: the contract's 500, logged.
            Effect.catchAllDefect((defect) =>
              Effect.fail(new UnclassifiedFailure({ detail: `defect: ${Cause.pretty(Cause.die(defect))}` }))
            ),
            Effect.catchAll(answerFailure(endpoint))
          )
      })
    )
  }).pipe(Effect.withSpan(`capture.${endpoint}`))

export const CaptureHandlersLive = HttpApiBuilder.group(IadApi, "capture", (handlers) =>
  handlers
    .handleRaw("evaluate", handleCapture("evaluate", evaluateCapture))
    .handleRaw("extract", handleCapture("extract", extractBestFrame)))
