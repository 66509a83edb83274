/**
 * The replay store of a single instance: a bounded map from key digest to expiry time, read
 * through Effect's `Clock` (so TestClock drives expiry in tests). Each claim is one synchronous
 * check-and-set on the event loop, hence atomic.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import { ReplayStore, type ReplayStoreShape, ReplayStoreUnavailable } from "../../domain/ReplayStore.js"
import { replayKeyDigest, wholeTtlMillis } from "./ReplayKey.js"

/**
 * Why 100 000: a capture id lives for the replay window (tolerance, 300 s by default, on each side),
 * and one instance answers about 30 captures/s at full load, so about 18 000 ids are live at once;
 * this leaves over 5x headroom. Entries are fixed-size digests: 100 000 of them measured 11.7 MB of
 * heap here (about 120 bytes each with the map's overhead).
 */
export const MEMORY_REPLAY_STORE_MAX_ENTRIES = 100_000

export interface MemoryReplayStoreOptions {
  /** Most live entries kept at once (tests use a small bound). */
  readonly maxEntries?: number
}

/**
 * When full of live entries the store refuses new keys (fail closed, the caller answers 503)
 * rather than evicting: forgetting a live id would let its replay through.
 */
export const makeMemoryReplayStore = (options: MemoryReplayStoreOptions = {}): Effect.Effect<ReplayStoreShape> =>
  Effect.sync(() => {
    const maxEntries = options.maxEntries ?? MEMORY_REPLAY_STORE_MAX_ENTRIES
    const expiresAtByDigest = new Map<string, number>()
    // A lower bound on the earliest expiry among stored entries: while `now` is below it, a sweep
    // would free nothing, so a full store answers without scanning every entry.
    let noExpiryBefore = Number.POSITIVE_INFINITY

    const sweepExpired = (now: number): void => {
      noExpiryBefore = Number.POSITIVE_INFINITY
      for (const [digest, expiresAt] of expiresAtByDigest) {
        if (expiresAt <= now) expiresAtByDigest.delete(digest)
        else noExpiryBefore = Math.min(noExpiryBefore, expiresAt)
      }
    }

    const claimAt = (digest: string, ttlMillis: number, now: number): Either.Either<boolean, ReplayStoreUnavailable> => {
      const expiresAt = expiresAtByDigest.get(digest)
      if (expiresAt !== undefined && expiresAt > now) return Either.right(false)
      if (expiresAt === undefined && expiresAtByDigest.size >= maxEntries) {
        if (noExpiryBefore <= now) sweepExpired(now)
        if (expiresAtByDigest.size >= maxEntries) {
          return Either.left(
            new ReplayStoreUnavailable({
              detail: `memory replay store full: ${expiresAtByDigest.size} live entries (the bound is ${maxEntries})`,
              retryAfterSeconds: Math.max(1, Math.ceil((noExpiryBefore - now) / 1000))
            })
          )
        }
      }
      const newExpiry = now + ttlMillis
      expiresAtByDigest.set(digest, newExpiry)
      noExpiryBefore = Math.min(noExpiryBefore, newExpiry)
      return Either.right(true)
    }

    return {
      description: "memory",
      claim: (key, ttlMillis) =>
        Effect.flatMap(
          Effect.zip(wholeTtlMillis(ttlMillis), Clock.currentTimeMillis),
          ([ttl, now]) => claimAt(replayKeyDigest(key), ttl, now)
        )
    }
  })

export const memoryReplayStoreLayer = (options: MemoryReplayStoreOptions = {}): Layer.Layer<ReplayStore> =>
  Layer.effect(ReplayStore, makeMemoryReplayStore(options))
