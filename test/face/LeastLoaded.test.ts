/**
 * The face workers' dispatch (src/infra/face/LeastLoaded.ts): each use goes to the worker with the
 * fewest uses under way, equals taking turns, and a use that ends (answered, failed or
 * interrupted) no longer counts.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { leastLoaded } from "../../src/infra/face/LeastLoaded.js"

describe("least-loaded dispatch", () => {
  it.scoped("sends each use to the least loaded worker, never behind a busy one while another is idle", () =>
    Effect.gen(function* () {
      const dispatch = leastLoaded(["A", "B"] as const)
      const chosen: Array<string> = []
      const hold = (gate: Deferred.Deferred<void, string>) =>
        Effect.fork(dispatch.use((worker) => Effect.zipRight(Effect.sync(() => chosen.push(worker)), Deferred.await(gate))))
      const gates = yield* Effect.forEach([1, 2, 3], () => Deferred.make<void, string>())
      const first = yield* hold(gates[0]!)
      const second = yield* hold(gates[1]!)
      const third = yield* hold(gates[2]!)
      yield* Effect.yieldNow()
      expect(chosen).toEqual(["A", "B", "A"])
      expect(dispatch.load()).toEqual([2, 1])
      // B's use ends: B is idle while A still has two, so the next goes to B.
      yield* Deferred.succeed(gates[1]!, undefined)
      yield* Fiber.join(second)
      expect(dispatch.load()).toEqual([2, 0])
      const gate = yield* Deferred.make<void, string>()
      const fourth = yield* hold(gate)
      yield* Effect.yieldNow()
      expect(chosen).toEqual(["A", "B", "A", "B"])
      // A failed use and an interrupted one no longer count.
      yield* Deferred.fail(gates[0]!, "model failure")
      expect(Exit.isFailure(yield* Fiber.await(first))).toBe(true)
      yield* Fiber.interrupt(third)
      expect(dispatch.load()).toEqual([0, 1])
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(fourth)
      expect(dispatch.load()).toEqual([0, 0])
    })
  )

  it.effect("lets idle workers take turns: one use at a time goes to each in order", () =>
    Effect.gen(function* () {
      const dispatch = leastLoaded(["A", "B", "C"] as const)
      const chosen = yield* Effect.forEach([1, 2, 3, 4, 5, 6, 7], () => dispatch.use((worker) => Effect.succeed(worker)))
      expect(chosen).toEqual(["A", "B", "C", "A", "B", "C", "A"])
      expect(dispatch.load()).toEqual([0, 0, 0])
    })
  )
})
