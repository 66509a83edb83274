/**
 * `engine_pool_size` slots for capture work, as a semaphore, and `secondStageSize` for the second
 * stage of `runInStages` (an evaluation's face analysis). Waiting for a slot is bounded by
 * `engine_queue_timeout` (then `EngineBusy`: 503 + Retry-After, so overload shows as fast 503s
 * rather than a growing queue); once a slot is taken the work is uninterruptible, so a client that
 * disconnects never frees a slot while native code still works on its capture.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberHandle from "effect/FiberHandle"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import { EngineBusy, EngineCapacity, type Timed } from "../domain/EngineCapacity.js"
import { engineQueueTimeouts, engineQueueWait, enginesBusy, engineSlots } from "./telemetry/EngineMetrics.js"

export interface EngineCapacityOptions {
  readonly size: number
  readonly queueTimeout: Duration.DurationInput
  /**
   * Run once every engine has been free for `idleDelay` after work (not again until more work has
   * finished): the native engine gives the C library's freed memory back then (IdleMemoryTrim.ts).
   */
  readonly onIdle?: Effect.Effect<void>
  readonly idleDelay?: Duration.DurationInput
  /**
   * Put around each evaluation's work (both stages), inside its engine slot: the native engine
   * holds a capture's frame memory for that long (SharedFrameDecodes.ts).
   */
  readonly captureScope?: <A, E, R>(work: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /**
   * Slots of the second stage; `size` when not given. The native pipeline gives two per face
   * worker: each worker runs one analysis and holds the next (EngineSelection.ts).
   */
  readonly secondStageSize?: number
}

/** Quiet time after the last capture before `onIdle`: long enough that a steady stream never waits for it. */
const DEFAULT_IDLE_DELAY = Duration.seconds(1)

const nowMillis = Effect.map(Clock.currentTimeNanos, (nanos) => Number(nanos) / 1e6)

export const makeEngineCapacity = (options: EngineCapacityOptions) =>
  Effect.gen(function*() {
    const size = Math.max(1, options.size)
    const slots = yield* Effect.makeSemaphore(size)
    const idle = yield* idleWatch(options)
    yield* Metric.set(engineSlots, size)
    yield* Metric.set(enginesBusy, 0)
    const timeout = Duration.decode(options.queueTimeout)
    const busy = new EngineBusy({
      waitedMillis: Duration.toMillis(timeout),
      retryAfterSeconds: Math.max(1, Math.ceil(Duration.toSeconds(timeout)))
    })
    const secondStage = yield* Effect.makeSemaphore(Math.max(1, options.secondStageSize ?? size))
    /** Waits (interruptibly, at most the queue timeout) for an engine slot; returns when it was taken. */
    const takeSlot = (restore: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>) =>
      Effect.gen(function*() {
        const queuedAt = yield* nowMillis
        yield* restore(slots.take(1).pipe(Effect.timeoutFail({ duration: timeout, onTimeout: () => busy }))).pipe(
          // A wait that ran out is a wait too: it shows in the histogram as well as in the timeouts.
          Effect.tapError(() =>
            Effect.zipRight(Metric.increment(engineQueueTimeouts), Metric.update(engineQueueWait, Duration.toSeconds(timeout)))
          )
        )
        const startedAt = yield* nowMillis
        yield* Metric.update(engineQueueWait, (startedAt - queuedAt) / 1000)
        yield* Metric.increment(enginesBusy)
        yield* idle.started
        return { queuedAt, startedAt }
      })
    const releaseSlot = Effect.zipRight(Metric.incrementBy(enginesBusy, -1), slots.release(1))
    const timed = <A>(value: A, queuedAt: number, startedAt: number) =>
      Effect.map(nowMillis, (endedAt): Timed<A> => ({ value, queueMillis: startedAt - queuedAt, engineMillis: endedAt - startedAt }))
    return EngineCapacity.of({
      run: (work) =>
        Effect.uninterruptibleMask((restore) =>
          Effect.gen(function*() {
            const { queuedAt, startedAt } = yield* takeSlot(restore)
            const value = yield* work.pipe(Effect.ensuring(Effect.zipRight(releaseSlot, idle.finished)))
            return yield* timed(value, queuedAt, startedAt)
          })
        ),
      runInStages: (first, second) =>
        Effect.uninterruptibleMask((restore) =>
          Effect.gen(function*() {
            const { queuedAt, startedAt } = yield* takeSlot(restore)
            const stages = Effect.gen(function*() {
              const firstValue = yield* Effect.onError(first, () => releaseSlot)
              // Finished in the first stage (a capture the forensics settled): no second-stage slot to wait for.
              if (Either.isRight(firstValue)) return yield* Effect.as(releaseSlot, firstValue.right)
              yield* secondStage.take(1)
              yield* releaseSlot
              return yield* Effect.ensuring(second(firstValue.left), secondStage.release(1))
            })
            const scoped = options.captureScope === undefined ? stages : options.captureScope(stages)
            const value = yield* Effect.ensuring(scoped, idle.finished)
            return yield* timed(value, queuedAt, startedAt)
          })
        )
    })
  })

/**
 * Counts the engines at work; when the count falls to 0, `onIdle` is scheduled after `idleDelay`
 * and cancelled if work starts first. The scheduled fiber lives in the Layer's scope.
 */
const idleWatch = (options: EngineCapacityOptions) =>
  Effect.gen(function*() {
    const onIdle = options.onIdle
    if (onIdle === undefined) return { started: Effect.void, finished: Effect.void }
    const delay = Duration.decode(options.idleDelay ?? DEFAULT_IDLE_DELAY)
    const pending = yield* FiberHandle.make()
    let working = 0
    return {
      started: Effect.suspend(() => {
        working++
        return FiberHandle.clear(pending)
      }),
      finished: Effect.suspend(() => {
        working--
        return working > 0 ? Effect.void : FiberHandle.run(pending, Effect.zipRight(Effect.sleep(delay), onIdle), { onlyIfMissing: true }).pipe(Effect.asVoid)
      })
    }
  })

export const engineCapacityLayer = (options: EngineCapacityOptions): Layer.Layer<EngineCapacity> =>
  Layer.scoped(EngineCapacity, makeEngineCapacity(options))
