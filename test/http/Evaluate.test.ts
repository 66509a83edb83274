import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { faceProblemTable, rejectionReasonTable } from "../../src/domain/EngineReasons.js"
import { scoreOf } from "../../src/domain/Liveness.js"
import { encodeFakeCapture } from "../../src/infra/fake/FakeCaptureDocument.js"
import { fakeEngineLayer } from "../../src/infra/fake/FakeEngine.js"
import { postCapture, startServer } from "../support/TestServer.js"

const evaluate = (url: string, document: Parameters<typeof encodeFakeCapture>[0]) =>
  postCapture(`${url}/liveness/evaluate`, encodeFakeCapture(document))

const PUBLIC_FIELDS = ["diagnostic", "probability", "queueDuration", "reason", "score", "sdkDuration"]

describe("POST /liveness/evaluate", () => {
  it.scoped("answers Live with exactly the six public fields", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const answer = yield* evaluate(url, { outcome: "Live", probability: 0.9 })
      expect(answer.status).toBe(200)
      expect(Object.keys(answer.body).sort()).toEqual(PUBLIC_FIELDS)
      expect(answer.body.diagnostic).toBe("Live")
      expect(answer.body.reason).toBe("None")
      expect(answer.body.probability).toBe(0.9)
      expect(answer.body.score).toBeCloseTo(Math.log(0.9 / 0.1), 5)
      expect(Number.isInteger(answer.body.sdkDuration)).toBe(true)
      expect(Number.isInteger(answer.body.queueDuration)).toBe(true)
    }))

  for (const [code, reason] of Object.entries(rejectionReasonTable)) {
    it.scoped(`answers 200 NoLive ${reason} when the engine reports ${code}`, () =>
      Effect.gen(function*() {
        const { url } = yield* startServer()
        const answer = yield* evaluate(url, { outcome: reason })
        expect(answer.status).toBe(200)
        expect(answer.body).toMatchObject({ diagnostic: "NoLive", reason, probability: 0.02 })
        expect(answer.body.score).toBeCloseTo(scoreOf(0.02), 5)
        expect(Object.keys(answer.body).sort()).toEqual(PUBLIC_FIELDS)
      }))
  }

  it.scoped("answers 500 ErrorProcessing (extract: ErrorFacialImage) when the engine dies with a defect", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ engine: fakeEngineLayer({ script: () => Effect.die(new Error("engine bug")) }) })
      const evaluated = yield* postCapture(`${url}/liveness/evaluate`, "anything")
      expect(evaluated.status).toBe(500)
      expect(evaluated.body).toEqual({ message: "ErrorProcessing" })
      const extracted = yield* postCapture(`${url}/extract`, "anything")
      expect(extracted.status).toBe(500)
      expect(extracted.body).toEqual({ message: "ErrorFacialImage" })
    }))

  it.scoped("maps an engine reason it does not know to Unknown", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const unknownCode = yield* evaluate(url, { engineReason: "SOMETHING_NEW_IN_ENGINE_9" })
      expect(unknownCode.body).toMatchObject({ diagnostic: "NoLive", reason: "Unknown" })
      const scripted = yield* evaluate(url, { outcome: "Unknown" })
      expect(scripted.body).toMatchObject({ diagnostic: "NoLive", reason: "Unknown" })
    }))

  for (const [code, message] of Object.entries(faceProblemTable)) {
    it.scoped(`answers 400 ${message} when the engine reports ${code}`, () =>
      Effect.gen(function*() {
        const { url } = yield* startServer()
        const answer = yield* evaluate(url, { outcome: message })
        expect(answer.status).toBe(400)
        expect(answer.body).toEqual({ message })
      }))
  }

  it.scoped("lets an integrity verdict win over face feedback", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const answer = yield* evaluate(url, {
        outcome: "NoneBecauseFaceTooSmall",
        engineReason: "SDK_INTEGRITY_VIOLATION",
        probability: 0.01
      })
      expect(answer.status).toBe(200)
      expect(answer.body).toMatchObject({ diagnostic: "NoLive", reason: "SdkIntegrityViolation" })
    }))

  it.scoped("decides Live against liveness_threshold from config", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { liveness_threshold: 0.95 } })
      const below = yield* evaluate(url, { outcome: "Live", probability: 0.94 })
      expect(below.body).toMatchObject({ diagnostic: "NoLive", reason: "Unknown", probability: 0.94 })
      const at = yield* evaluate(url, { outcome: "Live", probability: 0.95 })
      expect(at.body).toMatchObject({ diagnostic: "Live", reason: "None" })
    }))

  it.scoped("clips the score to +/-16.1 at certainty", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const sure = yield* evaluate(url, { outcome: "Live", probability: 1 })
      expect(sure.body.score).toBe(16.1)
      const never = yield* evaluate(url, { outcome: "UntrustedContent", probability: 0 })
      expect(never.body.score).toBe(-16.1)
    }))

  it.scoped("answers 400 NoneBecauseImageDataError for undecryptable, garbage and empty captures", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const scripted = yield* evaluate(url, { outcome: "NoneBecauseImageDataError" })
      expect(scripted).toMatchObject({ status: 400, body: { message: "NoneBecauseImageDataError" } })
      const garbage = yield* postCapture(`${url}/liveness/evaluate`, new Uint8Array([0xff, 0x00, 0x13, 0x37]))
      expect(garbage).toMatchObject({ status: 400, body: { message: "NoneBecauseImageDataError" } })
      const empty = yield* postCapture(`${url}/liveness/evaluate`, new Uint8Array(0))
      expect(empty).toMatchObject({ status: 400, body: { message: "NoneBecauseImageDataError" } })
    }))

  it.scoped("answers 503 NoneBecauseLicenseError when the engine refuses its license", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const answer = yield* evaluate(url, { outcome: "NoneBecauseLicenseError" })
      expect(answer).toMatchObject({ status: 503, body: { message: "NoneBecauseLicenseError" } })
    }))

  it.scoped("answers 500 ErrorProcessing for an unclassified engine failure", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const answer = yield* evaluate(url, { outcome: "ErrorProcessing" })
      expect(answer).toMatchObject({ status: 500, body: { message: "ErrorProcessing" } })
    }))

  it.scoped("flipped bytes of a valid capture are a 4xx, never a 5xx", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const valid = encodeFakeCapture({ outcome: "Live" })
      for (let index = 0; index < valid.length; index++) {
        const flipped = Uint8Array.from(valid)
        flipped[index] = flipped[index]! ^ 0x20
        const answer = yield* postCapture(`${url}/liveness/evaluate`, flipped)
        expect(answer.status === 200 || answer.status === 400).toBe(true)
        if (answer.status === 400) expect(answer.body).toEqual({ message: "NoneBecauseImageDataError" })
      }
    }))
})
