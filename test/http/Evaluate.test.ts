import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { faceProblemTable, rejectionReasonTable } from "../../src/domain/EngineReasons.js"
import { STRONG, WEAK } from "../../src/domain/Evidence.js"
import { scoreOf } from "../../src/domain/Liveness.js"
import { CLEAN_PROBABILITY } from "../../src/domain/Scoring.js"
import { encodeFakeCapture } from "../../src/infra/fake/FakeCaptureDocument.js"
import { fakeEngineLayer } from "../../src/infra/fake/FakeEngine.js"
import { postCapture, startServer } from "../support/TestServer.js"

const evaluate = (url: string, document: Parameters<typeof encodeFakeCapture>[0]) =>
  postCapture(`${url}/liveness/evaluate`, encodeFakeCapture(document))

const PUBLIC_FIELDS = ["diagnostic", "probability", "queueDuration", "reason", "score", "sdkDuration"]

/** What the real scoring gives: no evidence, one strong item, one weak item (src/domain/Scoring.ts). */
const CLEAN = CLEAN_PROBABILITY
const STRONG_ALONE = CLEAN_PROBABILITY * (1 - STRONG)
const WEAK_ALONE = CLEAN_PROBABILITY * (1 - WEAK)

/**
 * The fake engine opens each outcome into the capture contents and frame scripts that the real
 * checks reject for that reason; the verdict, the scoring and the public mapping are the domain's.
 */
const expectedProbability: Record<keyof typeof rejectionReasonTable, number> = {
  UNTRUSTED_ENVIRONMENT: STRONG_ALONE,
  SUSPICIOUS_ACTIVITY: STRONG_ALONE,
  UNTRUSTED_DEVICE: STRONG_ALONE,
  SDK_INTEGRITY_VIOLATION: STRONG_ALONE,
  UNTRUSTED_CORRUPTED_PAYLOAD: STRONG_ALONE,
  UNTRUSTED_CONTENT: STRONG_ALONE,
  UNTRUSTED_CONTENT_LOW_CONFIDENCE: WEAK_ALONE
}

describe("POST /liveness/evaluate", () => {
  it.scoped("answers Live with exactly the six public fields", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const answer = yield* evaluate(url, { outcome: "Live" })
      expect(answer.status).toBe(200)
      expect(Object.keys(answer.body).sort()).toEqual(PUBLIC_FIELDS)
      expect(answer.body.diagnostic).toBe("Live")
      expect(answer.body.reason).toBe("None")
      expect(answer.body.probability).toBe(CLEAN)
      expect(answer.body.score).toBeCloseTo(Math.log(CLEAN / (1 - CLEAN)), 5)
      expect(Number.isInteger(answer.body.sdkDuration)).toBe(true)
      expect(Number.isInteger(answer.body.queueDuration)).toBe(true)
    }))

  for (const [code, reason] of Object.entries(rejectionReasonTable) as Array<[keyof typeof rejectionReasonTable, string]>) {
    it.scoped(`answers 200 NoLive ${reason} when the checks find ${code}`, () =>
      Effect.gen(function*() {
        const { url } = yield* startServer()
        const answer = yield* evaluate(url, { outcome: reason as "UntrustedDevice" })
        expect(answer.status).toBe(200)
        expect(answer.body).toMatchObject({ diagnostic: "NoLive", reason })
        expect(answer.body.probability).toBeCloseTo(expectedProbability[code], 6)
        expect(answer.body.score).toBeCloseTo(scoreOf(expectedProbability[code]), 4)
        expect(Object.keys(answer.body).sort()).toEqual(PUBLIC_FIELDS)
      }))
  }

  it.scoped("the same reasons from signals a tester sets, as `iad-capture build --signals` takes them", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer()
      const virtualCamera = yield* evaluate(url, { signals: { camera: { name: "OBS Virtual Camera" } } })
      expect(virtualCamera.body).toMatchObject({ diagnostic: "NoLive", reason: "UntrustedContent" })
      const rooted = yield* evaluate(url, { signals: { environment: { rooted: true } } })
      expect(rooted.body).toMatchObject({ diagnostic: "NoLive", reason: "UntrustedEnvironment" })
      const oneFrame = yield* evaluate(url, { frames: 1 })
      expect(oneFrame.body).toMatchObject({ diagnostic: "NoLive", reason: "UntrustedContentLowConfidence" })
      const foreignEncoder = yield* evaluate(url, { frames: [{}, { jpegQuality: 50 }, {}] })
      expect(foreignEncoder.body).toMatchObject({ diagnostic: "NoLive", reason: "UntrustedCorruptedPayload" })
    }))

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

  it.scoped("answers NoLive Unknown when no check objects but the probability is under liveness_threshold", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { liveness_threshold: 0.96 } })
      const answer = yield* evaluate(url, { outcome: "Live" })
      expect(answer.body).toMatchObject({ diagnostic: "NoLive", reason: "Unknown", probability: CLEAN })
    }))

  for (const [code, message] of Object.entries(faceProblemTable)) {
    it.scoped(`answers 400 ${message} when the face analysis reports ${code}`, () =>
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
      const answer = yield* evaluate(url, { outcome: "NoneBecauseFaceTooSmall", signals: { sdkSignature: "forged" } })
      expect(answer.status).toBe(200)
      expect(answer.body).toMatchObject({ diagnostic: "NoLive", reason: "SdkIntegrityViolation" })
    }))

  it.scoped("weak evidence still gets face feedback first when a lowered threshold would accept it", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { liveness_threshold: 0.3 } })
      const weakWithFace = yield* evaluate(url, { outcome: "NoneBecauseEyesClosed", frames: [{ temporalNoise: 0.25 }, { temporalNoise: 0.25 }, { temporalNoise: 0.25 }] })
      expect(weakWithFace).toMatchObject({ status: 400, body: { message: "NoneBecauseEyesClosed" } })
    }))

  it.scoped("strong evidence answers NoLive whatever liveness_threshold says; the threshold moves only the weak band", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { liveness_threshold: 0 } })
      const attack = yield* evaluate(url, {
        signals: { sdkSignature: "untrusted-key", environment: { emulator: true, virtualCamera: true } }
      })
      expect(attack.body).toMatchObject({ diagnostic: "NoLive", reason: "SdkIntegrityViolation" })
      for (const outcome of ["UntrustedDevice", "UntrustedEnvironment", "UntrustedContent", "SuspiciousActivity", "UntrustedCorruptedPayload"] as const) {
        expect((yield* evaluate(url, { outcome })).body).toMatchObject({ diagnostic: "NoLive", reason: outcome })
      }
      const weak = yield* evaluate(url, { outcome: "UntrustedContentLowConfidence" })
      expect(weak.body).toMatchObject({ diagnostic: "Live", reason: "None" })
    }))

  it.scoped("decides Live against liveness_threshold from config", () =>
    Effect.gen(function*() {
      const { url } = yield* startServer({ config: { liveness_threshold: CLEAN } })
      const at = yield* evaluate(url, { outcome: "Live" })
      expect(at.body).toMatchObject({ diagnostic: "Live", reason: "None" })
      const { url: stricter } = yield* startServer({ config: { liveness_threshold: 0.951 } })
      const below = yield* evaluate(stricter, { outcome: "Live" })
      expect(below.body).toMatchObject({ diagnostic: "NoLive", reason: "Unknown" })
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
})
