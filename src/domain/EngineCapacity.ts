/**
 * How much capture work runs at once: `engine_pool_size` slots. A request waits for a slot at
 * most `engine_queue_timeout`, then fails with `EngineBusy` (503 + Retry-After) instead of piling
 * up. The time spent waiting and working is what the public `queueDuration` and `sdkDuration` say.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"

/** A result plus where its time went: waiting for a slot, and working in it. */
export interface Timed<A> {
  readonly value: A
  readonly queueMillis: number
  readonly engineMillis: number
}

/** No slot became free within the queue timeout. */
export class EngineBusy extends Data.TaggedError("EngineBusy")<{
  readonly waitedMillis: number
  readonly retryAfterSeconds: number
}> {}

export interface EngineCapacityShape {
  /**
   * Runs `work` in one slot. Waiting is interruptible; once the work has started it is not (a
   * client that disconnects never frees a slot while native code still uses the capture).
   */
  readonly run: <A, E, R>(work: Effect.Effect<A, E, R>) => Effect.Effect<Timed<A>, E | EngineBusy, R>
}

export class EngineCapacity extends Context.Tag("iad/EngineCapacity")<EngineCapacity, EngineCapacityShape>() {}
