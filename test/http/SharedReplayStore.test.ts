/**
 * Several instances behind a load balancer share the replay store through Redis: a capture one
 * instance accepted is a replay at the other. A Redis that does not answer fails closed (503 with
 * Retry-After), never open. Real redis-server, two real services on loopback.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { encodeFakeCapture } from "../../src/infra/fake/FakeCaptureDocument.js"
import { startRedisServer } from "../support/RedisServer.js"
import { postCapture, startServer } from "../support/TestServer.js"

const replayEnv = (store: string) => ({
  FACEPHI_IAD_REPLAY_ATTACK_CHECKER_ENABLED: "true",
  FACEPHI_IAD_REPLAY_ATTACK_STORE: store
})

describe("replay store shared through Redis", () => {
  it.scopedLive("a capture accepted by one instance is a replay at the other, on both endpoints", () =>
    Effect.gen(function*() {
      const redis = yield* startRedisServer()
      const first = yield* startServer({ env: replayEnv(redis.url) })
      const second = yield* startServer({ env: replayEnv(redis.url) })
      const capture = encodeFakeCapture({ outcome: "Live" })
      expect((yield* postCapture(`${first.url}/liveness/evaluate`, capture)).status).toBe(200)
      for (const endpoint of ["liveness/evaluate", "extract"]) {
        expect(yield* postCapture(`${second.url}/${endpoint}`, capture)).toMatchObject({
          status: 400,
          body: { message: "Replay attack detected" }
        })
      }
      const another = encodeFakeCapture({ outcome: "Live", signals: { captureId: "cd".repeat(16) } })
      expect((yield* postCapture(`${second.url}/extract`, another)).status).toBe(200)
    }))

  it.scopedLive("Redis down: 503 with Retry-After (fail closed), then answers again when it is back", () =>
    Effect.gen(function*() {
      const redis = yield* startRedisServer()
      const { url } = yield* startServer({ env: replayEnv(redis.url) })
      yield* redis.stop
      const refused = yield* postCapture(`${url}/liveness/evaluate`, encodeFakeCapture({ outcome: "Live" }))
      expect(refused.status).toBe(503)
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0)
      expect(refused.body.message).toMatch(/replay check cannot run/)
      yield* redis.start
      let answer = refused
      for (let attempt = 0; attempt < 50 && answer.status !== 200; attempt++) {
        yield* Effect.sleep("100 millis")
        answer = yield* postCapture(`${url}/liveness/evaluate`, encodeFakeCapture({ outcome: "Live", engineMillis: attempt }))
      }
      expect(answer.status).toBe(200)
    }))

  it.scopedLive("a hung Redis answers 503 within about a second, never hangs the request", () =>
    Effect.gen(function*() {
      const redis = yield* startRedisServer()
      const { url } = yield* startServer({ env: replayEnv(redis.url) })
      expect((yield* postCapture(`${url}/liveness/evaluate`, encodeFakeCapture({ outcome: "Live" }))).status).toBe(200)
      yield* redis.pause
      const started = Date.now()
      const answer = yield* postCapture(`${url}/liveness/evaluate`, encodeFakeCapture({ outcome: "Live", engineMillis: 1 }))
      const waited = Date.now() - started
      yield* redis.resume
      expect(answer.status).toBe(503)
      expect(waited).toBeLessThan(3000)
    }))
})
