/**
 * What some of Effect's operations cost on their own, in microseconds of CPU, steady state
 * (`process.cpuUsage` over many runs after a warm-up): the ones the service runs per capture on its
 * thread (a queue wait bounded by `Effect.timeoutFail`, the idle hooks' `FiberHandle.run` of a
 * sleeping fiber, `withSpan`) next to a plain semaphore and a small generator, to weigh them against
 * the ~22 ms a capture costs (docs/performance.md, round 5).
 * Run alone: `npx tsx bench/effectCosts.ts`; `bench/run.ts` imports `effectCosts`.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberHandle from "effect/FiberHandle"

const RUNS = 20_000
const WARM_UP = 5_000

const cpuMicrosPerRun = <E>(operation: Effect.Effect<unknown, E>) =>
  Effect.gen(function* () {
    for (let i = 0; i < WARM_UP; i++) yield* operation
    const before = process.cpuUsage()
    for (let i = 0; i < RUNS; i++) yield* operation
    const used = process.cpuUsage(before)
    return Number(((used.user + used.system) / RUNS).toFixed(2))
  })

export const effectCosts = (): Promise<Record<string, number>> =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const slots = yield* Effect.makeSemaphore(2)
        const busy = new Error("busy")
        const idle = yield* FiberHandle.make()
        const tenYields = Effect.gen(function* () {
          for (let i = 0; i < 10; i++) yield* Effect.void
        })
        return {
          "semaphore take + release": yield* cpuMicrosPerRun(Effect.zipRight(slots.take(1), slots.release(1))),
          "the same, the take bounded by Effect.timeoutFail": yield* cpuMicrosPerRun(
            Effect.zipRight(slots.take(1).pipe(Effect.timeoutFail({ duration: Duration.seconds(5), onTimeout: () => busy })), slots.release(1))
          ),
          "FiberHandle.clear + FiberHandle.run(sleep 10 s)": yield* cpuMicrosPerRun(
            Effect.zipRight(FiberHandle.clear(idle), FiberHandle.run(idle, Effect.sleep(Duration.seconds(10))))
          ),
          "Effect.withSpan around Effect.void": yield* cpuMicrosPerRun(Effect.withSpan(Effect.void, "bench")),
          "a generator of ten yield* Effect.void": yield* cpuMicrosPerRun(tenYields)
        }
      })
    )
  )

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [operation, micros] of Object.entries(await effectCosts())) console.log(`${String(micros).padStart(8)} us  ${operation}`)
}
