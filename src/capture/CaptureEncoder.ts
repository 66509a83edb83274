/**
 * The reference encoder: a fully specified capture draft -> the bytes an SDK uploads.
 * `sdkSignature` and `attestation` other than "genuine" deliberately build integrity attacks.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto"
import {
  ActivityTag,
  ATTESTATION_CONTEXT,
  AttestationTag,
  CameraTag,
  ContentTag,
  DeviceTag,
  environmentSignals,
  FORMAT_VERSION,
  FrameTag,
  limits,
  PlaintextTag,
  SDK_SIGNATURE_CONTEXT,
  SdkTag,
  StatementTag,
  WEB_PLATFORM
} from "./CaptureFormat.js"
import type { CameraDescription, CaptureSignals, DeviceIdentity, EnvironmentSignals, SdkIdentity } from "./CaptureContents.js"
import { seal, type SealRandomness } from "./Envelope.js"
import { type EncoderKeys, keyIdOf } from "./KeysDir.js"
import { container, record, samples, text, u16, u32, u64, u8 } from "./Tlv.js"

export type SdkSignatureMode = NonNullable<CaptureSignals["sdkSignature"]>
export type AttestationMode = NonNullable<CaptureSignals["attestation"]>

export interface CaptureDraft {
  readonly captureId: Uint8Array
  readonly createdAt: number
  readonly sdk: SdkIdentity
  readonly camera: CameraDescription
  readonly frames: ReadonlyArray<{ readonly offsetMs: number; readonly jpeg: Uint8Array }>
  readonly bestFrame: number
  readonly faceScore: number
  readonly environment: EnvironmentSignals
  readonly device: Omit<DeviceIdentity, "id"> & { readonly id: Uint8Array }
  readonly motion: ReadonlyArray<ReadonlyArray<number>>
  readonly touches: ReadonlyArray<ReadonlyArray<number>>
  /** Opaque bytes issued by the service to a web page. */
  readonly sessionToken?: Uint8Array
  readonly sdkSignature: SdkSignatureMode
  readonly attestation: AttestationMode
}

export class CaptureDraftError extends Error {
  override readonly name = "CaptureDraftError"
}

const isJpeg = (bytes: Uint8Array) => bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff

/** Checks the limits of the format up front, so that the encoder never builds what engines refuse. */
const checkDraft = (draft: CaptureDraft): void => {
  const fail = (why: string) => {
    throw new CaptureDraftError(why)
  }
  if (draft.frames.length < 1 || draft.frames.length > limits.maxFrames) fail(`1..${limits.maxFrames} frames, got ${draft.frames.length}`)
  draft.frames.forEach((frame, i) => {
    if (!isJpeg(frame.jpeg)) fail(`frame ${i} is not a JPEG (no SOI marker)`)
    if (frame.jpeg.length > limits.maxFrameBytes) fail(`frame ${i} is ${frame.jpeg.length} bytes, limit ${limits.maxFrameBytes}`)
  })
  if (draft.bestFrame >= draft.frames.length) fail(`best frame ${draft.bestFrame} out of ${draft.frames.length}`)
  const idLength = draft.captureId.length
  if (idLength < limits.minCaptureIdBytes || idLength > limits.maxCaptureIdBytes) fail(`capture id of ${idLength} bytes`)
  if (!Number.isSafeInteger(draft.createdAt) || draft.createdAt < 0) fail(`createdAt ${draft.createdAt} is not a ms timestamp`)
  if (draft.motion.length > limits.maxMotionSamples) fail(`${draft.motion.length} motion samples, limit ${limits.maxMotionSamples}`)
  if (draft.touches.length > limits.maxTouches) fail(`${draft.touches.length} touches, limit ${limits.maxTouches}`)
  const token = draft.sessionToken
  if (token !== undefined && (token.length < 1 || token.length > limits.maxSessionTokenBytes))
    fail(`session token of ${token.length} bytes, 1..${limits.maxSessionTokenBytes}`)
  if (draft.sdkSignature === "absent" && (token === undefined || draft.sdk.platform !== WEB_PLATFORM))
    fail(`an unsigned capture needs platform "${WEB_PLATFORM}" and a session token`)
}

