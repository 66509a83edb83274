/**
 * `models/manifest.json`: the SHA-256 digest and size of every model file as `npm ci` built it
 * (scripts/models/build.ts writes it; FaceModels.ts checks it at start-up), so a model replaced,
 * truncated or corrupted after the build stops the service instead of silently answering wrong.
 */
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"

export const manifestFileName = "manifest.json"

/** The model files the face analyzer loads, in the order start-up checks them. */
export const faceModelFiles = ["blazeface.onnx", "facemesh.onnx", "iris.onnx"] as const
export type FaceModelFile = (typeof faceModelFiles)[number]

export const ModelDigest = Schema.Struct({
  sha256: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/)),
  size: Schema.Int.pipe(Schema.nonNegative())
})
export type ModelDigest = typeof ModelDigest.Type

export const ModelManifest = Schema.Struct({
  /** What built the files (script and source package version), for a reader of the file. */
  generator: Schema.String,
  models: Schema.Record({ key: Schema.String, value: ModelDigest })
})
export type ModelManifest = typeof ModelManifest.Type

export const digestOf = (bytes: Uint8Array): ModelDigest => ({
  sha256: createHash("sha256").update(bytes).digest("hex"),
  size: bytes.length
})
