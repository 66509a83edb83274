/**
 * How much capture work runs at once: `engine_pool_size` slots. A request waits for a slot at
 * most `engine_queue_timeout`, then fails with `EngineBusy` (503 + Retry-After) instead of piling
 * up. The time spent waiting and working is what the public `queueDuration` and `sdkDuration` say.
 * An evaluation's face analysis runs in a second stage with slots of its own (the face workers' and
 * the analyses queued behind them), so the next capture's opening and forensics overlap it: a
 * pipeline as deep as both stages' slots together, which keeps every core busy under load
 * (docs/performance.md).
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"

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
  /**
   * Runs `first` in an engine slot. When it ends with `Either.right(b)`, that is the result (no
   * second stage); with `Either.left(a)`, `second(a)` runs in a slot of the second stage. The engine
   * slot is given back only once the second stage's slot is taken (hand-over), so a full second
   * stage holds the first one up, and waiting requests still meet the queue timeout rather than an
   * unbounded queue between the stages. Time waiting for the second stage counts as engine time.
   * Same interruption rule as `run`.
   */
  readonly runInStages: <A, B, E, R, E2, R2>(
    first: Effect.Effect<Either.Either<B, A>, E, R>,
    second: (a: A) => Effect.Effect<B, E2, R2>
  ) => Effect.Effect<Timed<B>, E | E2 | EngineBusy, R | R2>
}

export class EngineCapacity extends Context.Tag("iad/EngineCapacity")<EngineCapacity, EngineCapacityShape>() {}
