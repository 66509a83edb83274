/**
 * What the face analyzer reads of each model: one float32 NCHW image input with 3 channels, and
 * outputs told apart by rank and last dimension (BlazeFace: scores [.,.,1] and boxes [.,.,16] per
 * grid; FaceMesh: 1404 = 468 landmarks x 3, 266 and a [.,1] face flag; Iris: 228 contour values).
 * Checked at load so that a wrong but valid model fails start-up instead of answering nonsense.
 */
import * as Either from "effect/Either"
import type ort from "onnxruntime-node"
import type { FaceModelFile } from "./ModelManifest.js"

/** A tensor as `float32[*,3,*,*]`: `*` stands for any dimension not checked. */
export interface ModelSignature {
  readonly inputs: ReadonlyArray<string>
  readonly outputs: ReadonlyArray<string>
}

export const modelSignatures: Record<FaceModelFile, ModelSignature> = {
  "blazeface.onnx": { inputs: ["float32[*,3,*,*]"], outputs: ["float32[*,*,1]", "float32[*,*,1]", "float32[*,*,16]", "float32[*,*,16]"] },
  "facemesh.onnx": { inputs: ["float32[*,3,*,*]"], outputs: ["float32[*,1]", "float32[*,266]", "float32[*,1404]"] },
  "iris.onnx": { inputs: ["float32[*,3,*,*]"], outputs: ["float32[*,*,*,228]"] }
}

/** The tensor written with only the dimension at `kept` (channels of an input, last of an output). */
const describe = (metadata: ort.InferenceSession.ValueMetadata, kept: (rank: number) => number): string => {
  if (!metadata.isTensor) return "non-tensor"
  const shape = metadata.shape
  return `${metadata.type}[${shape.map((dim, i) => (i === kept(shape.length) ? String(dim) : "*")).join(",")}]`
}

const sameList = (actual: ReadonlyArray<string>, expected: ReadonlyArray<string>) =>
  actual.length === expected.length && [...actual].sort().every((value, i) => value === [...expected].sort()[i])

/** Right when the session's inputs and outputs are those of `signature`, else Left with what differs. */
export const signatureMismatch = (session: ort.InferenceSession, signature: ModelSignature): Either.Either<void, string> => {
  const inputs = session.inputMetadata.map((m) => describe(m, () => 1))
  const outputs = session.outputMetadata.map((m) => describe(m, (rank) => rank - 1))
  if (!sameList(inputs, signature.inputs)) return Either.left(`inputs ${inputs.join(" ")}, expected ${signature.inputs.join(" ")}`)
  if (!sameList(outputs, signature.outputs)) return Either.left(`outputs ${outputs.join(" ")}, expected ${signature.outputs.join(" ")}`)
  return Either.void
}
