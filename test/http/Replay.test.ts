import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import { readStartup } from "../../src/App.js"
import { encodeFakeCapture } from "../../src/infra/fake/FakeCaptureDocument.js"
import { postCapture, startServer } from "../support/TestServer.js"

const NOW = Date.parse("2026-11-25T12:00:00Z")
const ENABLED = { FACEPHI_IAD_REPLAY_ATTACK_CHECKER_ENABLED: "true", FACEPHI_IAD_REPLAY_ATTACK_TOLERANCE_TIME: "300" }

const at = (url: string, endpoint: string, capturedAt: number) =>
  postCapture(`${url}/${endpoint}`, encodeFakeCapture({ capturedAt, outcome: "Live" }))

describe("replay attack mitigation", () => {
  for (const endpoint of ["liveness/evaluate", "extract"]) {
    it.scoped(`${endpoint}: accepts a capture exactly at the tolerance, rejects one second past it`, () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(NOW)
        const { url } = yield* startServer({ env: ENABLED })
        const edge = yield* at(url, endpoint, NOW - 300_000)
        expect(edge.status).toBe(200)
        const stale = yield* at(url, endpoint, NOW - 301_000)
        expect(stale).toMatchObject({ status: 400, body: { message: "Replay attack detected" } })
      }))

    it.scoped(`${endpoint}: rejects a capture dated further in the future than the window`, () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(NOW)
        const { url } = yield* startServer({ env: ENABLED })
        const future = yield* at(url, endpoint, NOW + 301_000)
        expect(future).toMatchObject({ status: 400, body: { message: "Replay attack detected" } })
        const slightlyAhead = yield* at(url, endpoint, NOW + 300_000)
        expect(slightlyAhead.status).toBe(200)
      }))
  }

  it.scoped("a capture that was fresh goes stale as the clock moves on", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const { url } = yield* startServer({ env: { ...ENABLED, FACEPHI_IAD_REPLAY_ATTACK_TOLERANCE_TIME: "60" } })
      const fresh = encodeFakeCapture({ capturedAt: new Date(NOW).toISOString(), outcome: "Live" })
      expect((yield* postCapture(`${url}/liveness/evaluate`, fresh)).status).toBe(200)
      yield* TestClock.adjust("61 seconds")
      const replayed = yield* postCapture(`${url}/liveness/evaluate`, fresh)
      expect(replayed).toMatchObject({ status: 400, body: { message: "Replay attack detected" } })
    }))

  it.scoped("is off by default: an old capture is evaluated", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const { url } = yield* startServer()
      const old = yield* at(url, "liveness/evaluate", NOW - 86_400_000)
      expect(old.status).toBe(200)
    }))

  it.scoped("checks freshness before analysis: a stale capture never reaches the face checks", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const { url } = yield* startServer({ env: ENABLED })
      const answer = yield* postCapture(
        `${url}/liveness/evaluate`,
        encodeFakeCapture({ capturedAt: NOW - 600_000, outcome: "NoneBecauseFaceTooSmall" })
      )
      expect(answer.body).toEqual({ message: "Replay attack detected" })
    }))

  for (const [variable, value] of [
    ["FACEPHI_IAD_REPLAY_ATTACK_CHECKER_ENABLED", "yes"],
    ["FACEPHI_IAD_REPLAY_ATTACK_TOLERANCE_TIME", "-5"],
    ["FACEPHI_IAD_REPLAY_ATTACK_TOLERANCE_TIME", "abc"]
  ] as const) {
    it(`stops startup when ${variable}=${value}, naming the variable`, () => {
      const startup = readStartup({ FACEPHI_IAD_CONFIG: "/nonexistent/config.json", [variable]: value })
      expect(Either.isLeft(startup)).toBe(true)
      if (Either.isLeft(startup)) expect(startup.left.message).toContain(variable)
    })
  }
})

describe("a capture counts once", () => {
  for (const endpoint of ["liveness/evaluate", "extract"]) {
    it.scoped(`${endpoint}: the same capture posted again inside the window is a replay`, () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(NOW)
        const { url } = yield* startServer({ env: ENABLED })
        const capture = encodeFakeCapture({ capturedAt: NOW - 1000, outcome: "Live" })
        expect((yield* postCapture(`${url}/${endpoint}`, capture)).status).toBe(200)
        for (let again = 0; again < 2; again++) {
          expect(yield* postCapture(`${url}/${endpoint}`, capture)).toMatchObject({
            status: 400,
            body: { message: "Replay attack detected" }
          })
        }
        // Another capture (another id) is not affected.
        const other = encodeFakeCapture({ capturedAt: NOW - 1000, outcome: "Live", signals: { captureId: "ab".repeat(16) } })
        expect((yield* postCapture(`${url}/${endpoint}`, other)).status).toBe(200)
      }))
  }

  it.scoped("a capture evaluated once cannot be extracted afterwards, and the other way round", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const { url } = yield* startServer({ env: ENABLED })
      const capture = encodeFakeCapture({ capturedAt: NOW, outcome: "Live" })
      expect((yield* postCapture(`${url}/liveness/evaluate`, capture)).status).toBe(200)
      expect((yield* postCapture(`${url}/extract`, capture)).body).toEqual({ message: "Replay attack detected" })
    }))

  it.scoped("with the checker off, the same capture is answered every time", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const capture = encodeFakeCapture({ outcome: "Live" })
      for (let i = 0; i < 3; i++) expect((yield* postCapture(`${url}/liveness/evaluate`, capture)).status).toBe(200)
    }))
})
