/**
 * The reference the converted ONNX models are checked against: the original TF.js graph run by
 * TF.js itself on its pure-JS CPU backend.
 */
import * as tf from "@tensorflow/tfjs-core"
import "@tensorflow/tfjs-backend-cpu"
import { loadGraphModel, type GraphModel } from "@tensorflow/tfjs-converter"
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"

interface ModelJson {
  readonly modelTopology: object
  readonly weightsManifest: ReadonlyArray<{ readonly paths: ReadonlyArray<string>; readonly weights: Array<tf.io.WeightsManifestEntry> }>
}

export const loadReferenceModel = async (modelJsonPath: string): Promise<GraphModel> => {
  await tf.setBackend("cpu")
  const json = JSON.parse(readFileSync(modelJsonPath, "utf8")) as ModelJson
  const shards = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dirname(modelJsonPath), p))))
  const all = Buffer.concat(shards)
  const handler: tf.io.IOHandler = {
    load: () =>
      Promise.resolve({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)
      })
  }
  return loadGraphModel(handler)
}

/** Runs the reference on one NHWC image; returns each named output flattened. */
export const runReference = (model: GraphModel, nhwc: Float32Array, size: number, outputs: ReadonlyArray<string>): Array<Float32Array> => {
  const input = tf.tensor4d(nhwc, [1, size, size, 3])
  const result = model.execute(input, [...outputs])
  const list = Array.isArray(result) ? result : [result]
  const values = list.map((t) => t.dataSync() as Float32Array)
  tf.dispose([input, ...list])
  return values
}
