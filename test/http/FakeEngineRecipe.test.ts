/**
 * The recipe for testers: compose the service with the fake engine (scripted outcomes) and
 * TestClock in your own tests. Copy this file as a starting point.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { EngineFailure } from "../../src/domain/CaptureEngine.js"
import { fakeEngineLayer, type FakeScript } from "../../src/infra/fake/FakeEngine.js"
import { FakeCaptureDocument } from "../../src/infra/fake/FakeCaptureDocument.js"
import { Schema } from "effect"
import { postCapture, startServer } from "../support/TestServer.js"

/** A script that ignores the bytes and plays outcomes in order, as a tester's flow might. */
const playInOrder = (outcomes: ReadonlyArray<typeof FakeCaptureDocument.Encoded>): FakeScript => {
  let next = 0
  return () =>
    next < outcomes.length
      ? Schema.decodeUnknown(FakeCaptureDocument)(outcomes[next++]).pipe(
        Effect.mapError((error) => new EngineFailure({ kind: "Malformed", detail: error.message }))
      )
      : Effect.fail(new EngineFailure({ kind: "Internal", detail: "script exhausted" }))
}

describe("testing your own flow with the fake engine", () => {
  it.scoped("a retry flow: face too close, then Live", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({
        engine: fakeEngineLayer({ script: playInOrder([{ outcome: "NoneBecauseFaceTooClose" }, { outcome: "Live" }]) })
      })
      const first = yield* postCapture(`${url}/liveness/evaluate`, "any bytes: the script decides")
      expect(first.body).toEqual({ message: "NoneBecauseFaceTooClose" })
      const second = yield* postCapture(`${url}/liveness/evaluate`, "any bytes")
      expect(second.body).toMatchObject({ diagnostic: "Live" })
      const exhausted = yield* postCapture(`${url}/liveness/evaluate`, "any bytes")
      expect(exhausted).toMatchObject({ status: 500, body: { message: "ErrorProcessing" } })
    }))

  it.scoped("with TestClock, replay windows are tested without sleeping", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2030-01-01T00:00:00Z"))
      const { url } = yield* startServer({
        env: { FACEPHI_IAD_REPLAY_ATTACK_CHECKER_ENABLED: "true", FACEPHI_IAD_REPLAY_ATTACK_TOLERANCE_TIME: "30" },
        engine: fakeEngineLayer({ script: playInOrder([{ capturedAt: "2030-01-01T00:00:00Z" }, { capturedAt: "2030-01-01T00:00:00Z" }]) })
      })
      expect((yield* postCapture(`${url}/extract`, "x")).status).toBe(200)
      yield* TestClock.adjust("31 seconds")
      expect((yield* postCapture(`${url}/extract`, "x")).body).toEqual({ message: "Replay attack detected" })
    }))
})