const contentOf = (draft: CaptureDraft, attestationRecord: Buffer | undefined): Buffer => {
  const env = environmentSignals.map((name, i) => record(i + 1, u8(draft.environment[name] ? 1 : 0)))
  return Buffer.concat([
    record(ContentTag.formatVersion, u16(FORMAT_VERSION)),
    record(ContentTag.captureId, draft.captureId),
    record(ContentTag.createdAt, u64(draft.createdAt)),
    container(ContentTag.sdk, [
      record(SdkTag.name, text(draft.sdk.name)),
      record(SdkTag.version, text(draft.sdk.version)),
      record(SdkTag.platform, text(draft.sdk.platform))
    ]),
    container(ContentTag.camera, [
      record(CameraTag.name, text(draft.camera.name)),
      record(CameraTag.width, u16(draft.camera.width)),
      record(CameraTag.height, u16(draft.camera.height)),
      record(CameraTag.fpsMilli, u32(Math.round(draft.camera.fps * 1000)))
    ]),
    ...draft.frames.map((frame) =>
      container(ContentTag.frame, [record(FrameTag.offsetMs, u32(frame.offsetMs)), record(FrameTag.jpeg, frame.jpeg)])
    ),
    record(ContentTag.bestFrame, u16(draft.bestFrame)),
    record(ContentTag.faceScore, u16(Math.round(draft.faceScore * 10000))),
    container(ContentTag.environment, env),
    container(ContentTag.device, [
      record(DeviceTag.id, draft.device.id),
      record(DeviceTag.manufacturer, text(draft.device.manufacturer)),
      record(DeviceTag.model, text(draft.device.model)),
      record(DeviceTag.os, text(draft.device.os)),
      record(DeviceTag.osVersion, text(draft.device.osVersion))
    ]),
    ...(attestationRecord === undefined ? [] : [attestationRecord]),
    container(ContentTag.activity, [
      record(ActivityTag.motion, samples(draft.motion, 7)),
      record(ActivityTag.touches, samples(draft.touches, 4))
    ]),
    ...(draft.sessionToken === undefined ? [] : [record(ContentTag.sessionToken, draft.sessionToken)])
  ])
}

const withContext = (context: string, message: Uint8Array) =>
  Buffer.concat([Buffer.from(context, "ascii"), Buffer.from([0]), message])

const freshEd25519 = (): KeyObject => generateKeyPairSync("ed25519").privateKey

/** The attestation authority's statement binding this capture id and device. */
const attestationOf = (draft: CaptureDraft, authority: KeyObject): Buffer | undefined => {
  const mode = draft.attestation
  if (mode === "missing") return undefined
  const statement = Buffer.concat([
    record(StatementTag.captureId, mode === "other-capture" ? randomBytes(draft.captureId.length) : draft.captureId),
    record(StatementTag.deviceId, mode === "other-device" ? randomBytes(16) : draft.device.id),
    record(StatementTag.issuedAt, u64(draft.createdAt))
  ])
  const signer = mode === "untrusted-authority" ? freshEd25519() : authority
  const signature = mode === "forged" ? randomBytes(64) : sign(null, withContext(ATTESTATION_CONTEXT, statement), signer)
  return container(ContentTag.attestation, [
    record(AttestationTag.statement, statement),
    record(AttestationTag.authorityKeyId, keyIdOf(signer)),
    record(AttestationTag.signature, signature)
  ])
}

export interface EncodeOptions {
  /** Build a capture that breaks the format's limits, to test that engines refuse it. */
  readonly skipLimitChecks?: boolean
  /** Fixed envelope randomness, for known-answer test vectors only; fresh by default. */
  readonly randomness?: SealRandomness
}

/** The plaintext inside the envelope: the content, then the SDK signature record unless `absent`. */
export const encodePlaintext = (
  draft: CaptureDraft,
  keys: Omit<EncoderKeys, "servicePublic">,
  options: EncodeOptions = {}
): Buffer => {
  if (options.skipLimitChecks !== true) checkDraft(draft)
  const content = contentOf(draft, attestationOf(draft, keys.attestationPrivate))
  if (draft.sdkSignature === "absent") return record(PlaintextTag.content, content)
  const signer = draft.sdkSignature === "untrusted-key" ? freshEd25519() : keys.sdkPrivate
  const digest = createHash("sha256").update(content).digest()
  const signature =
    draft.sdkSignature === "forged" ? randomBytes(64) : sign(null, withContext(SDK_SIGNATURE_CONTEXT, digest), signer)
  return Buffer.concat([
    record(PlaintextTag.content, content),
    record(PlaintextTag.sdkSignature, Buffer.concat([keyIdOf(signer), signature]))
  ])
}

export const encodeCapture = (draft: CaptureDraft, keys: EncoderKeys, options: EncodeOptions = {}): Buffer =>
  seal(encodePlaintext(draft, keys, options), keys.servicePublic, options.randomness)
