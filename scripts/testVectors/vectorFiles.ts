/**
 * Reading the known-answer test vectors of docs/test-vectors: the fixed keys, each vector's input
 * (a fully specified capture draft plus the envelope's randomness) and its expected results.
 * Shared by the generator and the tests, so that both read the files the same way.
 */
import { createPrivateKey, createPublicKey } from "node:crypto"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { Schema } from "effect"
import { CameraDescription, EnvironmentSignals, SdkIdentity } from "../../src/capture/CaptureContents.js"
import type { CaptureDraft } from "../../src/capture/CaptureEncoder.js"
import type { EncoderKeys, SealRandomness } from "../../src/capture/index.js"

export const vectorsDir = join(import.meta.dirname, "..", "..", "docs", "test-vectors")
export const keysDir = join(vectorsDir, "keys")
export const vectorNames = ["attested", "unattested"] as const
export type VectorName = (typeof vectorNames)[number]

const Hex = Schema.String.pipe(Schema.pattern(/^([0-9a-f]{2})*$/))

/** `input.json` of a vector: every value of the capture, nothing left to chance. */
export const VectorInput = Schema.Struct({
  description: Schema.String,
  captureId: Hex,
  createdAt: Schema.Int,
  sdk: SdkIdentity,
  camera: CameraDescription,
  frames: Schema.Array(Schema.Struct({ file: Schema.String, offsetMs: Schema.Int })),
  bestFrame: Schema.Int,
  faceScore: Schema.Number,
  environment: EnvironmentSignals,
  device: Schema.Struct({ id: Hex, manufacturer: Schema.String, model: Schema.String, os: Schema.String, osVersion: Schema.String }),
  attestation: Schema.Literal("genuine", "missing"),
  motion: Schema.Array(Schema.Array(Schema.Number)),
  touches: Schema.Array(Schema.Array(Schema.Number)),
  randomness: Schema.Struct({ ephemeralPrivateKey: Hex, nonce: Hex })
})
export type VectorInput = typeof VectorInput.Type

export const readVectorInput = async (name: VectorName): Promise<VectorInput> =>
  Schema.decodeUnknownSync(VectorInput, { onExcessProperty: "error" })(
    JSON.parse(await readFile(join(vectorsDir, name, "input.json"), "utf8"))
  )

const hex = (value: string) => Buffer.from(value, "hex")

/** The draft the reference encoder takes, with the frames read from their files. */
export const draftOfVector = async (input: VectorInput): Promise<CaptureDraft> => ({
  captureId: hex(input.captureId),
  createdAt: input.createdAt,
  sdk: input.sdk,
  camera: input.camera,
  frames: await Promise.all(
    input.frames.map(async (frame) => ({ offsetMs: frame.offsetMs, jpeg: await readFile(join(vectorsDir, frame.file)) }))
  ),
  bestFrame: input.bestFrame,
  faceScore: input.faceScore,
  environment: input.environment,
  device: { ...input.device, id: hex(input.device.id) },
  motion: input.motion,
  touches: input.touches,
  sdkSignature: "genuine",
  attestation: input.attestation
})

export const randomnessOf = (input: VectorInput): SealRandomness => ({
  ephemeralPrivateKey: hex(input.randomness.ephemeralPrivateKey),
  nonce: hex(input.randomness.nonce)
})

const pem = (file: string) => readFile(join(keysDir, file))

/** The vectors' fixed keys as the reference encoder loads them (the PEM files of `keys/`). */
export const vectorEncoderKeys = async (): Promise<EncoderKeys> => ({
  servicePublic: createPublicKey(await pem("service.pub")),
  sdkPrivate: createPrivateKey(await pem("sdk.key")),
  attestationPrivate: createPrivateKey(await pem("attestation.key"))
})

