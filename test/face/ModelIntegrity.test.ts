/**
 * Model integrity at start-up: the models as built load; a model replaced (another model copied
 * over it), corrupted, truncated, missing or unreadable, a missing or broken manifest, and a wrong
 * model with a manifest forged to match it all fail with ModelFailure naming the file. Every case
 * works on a copy of the real `models/` folder.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type { FaceAnalysisError } from "../../src/domain/FaceAnalyzer.js"
import { defaultFaceThresholds } from "../../src/domain/FaceThresholds.js"
import { loadFaceModels } from "../../src/infra/face/FaceModels.js"
import { digestOf, manifestFileName, ModelManifest } from "../../src/infra/face/ModelManifest.js"
import { workerFaceAnalyzerLayer } from "../../src/infra/face/WorkerFaceAnalyzer.js"
import { makeTempDir } from "../support/TestServer.js"

const builtModels = path.join(process.cwd(), "models")

/** A fresh copy of the built models and their manifest. */
const copyModels = (): string => {
  const dir = makeTempDir()
  for (const file of fs.readdirSync(builtModels)) fs.copyFileSync(path.join(builtModels, file), path.join(dir, file))
  return dir
}

/** Rewrites the manifest entry of `file` to the digest of whatever the file now holds. */
const forgeManifest = (dir: string, file: string) => {
  const manifestPath = path.join(dir, manifestFileName)
  const manifest = ModelManifest.make(JSON.parse(fs.readFileSync(manifestPath, "utf8")))
  const forged = { ...manifest, models: { ...manifest.models, [file]: digestOf(fs.readFileSync(path.join(dir, file))) } }
  fs.writeFileSync(manifestPath, JSON.stringify(forged))
}

/** The failure of loading the models in `dir` (the test fails if they load). */
const loadFailure = (dir: string) =>
  Effect.flip(Effect.scoped(loadFaceModels(dir))).pipe(
    Effect.tap((error) => Effect.sync(() => expect(error.kind).toBe("ModelFailure")))
  )

const expectNamed = (error: FaceAnalysisError, dir: string, file: string, problem: RegExp) => {
  expect(error.detail).toContain(path.join(dir, file))
  expect(error.detail).toMatch(problem)
  expect(error.detail).toContain("npm run build:models")
}

