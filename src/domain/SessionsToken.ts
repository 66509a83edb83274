/**
 * The session token's wire form, pure: `iads1.<claims>.<mac>`, where `<claims>` is the base64url
 * of a small JSON object (session id, expiry, optional origin) and `<mac>` the base64url of the
 * service's MAC over `iads1.<claims>` (the `SessionSigner` port computes and checks it). ASCII
 * only, about 150 bytes: well inside the capture format's 1..1024 bytes for SESSION_TOKEN.
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { WebOrigin } from "./SessionsConfig.js"

export const TOKEN_VERSION = "iads1"

/** 16 random bytes as hex: unguessable, though the MAC, not the id, is what makes a token valid. */
export const SessionId = Schema.String.pipe(Schema.pattern(/^[0-9a-f]{32}$/))

export const SessionClaims = Schema.Struct({
  /** Session id. */
  sid: SessionId,
  /** Expiry, ms since the Unix epoch. */
  exp: Schema.Int.pipe(Schema.positive()),
  /** The origin the session was issued for, when the integrator named one. */
  org: Schema.optional(WebOrigin)
})
export type SessionClaims = typeof SessionClaims.Type

const encodeClaimsJson = Schema.encodeSync(Schema.parseJson(SessionClaims))
const decodeClaimsJson = Schema.decodeUnknownEither(Schema.parseJson(SessionClaims), { onExcessProperty: "error" })

/** The signed part of a token: version and claims. */
export const signedPartOf = (claims: SessionClaims): string =>
  `${TOKEN_VERSION}.${Buffer.from(encodeClaimsJson(claims), "utf8").toString("base64url")}`

export const tokenOf = (signedPart: string, mac: string): string => `${signedPart}.${mac}`

export interface ParsedToken {
  readonly signedPart: string
  readonly mac: string
  readonly claims: SessionClaims
}

const BASE64URL = /^[A-Za-z0-9_-]+$/

/** Splits and decodes a token; Left says (for the log) why it is not one. Says nothing of its MAC. */
export const parseToken = (text: string): Either.Either<ParsedToken, string> => {
  const parts = text.split(".")
  if (parts.length !== 3 || parts[0] !== TOKEN_VERSION) return Either.left("not an iads1 session token")
  const [version, claims, mac] = parts as [string, string, string]
  if (!BASE64URL.test(claims) || !BASE64URL.test(mac)) return Either.left("session token is not base64url")
  return Either.match(decodeClaimsJson(Buffer.from(claims, "base64url").toString("utf8")), {
    onLeft: () => Either.left("session token claims do not decode"),
    onRight: (decoded) => Either.right({ signedPart: `${version}.${claims}`, mac, claims: decoded })
  })
}

/** The SESSION_TOKEN bytes of a capture (hex, as the engine reports them) as token text, if UTF-8. */
export const tokenTextOf = (hex: string): string | undefined => {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(hex, "hex"))
  } catch {
    return undefined
  }
}
