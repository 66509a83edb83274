/**
 * The engine capacity's two stages (`runInStages`: an evaluation's forensics, then its face
 * analysis): a capture's second stage overlaps the next capture's first; the engine slot is handed
 * over only once a second-stage slot is free, so a full second stage holds the first one up and
 * waiting requests still meet the queue timeout; a capture the first stage settles never waits
 * for the second; a failing first stage gives its slot back and never takes a second-stage slot;
 * the idle hook waits for both stages; the capture scope is around both stages of an evaluation.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import { makeEngineCapacity } from "../../src/infra/EngineCapacityLive.js"

/** A first stage that sends its capture on to the second. */
const onToSecondStage = Effect.succeed(Either.left<void>(undefined))

const setup = Effect.gen(function* () {
  const idleRuns = yield* Ref.make(0)
  const capacity = yield* makeEngineCapacity({ size: 1, queueTimeout: "10 seconds", idleDelay: "1 second", onIdle: Ref.update(idleRuns, (n) => n + 1) })
  return { capacity, idleRuns: Ref.get(idleRuns) }
})

describe("engine capacity stages", () => {
  it.scoped("a capture's second stage overlaps the next capture's first stage", () =>
    Effect.gen(function* () {
      const { capacity } = yield* setup
      const secondStageOfA = yield* Deferred.make<void>()
      const inSecondStage = yield* Deferred.make<void>()
      const a = yield* Effect.fork(
        capacity.runInStages(Effect.succeed(Either.left("a")), (value) =>
          Effect.zipRight(Deferred.succeed(inSecondStage, undefined), Effect.as(Deferred.await(secondStageOfA), value)))
      )
      yield* Effect.gen(function* () {
        yield* Deferred.await(inSecondStage)
        // One engine slot only, and A is still working: B runs in the slot A handed over.
        const b = yield* Effect.fork(capacity.run(Effect.succeed("b")))
        yield* TestClock.adjust("1 millis")
        const firstOfB = yield* Fiber.poll(b)
        expect(Option.map(firstOfB, Exit.map((timed) => [timed.value, timed.queueMillis]))).toEqual(Option.some(Exit.succeed(["b", 0])))
      }).pipe(Effect.ensuring(Deferred.succeed(secondStageOfA, undefined)))
      expect((yield* Fiber.join(a)).value).toBe("a")
    })
  )

  it.scoped("a full second stage holds the engine slot, so further requests meet the queue timeout", () =>
    Effect.gen(function* () {
      const { capacity } = yield* setup
      const release = yield* Deferred.make<void>()
      const inSecondStage = yield* Deferred.make<void>()
      const firstOfCDone = yield* Deferred.make<void>()
      const a = yield* Effect.fork(
        capacity.runInStages(onToSecondStage, () => Effect.zipRight(Deferred.succeed(inSecondStage, undefined), Deferred.await(release)))
      )
      const c = yield* Effect.gen(function* () {
        yield* Deferred.await(inSecondStage)
        const c = yield* Effect.fork(capacity.runInStages(Effect.as(Deferred.succeed(firstOfCDone, undefined), Either.left(undefined)), () => Effect.succeed("c")))
        yield* TestClock.adjust("1 millis")
        expect(yield* Deferred.isDone(firstOfCDone)).toBe(true)
        // C finished its first stage but waits for A's second-stage slot, holding the engine slot.
        const d = yield* Effect.fork(capacity.run(Effect.succeed("d")))
        yield* TestClock.adjust("10 seconds")
        const busy = yield* Fiber.await(d)
        expect(Exit.isFailure(busy) && busy.cause._tag === "Fail" && busy.cause.error._tag === "EngineBusy").toBe(true)
        return c
      }).pipe(Effect.ensuring(Deferred.succeed(release, undefined)))
      yield* Fiber.join(a)
      const timedC = yield* Fiber.join(c)
      expect(timedC.value).toBe("c")
      // C's wait for the second stage is engine time, not queue time.
      expect(timedC.queueMillis).toBe(0)
      expect(timedC.engineMillis).toBe(10_001)
      expect((yield* capacity.run(Effect.succeed("e"))).value).toBe("e")
    })
  )

  it.scoped("a capture settled in the first stage does not wait for a second-stage slot", () =>
    Effect.gen(function* () {
      const { capacity } = yield* setup
      const release = yield* Deferred.make<void>()
      const inSecondStage = yield* Deferred.make<void>()
      const secondRan = yield* Ref.make(false)
      const a = yield* Effect.fork(
        capacity.runInStages(onToSecondStage, () => Effect.zipRight(Deferred.succeed(inSecondStage, undefined), Deferred.await(release)))
      )
      yield* Effect.gen(function* () {
        yield* Deferred.await(inSecondStage)
        // The second stage is full (one slot, A in it); B is settled by its first stage all the same.
        const b = yield* Effect.fork(capacity.runInStages(Effect.succeed(Either.right("settled")), () => Effect.as(Ref.set(secondRan, true), "analysed")))
        yield* TestClock.adjust("1 millis")
        const settled = yield* Fiber.poll(b)
        expect(Option.map(settled, Exit.map((timed) => timed.value))).toEqual(Option.some(Exit.succeed("settled")))
        expect(yield* Ref.get(secondRan)).toBe(false)
        // And it gave its engine slot back.
        expect((yield* capacity.run(Effect.succeed("c"))).value).toBe("c")
      }).pipe(Effect.ensuring(Deferred.succeed(release, undefined)))
      yield* Fiber.join(a)
    })
  )

  it.scoped("a failing first stage gives its slot back and never takes a second-stage slot", () =>
    Effect.gen(function* () {
      const { capacity } = yield* setup
      const secondRan = yield* Ref.make(false)
      const failed = yield* Effect.exit(capacity.runInStages(Effect.fail("forensics failed" as const), () => Ref.set(secondRan, true)))
      expect(failed).toEqual(Exit.fail("forensics failed"))
      const died = yield* Effect.exit(capacity.runInStages(Effect.die("defect"), () => Ref.set(secondRan, true)))
      expect(Exit.isFailure(died)).toBe(true)
      expect(yield* Ref.get(secondRan)).toBe(false)
      // Both stages are free again: a second stage that fails frees its slot too.
      expect(yield* Effect.exit(capacity.runInStages(onToSecondStage, () => Effect.fail("face failed" as const)))).toEqual(Exit.fail("face failed"))
      expect((yield* capacity.runInStages(Effect.succeed(Either.left(1)), (n) => Effect.succeed(n + 1))).value).toBe(2)
      expect((yield* capacity.runInStages(Effect.succeed(Either.left(1)), (n) => Effect.succeed(n + 1))).value).toBe(2)
    })
  )

  it.scoped("the idle hook waits until both stages are done", () =>
    Effect.gen(function* () {
      const { capacity, idleRuns } = yield* setup
      const release = yield* Deferred.make<void>()
      const inSecondStage = yield* Deferred.make<void>()
      const a = yield* Effect.fork(
        capacity.runInStages(onToSecondStage, () => Effect.zipRight(Deferred.succeed(inSecondStage, undefined), Deferred.await(release)))
      )
      yield* Deferred.await(inSecondStage)
      yield* TestClock.adjust("5 seconds")
      expect(yield* idleRuns).toBe(0)
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(a)
      yield* TestClock.adjust("1 second")
      expect(yield* idleRuns).toBe(1)
    })
  )

  it.scoped("the capture scope is put around both stages of an evaluation, settled in the first stage or not", () =>
    Effect.gen(function* () {
      const events: Array<string> = []
      const capacity = yield* makeEngineCapacity({
        size: 1,
        queueTimeout: "10 seconds",
        captureScope: (work) => Effect.sync(() => events.push("open")).pipe(Effect.zipRight(work), Effect.ensuring(Effect.sync(() => events.push("close"))))
      })
      const mark = (event: string) => Effect.sync(() => void events.push(event))
      yield* capacity.runInStages(Effect.as(mark("first"), Either.left("a")), () => mark("second"))
      yield* capacity.runInStages(Effect.as(mark("first"), Either.right("settled")), () => mark("never"))
      const failed = yield* Effect.exit(capacity.runInStages(Effect.zipRight(mark("first"), Effect.fail("broken")), () => mark("never")))
      expect(Exit.isFailure(failed)).toBe(true)
      yield* capacity.run(mark("run"))
      expect(events).toEqual(["open", "first", "second", "close", "open", "first", "close", "open", "first", "close", "run"])
    })
  )

  it.scoped("the second stage can have more slots than the first: each holds a capture while the engine slot goes on", () =>
    Effect.gen(function* () {
      const capacity = yield* makeEngineCapacity({ size: 1, queueTimeout: "10 seconds", secondStageSize: 2 })
      const release = yield* Deferred.make<void>()
      const inSecondStage = yield* Ref.make(0)
      const capture = (name: string) =>
        Effect.fork(capacity.runInStages(onToSecondStage, () => Effect.zipRight(Ref.update(inSecondStage, (n) => n + 1), Effect.as(Deferred.await(release), name))))
      const held = yield* Effect.gen(function* () {
        const a = yield* capture("a")
        const b = yield* capture("b")
        yield* TestClock.adjust("1 millis")
        // Both in their second stage at once, on one engine slot, which is free again.
        expect(yield* Ref.get(inSecondStage)).toBe(2)
        expect((yield* capacity.run(Effect.succeed("c"))).value).toBe("c")
        // A third capture finishes its first stage and then holds the engine slot: the second stage is full.
        const d = yield* capture("d")
        yield* TestClock.adjust("1 millis")
        expect(yield* Ref.get(inSecondStage)).toBe(2)
        const e = yield* Effect.fork(capacity.run(Effect.succeed("e")))
        yield* TestClock.adjust("10 seconds")
        const busy = yield* Fiber.await(e)
        expect(Exit.isFailure(busy) && busy.cause._tag === "Fail" && busy.cause.error._tag === "EngineBusy").toBe(true)
        return [a, b, d] as const
      }).pipe(Effect.ensuring(Deferred.succeed(release, undefined)))
      expect((yield* Effect.forEach(held, Fiber.join)).map((timed) => timed.value)).toEqual(["a", "b", "d"])
    })
  )
})
