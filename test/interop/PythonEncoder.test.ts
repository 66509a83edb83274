/**
 * The second, independent encoder (examples/python, written from docs/capture-format.md with
 * Debian's python3-cryptography): it reproduces the test vectors byte for byte, and its captures,
 * built from the same frames and signals as the reference SDK's and posted by its own client, are
 * answered by the service (native engine, real models, real HTTP) exactly like the reference's.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { buildCapture, simulateBurst, simulatedMotion } from "../../src/capture/index.js"
import { keysDir as vectorKeysDir, vectorNames, vectorsDir } from "../../scripts/testVectors/vectorFiles.js"
import * as F from "../fixtures/face/faceFrames.js"
import { makeTempDir, postCapture, RunningServer, testServerLayer } from "../support/TestServer.js"
import { runPython } from "./python.js"

const work = () => Effect.promise(() => mkdtemp(join(tmpdir(), "iad-python-")))

describe("Python encoder: test vectors", () => {
  for (const name of vectorNames) {
    it.effect(`reproduces ${name}/capture.iad byte for byte`, () =>
      Effect.gen(function*() {
        const out = join(yield* work(), "capture.iad")
        const run = yield* Effect.promise(() => runPython("build_capture.py", ["vector", "--keys", vectorKeysDir, join(vectorsDir, name), "--out", out]))
        expect(run).toMatchObject({ code: 0, stderr: "" })
        const [ours, expected] = yield* Effect.promise(() => Promise.all([readFile(out), readFile(join(vectorsDir, name, "capture.iad"))]))
        expect(ours.toString("hex")).toBe(expected.toString("hex"))
      }))
  }

  it.effect("refuses bad input in one line: a frame that is not a JPEG, an unknown signals key", () =>
    Effect.gen(function*() {
      const dir = yield* work()
      yield* Effect.promise(() => writeFile(join(dir, "not.jpg"), "GIF89a........"))
      yield* Effect.promise(() => writeFile(join(dir, "s.json"), JSON.stringify({ faceScore: 0.9, cameraa: {} })))
      const frame = join(vectorsDir, "inputs", "frame-0.jpg")
      const build = (image: string, extra: ReadonlyArray<string> = []) =>
        Effect.promise(() => runPython("build_capture.py", ["build", "--keys", vectorKeysDir, "--image", image, ...extra, "--out", join(dir, "c.iad")]))
      const notJpeg = yield* build(join(dir, "not.jpg"))
      expect(notJpeg.code).toBe(1)
      expect(notJpeg.stderr.trim()).toMatch(/^build_capture\.py build: not a JPEG/)
      const badKey = yield* build(frame, ["--signals", join(dir, "s.json")])
      expect(badKey.code).toBe(1)
      expect(badKey.stderr.trim()).toBe("build_capture.py build: unknown signals key(s): cameraa")
    }))
})

const dir = makeTempDir()
const keysDir = join(dir, "keys")
const server = testServerLayer({ dir, config: { engine: "native", keys_dir: keysDir, engine_pool_size: 1 } })

interface Case {
  readonly what: string
  readonly frames: () => Promise<ReadonlyArray<Buffer>>
  readonly signals: Record<string, unknown>
  readonly expected: Record<string, unknown>
}

const still = () => F.framedFace(F.frontalFace, 300, F.FRAME_WIDTH / 2, F.FRAME_HEIGHT / 2)
let burst: Promise<ReadonlyArray<Buffer>> | undefined
/** One simulated burst shared by the cases, so that both encoders get the very same frames. */
const sharedBurst = () => (burst ??= still().then((frame) => simulateBurst([frame], 3)))
/** Motion and touch as a phone's sensors record them, identical for both encoders. */
const activity = { motion: simulatedMotion(1000), touches: [[100, 0.5, 0.85, 0.5]] }

const cases: ReadonlyArray<Case> = [
  { what: "a genuine burst", frames: sharedBurst, signals: activity, expected: { status: 200, body: { diagnostic: "Live", reason: "None" } } },
  {
    what: "a genuine burst with each encoder's own simulated motion and touch",
    frames: sharedBurst,
    signals: {},
    expected: { status: 200, body: { diagnostic: "Live", reason: "None" } }
  },
  {
    what: "a forged SDK signature",
    frames: sharedBurst,
    signals: { ...activity, sdkSignature: "forged" },
    expected: { status: 200, body: { diagnostic: "NoLive", reason: "SdkIntegrityViolation" } }
  },
  {
    what: "a virtual camera",
    frames: sharedBurst,
    signals: { ...activity, environment: { virtualCamera: true } },
    expected: { status: 200, body: { diagnostic: "NoLive", reason: "UntrustedContent" } }
  },
  {
    what: "an emulator",
    frames: sharedBurst,
    signals: { ...activity, environment: { emulator: true } },
    expected: { status: 200, body: { diagnostic: "NoLive", reason: "UntrustedEnvironment" } }
  },
  {
    what: "a still (one frame, no sensor noise)",
    frames: () => still().then((frame) => [frame]),
    signals: activity,
    // A lone still has no temporal noise to measure; the engine rejects it with lower confidence.
    expected: { status: 200, body: { diagnostic: "NoLive", reason: "UntrustedContentLowConfidence" } }
  },
  {
    what: "too many faces",
    frames: () => F.groupFrame(1).then((frame) => simulateBurst([frame], 3)),
    signals: activity,
    expected: { status: 400, body: { message: "NoneBecauseTooManyFaces" } }
  }
]

/** What an integrator compares: the verdict or the face message, not the request-specific fields. */
const verdictOf = (answer: { readonly status: number; readonly body: Record<string, unknown> }) => ({
  status: answer.status,
  body: Object.fromEntries(Object.entries(answer.body).filter(([key]) => ["diagnostic", "reason", "message"].includes(key)))
})

layer(server, { timeout: 180_000 })("Python encoder: answered like the reference SDK over HTTP", (it) => {
  for (const c of cases) {
    it.effect(`${c.what}: ${JSON.stringify(c.expected.body)}`, () =>
      Effect.gen(function*() {
        const { url } = yield* RunningServer
        const endpoint = `${url}/liveness/evaluate`
        const frames = yield* Effect.promise(c.frames)
        const scratch = yield* work()
        const images = frames.map((_, i) => join(scratch, `frame-${i}.jpg`))
        const signalsFile = join(scratch, "signals.json")
        yield* Effect.promise(() =>
          Promise.all([...frames.map((f, i) => writeFile(images[i]!, f)), writeFile(signalsFile, JSON.stringify(c.signals))])
        )

        const reference = yield* Effect.promise(() => buildCapture({ keysDir, frames, signals: c.signals }))
        const referenceAnswer = verdictOf(yield* postCapture(endpoint, reference))

        const pythonCapture = join(scratch, "python.iad")
        const built = yield* Effect.promise(() =>
          runPython("build_capture.py", [
            "build",
            "--keys",
            keysDir,
            ...images.flatMap((image) => ["--image", image]),
            "--signals",
            signalsFile,
            "--out",
            pythonCapture
          ])
        )
        expect(built).toMatchObject({ code: 0, stderr: "" })
        const posted = yield* Effect.promise(() => runPython("post_capture.py", [endpoint, pythonCapture]))
        expect(posted.stderr).toBe("")
        const pythonAnswer = verdictOf(JSON.parse(posted.stdout) as { status: number; body: Record<string, unknown> })

        expect(referenceAnswer).toEqual(c.expected)
        expect(pythonAnswer).toEqual(referenceAnswer)
      }), 120_000)
  }
})
