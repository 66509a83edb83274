/**
 * The replay store port: remembers keys (capture ids, later single-use session tokens) for a
 * while so that a second use of the same key is recognised. In memory for one instance, or in
 * Redis so that several instances behind a load balancer share what they have seen.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"

/**
 * The store cannot say whether a key was seen (Redis unreachable or too slow, memory store full).
 * Callers fail closed: the capture is refused (503 with `Retry-After: retryAfterSeconds`), never
 * accepted unchecked. `detail` is for the log and never carries a password.
 */
export class ReplayStoreUnavailable extends Data.TaggedError("ReplayStoreUnavailable")<{
  readonly detail: string
  readonly retryAfterSeconds: number
}> {}

export interface ReplayStoreShape {
  /** Atomically records `key` for `ttlMillis`; true when it was not there (first use), false when it was (a replay). */
  readonly claim: (key: string, ttlMillis: number) => Effect.Effect<boolean, ReplayStoreUnavailable>
  /** For logs and /version: "memory" or "redis://host:port/db" (no password ever). */
  readonly description: string
}

export class ReplayStore extends Context.Tag("iad/ReplayStore")<ReplayStore, ReplayStoreShape>() {}
