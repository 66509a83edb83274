/**
 * `POST /sessions`: issue a session token (Sessions.ts). Raw, like `POST /config`: the optional
 * JSON body is read under a small limit and decoded here, so that an empty body is `{}` and every
 * failure is a `{message}` the document declares.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { issueSession, type IssuedSession } from "../domain/Sessions.js"
import { ConfigStore } from "../infra/ConfigStore.js"
import { IadApi } from "./Api.js"
import { BadRequest, failWithHeaders, PayloadTooLarge } from "./ApiErrors.js"
import { readBody } from "./RequestBody.js"
import { SessionIssued, SessionRequest } from "./SessionBodies.js"

const MAX_SESSION_BODY = 4096

const decodeRequest = Schema.decodeUnknown(SessionRequest, { onExcessProperty: "error" })

/** The request body: empty is `{}`; otherwise JSON of SessionRequest. */
export const readSessionRequest = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function*() {
    const bytes = yield* readBody(request, MAX_SESSION_BODY).pipe(
      Effect.catchTags({
        BodyTooLarge: () =>
          failWithHeaders(new PayloadTooLarge({ message: `A session request is at most ${MAX_SESSION_BODY} bytes` }), {
            connection: "close"
          }),
        BodyReadFailed: (error) => Effect.fail(new BadRequest({ message: error.message }))
      })
    )
    const text = bytes.toString("utf8")
    if (text.trim() === "") return {}
    const contentType = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase()
    if (contentType !== "application/json") {
      return yield* Effect.fail(new BadRequest({ message: "A session request body is JSON (Content-Type application/json), or empty" }))
    }
    const json = yield* Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: (error) => new BadRequest({ message: `The body is not valid JSON: ${(error as Error).message}` })
    })
    return yield* decodeRequest(json).pipe(
      Effect.mapError((error) =>
        new BadRequest({ message: `Invalid session request: ${ParseResult.TreeFormatter.formatErrorSync(error)}` })
      )
    )
  })

/** The answer's wire form: the expiry as ISO 8601. */
export const issuedBody = (issued: IssuedSession) => ({
  sessionId: issued.sessionId,
  token: issued.token,
  expiresAt: new Date(issued.expiresAt).toISOString()
})

export const SessionHandlersLive = HttpApiBuilder.group(IadApi, "sessions", (handlers) =>
  Effect.gen(function*() {
    const store = yield* ConfigStore
    return handlers.handleRaw("createSession", ({ request }) =>
      Effect.gen(function*() {
        const config = yield* store.current
        const body = yield* readSessionRequest(request)
        const issued = yield* issueSession(body, config.sessions).pipe(
          Effect.catchTag("SessionOriginRefused", (error) =>
            Effect.fail(new BadRequest({ message: `Origin ${JSON.stringify(error.origin)} is not in sessions.allowed_origins` })))
        )
        yield* Effect.logInfo("session issued").pipe(Effect.annotateLogs({ sessionId: issued.sessionId, origin: body.origin ?? "" }))
        return yield* HttpServerResponse.schemaJson(SessionIssued)(issuedBody(issued), {
          status: 201,
          headers: { "cache-control": "no-store" }
        }).pipe(Effect.orDie)
      }))
  }))
