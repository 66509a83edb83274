import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Logger } from "effect"
import { readdir, readFile, stat } from "node:fs/promises"
import { join } from "node:path"
import { buildCapture, simulateBurst } from "../../src/capture/index.js"
import { assessCapture, detectFace } from "../../src/domain/AssessCapture.js"
import { CaptureEngine } from "../../src/domain/CaptureEngine.js"
import { defaultDetectionConfig } from "../../src/domain/DetectionConfig.js"
import { defaultConfig } from "../../src/domain/ServiceConfig.js"
import { fakeFaceAnalyzerLayer, usableFaceReport } from "../../src/infra/face/FakeFaceAnalyzer.js"
import { nativeEngineLayer } from "../../src/infra/native/NativeEngine.js"
import { nativeForensicsLayer } from "../../src/infra/native/NativeForensics.js"
import * as F from "../fixtures/face/faceFrames.js"
import { captureWith, freshKeys, jpeg, tempDir } from "./helpers.js"

const configFor = (keysDir: string) => ({ ...defaultConfig, keys_dir: keysDir, engine_pool_size: 2, engine_queue_timeout: 1 })

/** Face analysis is tested in test/face; here a fixed report isolates the engine and its forensics. */
const faces = fakeFaceAnalyzerLayer({ ...usableFaceReport, faceProbability: 0.8 })
const nativeWithFaces = (config: ReturnType<typeof configFor>) => Layer.mergeAll(nativeEngineLayer(config), nativeForensicsLayer, faces)

const firstStart = (dir: string, messages: Array<string>) =>
  Effect.gen(function*() {
    const engine = yield* CaptureEngine
    expect(engine.name).toBe("native")
    const files = (yield* Effect.promise(() => readdir(dir))).sort()
    expect(files).toEqual(["attestation.key", "attestation.pub", "sdk.key", "sdk.pub", "service.key", "service.pub"])
    expect(((yield* Effect.promise(() => stat(join(dir, "service.key")))).mode & 0o777)).toBe(0o600)
    const log = messages.join("\n")
    expect(log).toContain(dir)
    expect(log).toMatch(/generated development keys/)
    for (const file of files) {
      const pem = yield* Effect.promise(() => readFile(join(dir, file), "utf8"))
      const body = pem.split("\n").filter((line) => line !== "" && !line.startsWith("-----")).join("")
      expect(log).not.toContain(body)
    }
    expect(log).not.toMatch(/PRIVATE KEY/)

    // The generated keys work with the reference SDK straight away.
    const frame = yield* Effect.promise(() => jpeg(200))
    const capture = yield* Effect.promise(() => buildCapture({ keysDir: dir, frames: [frame] }))
    const opened = yield* engine.open(capture)
    expect(Buffer.from(opened.bestFrame.bytes).equals(frame)).toBe(true)
    expect(opened.bestFrame.mimeType).toBe("image/jpeg")
  })

const mapping = (keys: string) =>
  Effect.gen(function*() {
    const engine = yield* CaptureEngine
    const frame = yield* Effect.promise(() => jpeg(100))
    const open = (signals: Parameters<typeof captureWith>[2]) =>
      Effect.flatMap(Effect.promise(() => captureWith(keys, [frame], signals)), engine.open)

    // A genuine capture is a burst of camera-sized frames of a real photo with fresh sensor noise
    // between them (the noise thresholds are for 1/4-scale planes of such frames).
    const burst = yield* Effect.promise(async () => simulateBurst([await F.framedFace(F.frontalFace, 300, 640, 360)], 3))
    const camera = { width: 1280, height: 720 }
    const clean = yield* Effect.flatMap(Effect.promise(() => captureWith(keys, burst, { faceScore: 0.8, camera })), engine.open)
    expect(clean.capturedAt).toBe(1_750_000_000_000)
    expect(clean.captureId).toMatch(/^[0-9a-f]{32}$/)
    const assess = (capture: typeof clean) => assessCapture(capture, defaultDetectionConfig)
    const cleanVerdict = yield* assess(clean)
    expect(cleanVerdict).toEqual({ probability: 0.95, reasons: [], decisive: false, faceProblem: undefined, faceProbability: 0.8 })
    expect(yield* detectFace(clean)).toBe(0.8)

    const reasonsOf = (signals: Parameters<typeof captureWith>[2]) =>
      Effect.map(Effect.flatMap(open(signals), assess), (a) => a.reasons)
    expect(yield* reasonsOf({ sdkSignature: "untrusted-key" })).toEqual(["SDK_INTEGRITY_VIOLATION"])
    expect(yield* reasonsOf({ attestation: "other-capture" })).toEqual(["UNTRUSTED_DEVICE"])
    expect(yield* reasonsOf({ environment: { hookingFramework: true } })).toEqual(["UNTRUSTED_ENVIRONMENT"])
    expect(yield* reasonsOf({ environment: { virtualCamera: true } })).toEqual(["UNTRUSTED_CONTENT"])
    // One still proves no live stream; the same still three times is a still injected as a stream.
    expect(yield* reasonsOf({})).toEqual(["UNTRUSTED_CONTENT_LOW_CONFIDENCE"])
    const stills = yield* Effect.flatMap(Effect.promise(() => captureWith(keys, [frame, frame, frame])), engine.open)
    expect((yield* assess(stills)).reasons).toEqual(["UNTRUSTED_CONTENT"])

    const other = yield* Effect.promise(() => freshKeys())
    const foreign = yield* Effect.promise(() => captureWith(other, [frame]))
    const undecryptable = yield* Effect.exit(engine.open(foreign))
    expect(undecryptable).toMatchObject(Exit.fail({ _tag: "EngineFailure", kind: "Undecryptable" }))
    const garbage = yield* Effect.exit(engine.open(Buffer.from("not a capture")))
    expect(garbage).toMatchObject(Exit.fail({ _tag: "EngineFailure", kind: "Malformed" }))
  })

describe("nativeEngineLayer with the native forensics, through the domain's checks", () => {
  it.live("first start without keys generates development keys, logs the directory and never the keys", () =>
    Effect.gen(function*() {
      const dir = join(yield* Effect.promise(() => tempDir("first")), "keys")
      const messages: Array<string> = []
      const logger = Logger.make(({ message }) => messages.push(String(message)))
      const layer = nativeWithFaces(configFor(dir)).pipe(Layer.provide(Logger.replace(Logger.defaultLogger, logger)))
      yield* Effect.provide(firstStart(dir, messages), layer)
    }))

  it.live("maps engine results onto the port: capturedAt, verdicts, and typed failures", () =>
    Effect.gen(function*() {
      const keys = yield* Effect.promise(() => freshKeys())
      yield* Effect.provide(mapping(keys), nativeWithFaces(configFor(keys)))
    }))

  it.live("fails to start with a typed error when keys_dir holds a broken service key", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(() => tempDir("broken"))
      const { writeFile } = yield* Effect.promise(() => import("node:fs/promises"))
      yield* Effect.promise(() => writeFile(join(dir, "service.key"), "garbage", { mode: 0o600 }))
      const exit = yield* Effect.exit(Effect.provide(CaptureEngine, nativeWithFaces(configFor(dir))))
      expect(exit).toMatchObject(Exit.fail({ _tag: "NativeEngineStartupError" }))
      if (Exit.isFailure(exit)) expect(JSON.stringify(exit.cause)).toMatch(/service\.key is not a PEM private key/)
    }))
})
