/**
 * The three ONNX sessions (BlazeFace detector, FaceMesh landmarks, Iris eye contours), loaded once
 * per Layer and released with its scope. The .onnx files are produced at install time by
 * `scripts/models/build.ts` from the TF.js graphs shipped in `@vladmandic/human`.
 */
import { Effect } from "effect"
import { existsSync } from "node:fs"
import { join } from "node:path"
import ort from "onnxruntime-node"
import { FaceAnalysisError } from "../../domain/FaceAnalyzer.js"

export interface FaceModels {
  readonly detector: ort.InferenceSession
  readonly mesh: ort.InferenceSession
  readonly iris: ort.InferenceSession
}

const options: ort.InferenceSession.SessionOptions = {
  // One core per analysis: the service runs several requests at once on a small machine.
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all"
}

const openSession = (path: string) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => {
        if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build:models\``)
        return ort.InferenceSession.create(path, options)
      },
      catch: (cause) => new FaceAnalysisError({ kind: "ModelFailure", detail: `loading ${path}: ${String(cause)}` })
    }),
    (session) => Effect.promise(() => session.release())
  )

export const loadFaceModels = (modelsDir: string) =>
  Effect.all({
    detector: openSession(join(modelsDir, "blazeface.onnx")),
    mesh: openSession(join(modelsDir, "facemesh.onnx")),
    iris: openSession(join(modelsDir, "iris.onnx"))
  })

/** Runs a session on a batch of NCHW images (square unless `height` is given) and returns every output by name. */
export const runModel = (session: ort.InferenceSession, data: Float32Array, size: number, batch = 1, height = size) =>
  Effect.tryPromise({
    try: async () => {
      const input = new ort.Tensor("float32", data, [batch, 3, height, size])
      const result = await session.run({ [session.inputNames[0]!]: input })
      return result
    },
    catch: (cause) => new FaceAnalysisError({ kind: "ModelFailure", detail: String(cause) })
  })
