/**
 * `POST /liveness/evaluate` and `POST /extract`: read the `capture` field under the body limit,
 * run one domain use case, answer the public payload (encoded by its Schema) or a failure from
 * ApiErrors. Raw handlers because the upload streams through CaptureUpload (see Api.ts).
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { CaptureEndpoint, CaptureFailure, PublicFailure } from "../domain/CaptureErrors.js"
import { publicFailureOf, UnclassifiedFailure } from "../domain/CaptureErrors.js"
import { type CaptureSettings, evaluateCapture, extractBestFrame } from "../domain/CaptureUseCases.js"
import { ExtractResult, LivenessResult } from "../domain/PublicPayloads.js"
import { ReplaySettings } from "../domain/ReplayPolicy.js"
import { ConfigStore } from "../infra/ConfigStore.js"
import { IadApi } from "./Api.js"
import {
  BadRequest,
  failWithHeaders,
  InternalError,
  PayloadTooLarge,
  retryAfter,
  ServiceUnavailable
} from "./ApiErrors.js"
import { bodyLimitOf } from "./BodyLimit.js"
import { readCaptureField } from "./CaptureUpload.js"
import { payloadTooLarge } from "./Responses.js"

type CaptureError = BadRequest | PayloadTooLarge | InternalError | ServiceUnavailable

/** The public answer of a use-case failure; new failure kinds need only a row in publicFailureOf. */
const errorOf = (answer: PublicFailure): CaptureError => {
  switch (answer.status) {
    case 400:
      return new BadRequest({ message: answer.message })
    case 500:
      return new InternalError({ message: answer.message })
    case 503:
      return new ServiceUnavailable({ message: answer.message })
  }
}

const answerFailure = (endpoint: CaptureEndpoint) => (failure: CaptureFailure): Effect.Effect<never, CaptureError> => {
  const answer = publicFailureOf(failure, endpoint)
  const detail = "detail" in failure ? failure.detail : undefined
  const log = answer.status >= 500 && answer.status !== 503 ? Effect.logWarning : Effect.logInfo
  return log("capture rejected").pipe(
    Effect.annotateLogs({ failure: failure._tag, publicMessage: answer.message, ...(detail ? { detail } : {}) }),
    Effect.zipRight(
      failWithHeaders(errorOf(answer), answer.retryAfterSeconds === undefined ? {} : retryAfter(answer.retryAfterSeconds))
    )
  )
}

const handleCapture = <A, I, R>(
  endpoint: CaptureEndpoint,
  result: Schema.Schema<A, I>,
  run: (capture: Uint8Array, settings: CaptureSettings) => Effect.Effect<A, CaptureFailure, R>
) =>
({ request }: { readonly request: HttpServerRequest.HttpServerRequest }) =>
  Effect.gen(function*() {
    const config = yield* Effect.flatMap(ConfigStore, (store) => store.current)
    const replay = yield* ReplaySettings
    const upload = yield* readCaptureField(request, bodyLimitOf(config)).pipe(
      Effect.tap((upload) => Effect.annotateCurrentSpan("captureBytes", upload.bytes.byteLength)),
      Effect.withSpan("capture.upload"),
      Effect.catchTags({
        BodyTooLarge: () => payloadTooLarge(config.client_max_body_size),
        UploadRejected: (error) => Effect.fail(new BadRequest({ message: error.message })),
        BodyReadFailed: (error) => Effect.fail(new BadRequest({ message: error.message }))
      })
    )
    const answer = run(upload.bytes, { livenessThreshold: config.liveness_threshold, replay, detection: config.detection }).pipe(
      // A defect (a bug under the use case) is an unclassified failure too: the contract's 500, logged.
      Effect.catchAllDefect((defect) =>
        Effect.fail(new UnclassifiedFailure({ detail: `defect: ${Cause.pretty(Cause.die(defect))}` }))
      ),
      Effect.catchAll(answerFailure(endpoint)),
      // The body is encoded by its Schema: an answer outside the contract is a 500, never sent as is.
      Effect.flatMap((answer) =>
        HttpServerResponse.schemaJson(result)(answer).pipe(
          Effect.catchAll(({ reason }) =>
            answerFailure(endpoint)(
              new UnclassifiedFailure({
                detail: `answer outside its Schema: ${reason._tag === "SchemaError" ? reason.error.message : reason._tag}`
              })
            )
          )
        )
      )
    )
    // The upload's buffer goes back to the pool once the answer is encoded: an engine may answer
    // views into the upload (a tester's fake does), and the encoded body no longer needs them.
    return yield* Effect.ensuring(answer, Effect.sync(() => upload.release()))
  }).pipe(Effect.withSpan(`capture.${endpoint}`))

export const CaptureHandlersLive = HttpApiBuilder.group(IadApi, "capture", (handlers) =>
  handlers
    // The use cases answer plain objects: encode through the classes' fields.
    .handleRaw("evaluate", handleCapture("evaluate", Schema.Struct(LivenessResult.fields), evaluateCapture))
    .handleRaw("extract", handleCapture("extract", Schema.Struct(ExtractResult.fields), extractBestFrame)))
