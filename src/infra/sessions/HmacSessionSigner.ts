/**
 * The `SessionSigner` port on HMAC-SHA256 with the secret of `<keys_dir>/session.secret`
 * (SessionSecretFile.ts). Session ids come from the system's CSPRNG.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import { SessionSigner, type SessionSignerShape } from "../../domain/Sessions.js"
import { ensureSessionSecret } from "./SessionSecretFile.js"

export const hmacSessionSigner = (secret: Redacted.Redacted<Buffer>): SessionSignerShape => {
  const macOf = (message: string) => createHmac("sha256", Redacted.value(secret)).update(message, "utf8").digest()
  return {
    sign: (message) => macOf(message).toString("base64url"),
    verify: (message, mac) => {
      const given = Buffer.from(mac, "base64url")
      const expected = macOf(message)
      return given.length === expected.length && timingSafeEqual(given, expected)
    },
    newSessionId: Effect.sync(() => randomBytes(16).toString("hex"))
  }
}

/** The signer with the secret of `keysDir` (generated there on first start). The log names the file only. */
export const sessionSignerLayer = (keysDir: string) =>
  Layer.effect(
    SessionSigner,
    ensureSessionSecret(keysDir).pipe(
      Effect.tap(({ created, file }) => Effect.logInfo(created ? "session secret generated" : "session secret read").pipe(Effect.annotateLogs({ file }))),
      Effect.map(({ secret }) => hmacSessionSigner(secret)),
      Effect.provide(NodeFileSystem.layer)
    )
  )
