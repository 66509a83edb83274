/**
 * Server-issued sessions of web captures (docs/web.md). A browser cannot keep a signing key, so a
 * web capture carries instead a token the service issued to the integrator's backend: MACed by the
 * service (the `SessionSigner` port), bound to a session id, an expiry and optionally an origin,
 * and accepted once (the `ReplayStore`, key `session:<id>`, memory or Redis as configured).
 *
 * Signed (native) captures are not affected: their SDK signature is what binds them.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { OpenedCapture } from "./CaptureEngine.js"
import { CLOCK_SKEW_MARGIN_MS, ReplayAttackDetected } from "./ReplayPolicy.js"
import { ReplayStore, type ReplayStoreUnavailable } from "./ReplayStore.js"
import type { SessionsConfig } from "./SessionsConfig.js"
import { parseToken, type SessionClaims, signedPartOf, tokenOf, tokenTextOf } from "./SessionsToken.js"

export interface SessionSignerShape {
  /** The service's MAC of `message`, base64url. */
  readonly sign: (message: string) => string
  /** True when `mac` is the service's MAC of `message` (compared in constant time). */
  readonly verify: (message: string, mac: string) => boolean
  /** A fresh random session id (SessionsToken.SessionId). */
  readonly newSessionId: Effect.Effect<string>
}

export class SessionSigner extends Context.Tag("iad/SessionSigner")<SessionSigner, SessionSignerShape>() {}

/** `POST /sessions` named an origin the configuration does not allow. */
export class SessionOriginRefused extends Data.TaggedError("SessionOriginRefused")<{ readonly origin: string }> {}

export interface IssuedSession {
  readonly sessionId: string
  readonly token: string
  /** ms since the Unix epoch. */
  readonly expiresAt: number
}

/** A new session: `ttl_seconds` from now, bound to `origin` when given (and allowed). */
export const issueSession = (
  request: { readonly origin?: string | undefined },
  config: SessionsConfig
): Effect.Effect<IssuedSession, SessionOriginRefused, SessionSigner> =>
  Effect.gen(function*() {
    const origin = request.origin
    if (origin !== undefined && config.allowed_origins.length > 0 && !config.allowed_origins.includes(origin)) {
      return yield* new SessionOriginRefused({ origin })
    }
    const signer = yield* SessionSigner
    const now = yield* Clock.currentTimeMillis
    const claims: SessionClaims = {
      sid: yield* signer.newSessionId,
      exp: now + config.ttl_seconds * 1000,
      ...(origin === undefined ? {} : { org: origin })
    }
    const signed = signedPartOf(claims)
    return { sessionId: claims.sid, token: tokenOf(signed, signer.sign(signed)), expiresAt: claims.exp }
  })

/** What the session of an opened capture establishes. */
export type CaptureSession = Data.TaggedEnum<{
  /** A signed capture: its SDK signature binds it, any token it carries is not consulted. */
  Signed: {}
  /** A web capture whose token is the service's, unexpired, and used for the first time now. */
  Verified: { readonly sessionId: string; readonly origin: string | undefined }
  /** A web capture with no usable token; `why` is for the log. */
  Unverified: { readonly why: string }
}>
export const CaptureSession = Data.taggedEnum<CaptureSession>()

/** How a web capture's session is judged when nobody checked it (e.g. an offline evaluation). */
export const UNCHECKED_SESSION: CaptureSession = CaptureSession.Unverified({ why: "session not checked" })

/** Pure: the claims of a token text, if its MAC is the service's and it has not expired at `now`. */
export const verifyToken = (
  text: string,
  verify: SessionSignerShape["verify"],
  now: number
): Either.Either<SessionClaims, string> =>
  Either.flatMap(parseToken(text), ({ claims, mac, signedPart }) => {
    if (!verify(signedPart, mac)) return Either.left("session token MAC does not verify")
    if (now > claims.exp) return Either.left(`session token expired ${now - claims.exp} ms ago`)
    return Either.right(claims)
  })

/** Store key of a used session. */
export const sessionKey = (sessionId: string): string => `session:${sessionId}`

/**
 * The session of an opened capture. A valid token is claimed in the replay store until it
 * expires (plus the instances' clock margin): its second use fails with `ReplayAttackDetected`.
 * A store that cannot tell fails closed (`ReplayStoreUnavailable`).
 */
export const checkCaptureSession = (
  capture: OpenedCapture
): Effect.Effect<CaptureSession, ReplayAttackDetected | ReplayStoreUnavailable, SessionSigner | ReplayStore> =>
  Effect.gen(function*() {
    const { contents, integrity } = capture.facts
    if (integrity.sdkSignature !== "unsigned-web") return CaptureSession.Signed()
    const text = contents.sessionToken === undefined ? undefined : tokenTextOf(contents.sessionToken)
    if (text === undefined) return CaptureSession.Unverified({ why: "no session token" })
    const signer = yield* SessionSigner
    const now = yield* Clock.currentTimeMillis
    const verified = verifyToken(text, signer.verify, now)
    if (Either.isLeft(verified)) return CaptureSession.Unverified({ why: verified.left })
    const claims = verified.right
    const store = yield* ReplayStore
    const first = yield* store.claim(sessionKey(claims.sid), claims.exp - now + CLOCK_SKEW_MARGIN_MS)
    if (!first) return yield* new ReplayAttackDetected({ ageMillis: now - capture.capturedAt, why: "seen before" })
    return CaptureSession.Verified({ sessionId: claims.sid, origin: claims.org })
  })
