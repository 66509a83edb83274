/**
 * A bounded pool of engine instances behind the `CaptureEngine` port.
 *
 * - `engine_pool_size` instances live in an Effect `Pool`, all acquired at startup so that a broken
 *   engine stops the service instead of failing its first request.
 * - Waiting for an instance is interruptible and bounded by `engine_queue_timeout`: past it the
 *   request fails with `EngineBusy` (503 + Retry-After) instead of piling up.
 * - Once an instance is taken, the engine call is uninterruptible: a client that disconnects
 *   mid-request never gets a native handle returned to the pool while native code still uses it.
 * - `queueMillis` and `engineMillis` are measured here, for `queueDuration` and `sdkDuration`.
 */
import { Clock, Duration, Effect, Pool, Ref, type Scope } from "effect"
import {
  EngineBusy,
  EngineFailure,
  type CaptureEngineShape,
  type EngineAssessment,
  type EngineReadiness,
  type FaceDetection,
  type OpenedCapture,
  type Timed
} from "../domain/CaptureEngine.js"

/** One engine instance: what a pool slot holds. Calls on one instance never overlap. */
export interface EngineInstance {
  readonly open: (capture: Uint8Array) => Effect.Effect<OpenedCapture, EngineFailure>
  readonly assess: (capture: OpenedCapture) => Effect.Effect<EngineAssessment, EngineFailure>
  readonly detectFace: (capture: OpenedCapture) => Effect.Effect<FaceDetection, EngineFailure>
}

export interface EnginePoolOptions {
  readonly name: string
  readonly size: number
  readonly queueTimeout: Duration.DurationInput
}

const nowMillis = Effect.map(Clock.currentTimeNanos, (nanos) => Number(nanos) / 1e6)

export const makeEnginePool = <E>(
  acquireInstance: Effect.Effect<EngineInstance, E, Scope.Scope>,
  options: EnginePoolOptions
): Effect.Effect<CaptureEngineShape, E, Scope.Scope> =>
  Effect.gen(function*() {
    const pool = yield* Pool.make({ acquire: acquireInstance, size: options.size })
    // Take every slot once at startup: proves the engine can be built and warms all instances.
    yield* Effect.scoped(Effect.forEach(Array.from({ length: options.size }), () => Pool.get(pool), { concurrency: "unbounded" }))
    const readiness = yield* Ref.make<EngineReadiness>({ ready: true })
    yield* Effect.addFinalizer(() => Ref.set(readiness, { ready: false, reason: "engine pool is shutting down" }))
    const timeout = Duration.decode(options.queueTimeout)
    const retryAfterSeconds = Math.max(1, Math.ceil(Duration.toSeconds(timeout)))

    const run = <A>(call: (instance: EngineInstance) => Effect.Effect<A, EngineFailure>) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.scoped(
          Effect.gen(function*() {
            const queuedAt = yield* nowMillis
            const instance = yield* restore(
              Pool.get(pool).pipe(
                Effect.mapError((cause) =>
                  new EngineFailure({ kind: "Internal", detail: `engine instance unavailable: ${String(cause)}` })
                ),
                Effect.timeoutFail({
                  duration: timeout,
                  onTimeout: () => new EngineBusy({ waitedMillis: Duration.toMillis(timeout), retryAfterSeconds })
                })
              )
            )
            const startedAt = yield* nowMillis
            const value = yield* call(instance)
            const endedAt = yield* nowMillis
            return { value, queueMillis: startedAt - queuedAt, engineMillis: endedAt - startedAt } satisfies Timed<A>
          })
        )
      )

    return {
      name: options.name,
      open: (capture) => run((instance) => instance.open(capture)),
      assess: (capture) => run((instance) => instance.assess(capture)),
      detectFace: (capture) => run((instance) => instance.detectFace(capture)),
      readiness: Ref.get(readiness)
    } satisfies CaptureEngineShape
  })
