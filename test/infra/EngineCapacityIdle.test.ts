/**
 * The engine capacity's idle hook (the native engine returns freed memory to the system with it):
 * it runs once every engine has been free for the idle delay after work, not while work goes on,
 * not when work starts again within the delay, and again only after more work. The trim itself is
 * a real call into the addon.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import * as v8 from "node:v8"
import { makeEngineCapacity } from "../../src/infra/EngineCapacityLive.js"
import { loadNativeAddon, type NativeAddon } from "../../src/infra/native/NativeAddon.js"
import { idleMemoryRelease, releaseHeapWhenIdle, trimFreeMemoryWhenIdle } from "../../src/infra/native/IdleMemoryTrim.js"

const setup = Effect.gen(function* () {
  const idleRuns = yield* Ref.make(0)
  const capacity = yield* makeEngineCapacity({ size: 2, queueTimeout: "10 seconds", idleDelay: "1 second", onIdle: Ref.update(idleRuns, (n) => n + 1) })
  return { capacity, idleRuns: Ref.get(idleRuns) }
})

describe("engine capacity idle hook", () => {
  it.scoped("runs once a second after the last capture, and again only after more work", () =>
    Effect.gen(function* () {
      const { capacity, idleRuns } = yield* setup
      yield* capacity.run(Effect.void)
      expect(yield* idleRuns).toBe(0)
      yield* TestClock.adjust("999 millis")
      expect(yield* idleRuns).toBe(0)
      yield* TestClock.adjust("1 millis")
      expect(yield* idleRuns).toBe(1)
      yield* TestClock.adjust("10 seconds")
      expect(yield* idleRuns).toBe(1)
      yield* capacity.run(Effect.void)
      yield* TestClock.adjust("1 second")
      expect(yield* idleRuns).toBe(2)
    })
  )

  it.scoped("waits while any engine works, and a capture within the delay puts it off", () =>
    Effect.gen(function* () {
      const { capacity, idleRuns } = yield* setup
      const release = yield* Deferred.make<void>()
      const long = yield* Effect.fork(capacity.run(Deferred.await(release)))
      yield* capacity.run(Effect.void)
      yield* TestClock.adjust("5 seconds")
      expect(yield* idleRuns).toBe(0)
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(long)
      yield* TestClock.adjust("500 millis")
      yield* capacity.run(Effect.void)
      yield* TestClock.adjust("900 millis")
      expect(yield* idleRuns).toBe(0)
      yield* TestClock.adjust("100 millis")
      expect(yield* idleRuns).toBe(1)
    })
  )

  it.scoped("the native engine's hook: the trim a second after the last capture, the heap release after ten", () =>
    Effect.gen(function* () {
      const calls: Array<string> = []
      const addon = {
        trimFreeMemory: () => (calls.push("trim"), true),
        releaseHeapMemory: () => void calls.push("release")
      } as unknown as NativeAddon
      const capacity = yield* makeEngineCapacity({ size: 2, queueTimeout: "10 seconds", idleDelay: "1 second", onIdle: idleMemoryRelease("1 second", () => addon) })
      yield* capacity.run(Effect.void)
      yield* TestClock.adjust("1 second")
      expect(calls).toEqual(["trim"])
      // A capture within the ten seconds puts the release off: ten seconds from its end.
      yield* TestClock.adjust("4 seconds")
      yield* capacity.run(Effect.void)
      yield* TestClock.adjust("9999 millis")
      expect(calls).toEqual(["trim", "trim"])
      yield* TestClock.adjust("1 millis")
      expect(calls).toEqual(["trim", "trim", "release", "trim"])
      yield* TestClock.adjust("1 minute")
      expect(calls).toEqual(["trim", "trim", "release", "trim"])
    })
  )

  it("the heap release is a real collection of the calling thread's V8 heap", () => {
    const addon = loadNativeAddon()
    addon.releaseHeapMemory()
    const settled = v8.getHeapStatistics().used_heap_size
    let garbage: Array<Array<number>> | undefined = Array.from({ length: 200_000 }, (_, i) => [i, i + 1, i + 2])
    const grown = v8.getHeapStatistics().used_heap_size
    expect(garbage.length).toBe(200_000)
    garbage = undefined
    addon.releaseHeapMemory()
    const released = v8.getHeapStatistics().used_heap_size
    expect(grown - settled).toBeGreaterThan(10 * 1048576)
    expect(released).toBeLessThan(settled + 2 * 1048576)
  })

  it.effect("the native trim is a real call into the addon and never fails", () =>
    Effect.gen(function* () {
      expect(typeof loadNativeAddon().trimFreeMemory()).toBe("boolean")
      yield* trimFreeMemoryWhenIdle()
      yield* trimFreeMemoryWhenIdle(() => {
        throw new Error("addon missing")
      })
      yield* releaseHeapWhenIdle(() => {
        throw new Error("addon missing")
      })
    })
  )
})
