/**
 * One JSON log line per request (method, path, status, duration, request id), the request metrics
 * (RequestMetrics.ts) and the request id echoed in `x-request-id`. Capture bytes and headers are never logged.
 *
 * The platform sends the response from inside the middleware chain, so the header and the
 * last-resort `{message}` body for an unexpected 500 are set in a pre-response handler, which
 * also records the status that was really sent.
 */
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { randomUUID } from "node:crypto"
import { recordRequest } from "./RequestMetrics.js"
import { messageResponse } from "./Responses.js"

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

const requestIdOf = (request: HttpServerRequest.HttpServerRequest): string => {
  const given = request.headers["x-request-id"]
  return given !== undefined && REQUEST_ID.test(given) ? given : randomUUID()
}

/** An unexpected failure is answered by the platform with an empty 500: give it the contract's body. */
const withContractBody = (response: HttpServerResponse.HttpServerResponse) =>
  response.status === 500 && response.body._tag === "Empty"
    ? messageResponse(500, "Internal server error")
    : response

export const accessLog = HttpMiddleware.make((app) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const requestId = requestIdOf(request)
    const startedAt = yield* Clock.currentTimeMillis
    let sentStatus = 0
    const finalize = (response: HttpServerResponse.HttpServerResponse) => {
      const final = HttpServerResponse.setHeader(withContractBody(response), "x-request-id", requestId)
      sentStatus = final.status
      return final
    }
    yield* HttpApp.appendPreResponseHandler((_request, response) => Effect.sync(() => finalize(response)))
    const exit = yield* app.pipe(Effect.annotateLogs({ requestId }), HttpMiddleware.withLoggerDisabled, Effect.exit)
    const endedAt = yield* Clock.currentTimeMillis
    const path = request.url.split("?")[0] ?? request.url
    const status = sentStatus === 0 && exit._tag === "Success" ? finalize(exit.value).status : sentStatus
    yield* Effect.logInfo("request").pipe(
      Effect.annotateLogs({ requestId, method: request.method, path, status, durationMs: endedAt - startedAt })
    )
    yield* recordRequest({ method: request.method, path, status, durationMillis: endedAt - startedAt })
    // A response that short-circuited the app (e.g. 413) has not been sent yet: it is sent as returned.
    return exit._tag === "Success" ? finalize(exit.value) : yield* exit
  })
)
