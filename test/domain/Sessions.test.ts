/**
 * Session tokens in the domain (Sessions.ts, SessionsToken.ts): issue and check through the real
 * HMAC signer and the memory replay store, the expiry edge on the TestClock, and hostile token
 * texts, which must be refused with a reason and never throw.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer, Redacted, TestClock } from "effect"
import { randomBytes } from "node:crypto"
import type { OpenedCapture } from "../../src/domain/CaptureEngine.js"
import { checkCaptureSession, issueSession, SessionSigner, verifyToken } from "../../src/domain/Sessions.js"
import { defaultSessionsConfig } from "../../src/domain/SessionsConfig.js"
import { parseToken, signedPartOf, tokenOf, tokenTextOf } from "../../src/domain/SessionsToken.js"
import { hmacSessionSigner } from "../../src/infra/sessions/HmacSessionSigner.js"
import { memoryReplayStoreLayer } from "../../src/infra/replay/MemoryReplayStore.js"

const signer = hmacSessionSigner(Redacted.make(randomBytes(32)))
const otherSigner = hmacSessionSigner(Redacted.make(randomBytes(32)))
const ports = Layer.merge(Layer.succeed(SessionSigner, signer), memoryReplayStoreLayer())

/** Just enough of an opened capture for the session check. */
const openedWith = (sessionToken: string | undefined, sdkSignature: "unsigned-web" | "valid" = "unsigned-web") =>
  ({
    captureId: "ab".repeat(16),
    capturedAt: 0,
    facts: {
      contents: sessionToken === undefined ? {} : { sessionToken: Buffer.from(sessionToken, "utf8").toString("hex") },
      integrity: { sdkSignature, sdkKeyId: "", attestation: "missing" }
    }
  }) as unknown as OpenedCapture

describe("session tokens", () => {
  it.effect("an issued token verifies until its expiry, inclusive, and not after", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_000_000)
      const issued = yield* issueSession({}, { ttl_seconds: 120, allowed_origins: [] })
      expect(issued.expiresAt).toBe(1_000_000 + 120_000)
      expect(Either.getOrThrow(verifyToken(issued.token, signer.verify, issued.expiresAt))).toEqual({ sid: issued.sessionId, exp: issued.expiresAt })
      expect(verifyToken(issued.token, signer.verify, issued.expiresAt + 1)).toEqual(Either.left("session token expired 1 ms ago"))
      expect(verifyToken(issued.token, otherSigner.verify, 0)).toEqual(Either.left("session token MAC does not verify"))
    }).pipe(Effect.provide(ports)))

  it.effect("an origin outside sessions.allowed_origins is refused; with an empty list any origin is bound", () =>
    Effect.gen(function*() {
      const refused = yield* Effect.flip(issueSession({ origin: "https://b.example" }, { ttl_seconds: 60, allowed_origins: ["https://a.example"] }))
      expect(refused._tag).toBe("SessionOriginRefused")
      const bound = yield* issueSession({ origin: "https://b.example" }, defaultSessionsConfig)
      expect(Either.getOrThrow(parseToken(bound.token)).claims.org).toBe("https://b.example")
    }).pipe(Effect.provide(ports)))

  it("hostile token texts are refused with a reason, never thrown", () => {
    const valid = tokenOf(signedPartOf({ sid: "0".repeat(32), exp: 5 }), signer.sign(signedPartOf({ sid: "0".repeat(32), exp: 5 })))
    const [, claims, mac] = valid.split(".") as [string, string, string]
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
    const hostile: ReadonlyArray<readonly [string, string]> = [
      ["", "not an iads1 session token"],
      ["iads1", "not an iads1 session token"],
      [`iads2.${claims}.${mac}`, "not an iads1 session token"],
      [`${valid}.extra`, "not an iads1 session token"],
      [`iads1.${claims}+/.${mac}`, "session token is not base64url"],
      [`iads1..${mac}`, "session token is not base64url"],
      [`iads1.${b64({ sid: "0".repeat(32), exp: 5, admin: true })}.${mac}`, "session token claims do not decode"],
      [`iads1.${b64({ sid: "not hex", exp: 5 })}.${mac}`, "session token claims do not decode"],
      [`iads1.${b64({ sid: "0".repeat(32), exp: -1 })}.${mac}`, "session token claims do not decode"],
      [`iads1.${b64({ sid: "0".repeat(32), exp: 1.5 })}.${mac}`, "session token claims do not decode"],
      [`iads1.${b64([1, 2])}.${mac}`, "session token claims do not decode"],
      [`iads1.${Buffer.from("{\"sid\":").toString("base64url")}.${mac}`, "session token claims do not decode"],
      [`iads1.${b64({ sid: "0".repeat(32), exp: 6 })}.${mac}`, "session token MAC does not verify"]
    ]
    for (const [text, why] of hostile) expect(verifyToken(text, signer.verify, 0), text).toEqual(Either.left(why))
    expect(Either.isRight(verifyToken(valid, signer.verify, 0))).toBe(true)
    expect(tokenTextOf("ff")).toBeUndefined()
    expect(tokenTextOf(Buffer.from("é").toString("hex"))).toBe("é")
  })

  it.effect("a capture's session: signed captures are not consulted, a web capture's token is claimed once", () =>
    Effect.gen(function*() {
      const issued = yield* issueSession({}, defaultSessionsConfig)
      expect((yield* checkCaptureSession(openedWith("anything", "valid")))._tag).toBe("Signed")
      expect(yield* checkCaptureSession(openedWith(undefined))).toMatchObject({ _tag: "Unverified", why: "no session token" })
      expect(yield* checkCaptureSession(openedWith("junk"))).toMatchObject({ _tag: "Unverified", why: "not an iads1 session token" })
      expect(yield* checkCaptureSession(openedWith(issued.token))).toMatchObject({ _tag: "Verified", sessionId: issued.sessionId })
      const again = yield* Effect.flip(checkCaptureSession(openedWith(issued.token)))
      expect(again._tag).toBe("ReplayAttackDetected")
      // The claim outlives the token (expiry + clock margin): a replay after expiry is Unverified, never Verified.
      yield* TestClock.adjust("121 seconds")
      expect((yield* checkCaptureSession(openedWith(issued.token)))._tag).toBe("Unverified")
    }).pipe(Effect.provide(ports)))
})