describe("model integrity at load", () => {
  it.effect("the models as built load, with the manifest listing each", () =>
    Effect.gen(function* () {
      const dir = copyModels()
      const models = yield* Effect.scoped(
        Effect.map(loadFaceModels(dir), (m) => [m.detector.anySize.outputNames.length, m.mesh.outputNames.length, m.iris.outputNames.length])
      )
      expect(models).toEqual([4, 3, 1])
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, manifestFileName), "utf8")) as ModelManifest
      expect(Object.keys(manifest.models).sort()).toEqual(["blazeface.onnx", "facemesh.onnx", "iris.onnx"])
      expect(manifest.models["iris.onnx"]).toEqual(digestOf(fs.readFileSync(path.join(dir, "iris.onnx"))))
    })
  )

  it.effect("iris.onnx copied over blazeface.onnx fails naming blazeface.onnx", () =>
    Effect.gen(function* () {
      const dir = copyModels()
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, manifestFileName), "utf8")) as ModelManifest
      fs.copyFileSync(path.join(dir, "iris.onnx"), path.join(dir, "blazeface.onnx"))
      const irisSize = fs.statSync(path.join(dir, "iris.onnx")).size
      const problem = new RegExp(`is ${irisSize} bytes where manifest\\.json says ${manifest.models["blazeface.onnx"]!.size}`)
      expectNamed(yield* loadFailure(dir), dir, "blazeface.onnx", problem)
    })
  )

  it.effect("one flipped byte (same size) fails on the SHA-256 digest", () =>
    Effect.gen(function* () {
      const dir = copyModels()
      const file = path.join(dir, "facemesh.onnx")
      const bytes = fs.readFileSync(file)
      bytes[bytes.length >> 1] ^= 0x01
      fs.writeFileSync(file, bytes)
      expectNamed(yield* loadFailure(dir), dir, "facemesh.onnx", /does not match its SHA-256 digest/)
    })
  )

  it.effect("a truncated model fails naming it", () =>
    Effect.gen(function* () {
      const dir = copyModels()
      const file = path.join(dir, "iris.onnx")
      fs.truncateSync(file, 1000)
      expectNamed(yield* loadFailure(dir), dir, "iris.onnx", /is 1000 bytes where manifest\.json says \d+ \(truncated or replaced\)/)
    })
  )

  it.effect("a missing model fails naming it", () =>
    Effect.gen(function* () {
      const dir = copyModels()
      fs.rmSync(path.join(dir, "facemesh.onnx"))
      expectNamed(yield* loadFailure(dir), dir, "facemesh.onnx", /is missing/)
    })
  )

  it.effect("an unreadable model (a folder in its place) fails naming it", () =>
    Effect.gen(function* () {
      const dir = copyModels()
      fs.rmSync(path.join(dir, "iris.onnx"))
      fs.mkdirSync(path.join(dir, "iris.onnx"))
      expectNamed(yield* loadFailure(dir), dir, "iris.onnx", /cannot be read \(EISDIR\)/)
    })
  )

  it.effect("a missing manifest fails naming it", () =>
    Effect.gen(function* () {
      const dir = copyModels()
      fs.rmSync(path.join(dir, manifestFileName))
      expectNamed(yield* loadFailure(dir), dir, manifestFileName, /is missing/)
    })
  )

  it.effect("a manifest that is not one (bad JSON, bad digest, model not listed) fails naming the file", () =>
    Effect.gen(function* () {
      const dir = copyModels()
      const manifestPath = path.join(dir, manifestFileName)
      const original = fs.readFileSync(manifestPath, "utf8")
      fs.writeFileSync(manifestPath, original.slice(0, 40))
      expectNamed(yield* loadFailure(dir), dir, manifestFileName, /is not a valid model manifest/)
      fs.writeFileSync(manifestPath, original.replace(/"sha256": "[0-9a-f]{64}"/, `"sha256": "not-a-digest"`))
      expectNamed(yield* loadFailure(dir), dir, manifestFileName, /is not a valid model manifest/)
      const manifest = JSON.parse(original) as ModelManifest
      const { ["iris.onnx"]: _iris, ...others } = manifest.models
      fs.writeFileSync(manifestPath, JSON.stringify({ ...manifest, models: others }))
      expectNamed(yield* loadFailure(dir), dir, "iris.onnx", /is not listed in manifest\.json/)
    })
  )

  it.effect("a wrong model with a manifest forged to match still fails: its outputs are not the detector's", () =>
    Effect.gen(function* () {
      const dir = copyModels()
      fs.copyFileSync(path.join(dir, "iris.onnx"), path.join(dir, "blazeface.onnx"))
      forgeManifest(dir, "blazeface.onnx")
      expectNamed(
        yield* loadFailure(dir),
        dir,
        "blazeface.onnx",
        /is not the model the face analyzer reads: outputs float32\[\*,\*,\*,228\], expected float32\[\*,\*,1\]/
      )
    })
  )

  it.effect("a file that is not ONNX with a forged manifest fails naming it", () =>
    Effect.gen(function* () {
      const dir = copyModels()
      fs.writeFileSync(path.join(dir, "facemesh.onnx"), "not a model")
      forgeManifest(dir, "facemesh.onnx")
      expectNamed(yield* loadFailure(dir), dir, "facemesh.onnx", /cannot be loaded by onnxruntime/)
    })
  )
})

describe("model integrity at the start of the worker face analyzer", () => {
  const startFailure = (dir: string) =>
    Effect.gen(function* () {
      const started = yield* Effect.exit(Layer.build(workerFaceAnalyzerLayer({ modelsDir: dir, workers: 1, thresholds: defaultFaceThresholds })))
      expect(Exit.isFailure(started)).toBe(true)
      return Exit.isFailure(started) ? Option.getOrUndefined(Cause.failureOption(started.cause)) : undefined
    }).pipe(Effect.scoped)

  it.effect("iris.onnx over blazeface.onnx: the Layer does not start and names blazeface.onnx", () =>
    Effect.gen(function* () {
      const dir = copyModels()
      fs.copyFileSync(path.join(dir, "iris.onnx"), path.join(dir, "blazeface.onnx"))
      const error = yield* startFailure(dir)
      expect(error?.kind).toBe("ModelFailure")
      expect(error?.detail).toMatch(/did not start/)
      expectNamed(error!, dir, "blazeface.onnx", /truncated or replaced/)
    })
  )

  it.effect("a missing manifest: the Layer does not start and names manifest.json", () =>
    Effect.gen(function* () {
      const dir = copyModels()
      fs.rmSync(path.join(dir, manifestFileName))
      const error = yield* startFailure(dir)
      expectNamed(error!, dir, manifestFileName, /is missing/)
    })
  )
})
