/** The wire shapes of `POST /api/v1/iad/sessions`. */
import * as Schema from "effect/Schema"
import { WebOrigin } from "../domain/SessionsConfig.js"

export const SessionRequest = Schema.Struct({
  origin: Schema.optional(WebOrigin).annotations({
    description: "The page's origin to bind the session to; must be in sessions.allowed_origins when that is not empty"
  })
}).annotations({ identifier: "SessionRequest", description: "Optional; an empty body is an empty object" })

export const SessionIssued = Schema.Struct({
  sessionId: Schema.String.annotations({ description: "Hex id of the session, for the integrator's records" }),
  token: Schema.String.annotations({ description: "Opaque token for captureFace({ sessionToken }); single use" }),
  expiresAt: Schema.String.annotations({ description: "When the token expires, ISO 8601 (UTC)" })
}).annotations({ identifier: "SessionIssued" })
