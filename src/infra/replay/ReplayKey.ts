/** How both replay stores turn a caller's key and TTL into what they store. */
import * as Effect from "effect/Effect"
import { createHash } from "node:crypto"

/**
 * Keys are stored as their SHA-256 (base64url, 43 characters): every entry has the same small
 * size whatever the caller passes (so the memory store's entry bound is also a byte bound), and a
 * single-use token is never written to Redis verbatim.
 */
export const replayKeyDigest = (key: string): string => createHash("sha256").update(key, "utf8").digest("base64url")

/**
 * Redis `PX` takes whole milliseconds above 0; both stores round the same way so they agree. A TTL
 * that is not a finite number is a caller's bug: a defect, never an entry that is accepted again at
 * once (NaN) or kept forever (Infinity).
 */
export const wholeTtlMillis = (ttlMillis: number): Effect.Effect<number> =>
  Number.isFinite(ttlMillis)
    ? Effect.succeed(Math.max(1, Math.ceil(ttlMillis)))
    : Effect.dieMessage(`replay store: ttlMillis must be a finite number of milliseconds, got ${ttlMillis}`)
