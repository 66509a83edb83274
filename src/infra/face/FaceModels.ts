/**
 * The ONNX sessions (BlazeFace detector, FaceMesh landmarks, Iris eye contours; the detector as
 * several, DetectorSessions.ts), loaded once per Layer and released with its scope. The .onnx
 * files are produced at install time by
 * `scripts/models/build.ts` from the TF.js graphs shipped in `@vladmandic/human`, with a manifest
 * of their digests: start-up refuses a model that is missing, unreadable, not the one built, or
 * not shaped as the analyzer reads it, and names the file.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import ort from "onnxruntime-node"
import { FaceAnalysisError } from "../../domain/FaceAnalyzer.js"
import { type DetectorSessions, FIXED_DETECTOR_SIZES, sizeKey } from "./DetectorSessions.js"
import { withFixedInputSize } from "./FixedInputSize.js"
import { digestOf, type FaceModelFile, manifestFileName, ModelManifest } from "./ModelManifest.js"
import { type ModelSignature, modelSignatures, signatureMismatch } from "./ModelSignatures.js"

export interface FaceModels {
  readonly detector: DetectorSessions
  readonly mesh: ort.InferenceSession
  readonly iris: ort.InferenceSession
}

export const sessionOptions: ort.InferenceSession.SessionOptions = {
  // One core per analysis: the service runs several requests at once on a small machine.
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all"
}

const rebuildHint = "run `npm run build:models` to rebuild the models and their manifest"

const modelFailure = (path: string, problem: string) =>
  new FaceAnalysisError({ kind: "ModelFailure", detail: `${path} ${problem}: ${rebuildHint}` })

const readBytes = (path: string) =>
  Effect.tryPromise({
    try: () => readFile(path),
    catch: (cause) => {
      const code = (cause as NodeJS.ErrnoException).code
      return modelFailure(path, code === "ENOENT" ? "is missing" : `cannot be read (${code ?? String(cause)})`)
    }
  })

const readManifest = (modelsDir: string) => {
  const path = join(modelsDir, manifestFileName)
  return readBytes(path).pipe(
    Effect.flatMap((bytes) =>
      Schema.decodeUnknown(Schema.parseJson(ModelManifest))(bytes.toString("utf8")).pipe(
        Effect.mapError(() => modelFailure(path, "is not a valid model manifest"))
      )
    )
  )
}

/** The file's bytes when they are the ones the manifest lists (the session is made from these very bytes). */
const checkedBytes = (path: string, file: FaceModelFile, bytes: Uint8Array, manifest: ModelManifest) => {
  const expected = manifest.models[file]
  if (expected === undefined) return Effect.fail(modelFailure(path, `is not listed in ${manifestFileName}`))
  const actual = digestOf(bytes)
  if (actual.size !== expected.size) {
    return Effect.fail(modelFailure(path, `is ${actual.size} bytes where ${manifestFileName} says ${expected.size} (truncated or replaced)`))
  }
  if (actual.sha256 !== expected.sha256) {
    return Effect.fail(modelFailure(path, `does not match its SHA-256 digest in ${manifestFileName} (replaced or corrupted)`))
  }
  return Effect.succeed(bytes)
}

const openSession = (path: string, bytes: Uint8Array, signature: ModelSignature) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => ort.InferenceSession.create(bytes, sessionOptions),
      catch: (cause) => modelFailure(path, `cannot be loaded by onnxruntime (${String(cause)})`)
    }),
    (session) => Effect.promise(() => session.release())
  ).pipe(
    Effect.tap((session) =>
      Either.match(signatureMismatch(session, signature), {
        onLeft: (problem) => Effect.fail(modelFailure(path, `is not the model the face analyzer reads: ${problem}`)),
        onRight: () => Effect.void
      })
    )
  )

/**
 * Every file is read (missing or unreadable ones fail first, by name), then checked against the
 * manifest, then opened and its inputs and outputs compared with what the analyzer reads (a wrong
 * file with a forged manifest still fails). Hashing the three files (6.3 MB) costs ~5 ms of a ~100 ms load.
 */
export const loadFaceModels = (modelsDir: string) =>
  Effect.gen(function* () {
    const pathOf = (file: FaceModelFile) => join(modelsDir, file)
    const read = (file: FaceModelFile) => readBytes(pathOf(file))
    const bytes = yield* Effect.all({ "blazeface.onnx": read("blazeface.onnx"), "facemesh.onnx": read("facemesh.onnx"), "iris.onnx": read("iris.onnx") })
    const manifest = yield* readManifest(modelsDir)
    const checked = (file: FaceModelFile) => checkedBytes(pathOf(file), file, bytes[file], manifest)
    const open = (file: FaceModelFile) => Effect.flatMap(checked(file), (verified) => openSession(pathOf(file), verified, modelSignatures[file]))
    const detector = Effect.gen(function* () {
      const path = pathOf("blazeface.onnx")
      const verified = yield* checked("blazeface.onnx")
      const anySize = yield* openSession(path, verified, modelSignatures["blazeface.onnx"])
      const fixed = yield* Effect.forEach(FIXED_DETECTOR_SIZES, ({ width, height }) =>
        Effect.try({
          try: () => withFixedInputSize(verified, height, width),
          catch: (cause) => modelFailure(path, `cannot be fixed at ${sizeKey(width, height)} (${String(cause)})`)
        }).pipe(
          Effect.flatMap((sized) => openSession(`${path} at ${sizeKey(width, height)}`, sized, modelSignatures["blazeface.onnx"])),
          Effect.map((session) => [sizeKey(width, height), session] as const)
        )
      )
      return { anySize, bySize: new Map(fixed) } satisfies DetectorSessions
    })
    return yield* Effect.all({ detector, mesh: open("facemesh.onnx"), iris: open("iris.onnx") })
  })

/**
 * Runs a session on a batch of NCHW images (square unless `height` is given) and returns every
 * output by name; a failure rejects with a ModelFailure. A plain async function, as is the whole
 * analysis it serves (`OrtFaceAnalyzer.ts` says why).
 */
export const runModel = async (session: ort.InferenceSession, data: Float32Array, size: number, batch = 1, height = size) => {
  const input = new ort.Tensor("float32", data, [batch, 3, height, size])
  try {
    return await session.run({ [session.inputNames[0]!]: input })
  } catch (cause) {
    throw new FaceAnalysisError({ kind: "ModelFailure", detail: String(cause) })
  }
}
