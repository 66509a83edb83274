/**
 * Schemas of what a capture carries: the metadata, signals and integrity facts as the engine reads
 * them, and the signals file a tester passes to `iad-capture build --signals`.
 */
import * as Schema from "effect/Schema"
import { environmentSignals, limits } from "./CaptureFormat.js"

const HexBytes = (min: number, max: number) =>
  Schema.String.pipe(Schema.pattern(/^([0-9a-f]{2})*$/), Schema.length({ min: min * 2, max: max * 2 }))

const Probability = Schema.Number.pipe(Schema.between(0, 1))

export const SdkIdentity = Schema.Struct({
  name: Schema.String.pipe(Schema.minLength(1)),
  version: Schema.String.pipe(Schema.minLength(1)),
  platform: Schema.String.pipe(Schema.minLength(1))
})
export type SdkIdentity = typeof SdkIdentity.Type

export const CameraDescription = Schema.Struct({
  name: Schema.String,
  width: Schema.Int.pipe(Schema.between(1, limits.maxImageSide)),
  height: Schema.Int.pipe(Schema.between(1, limits.maxImageSide)),
  fps: Schema.Number.pipe(Schema.greaterThan(0), Schema.lessThanOrEqualTo(limits.maxFps))
})
export type CameraDescription = typeof CameraDescription.Type

/** Every environment signal the format knows; absent on the wire means false. */
export const EnvironmentSignals = Schema.Struct(
  Object.fromEntries(environmentSignals.map((name) => [name, Schema.Boolean])) as {
    [K in (typeof environmentSignals)[number]]: typeof Schema.Boolean
  }
)
export type EnvironmentSignals = typeof EnvironmentSignals.Type

export const DeviceIdentity = Schema.Struct({
  /** Hex of the device id bytes. */
  id: HexBytes(1, limits.maxDeviceIdBytes),
  manufacturer: Schema.String,
  model: Schema.String,
  os: Schema.String,
  osVersion: Schema.String
})
export type DeviceIdentity = typeof DeviceIdentity.Type

export const AttestationStatement = Schema.Struct({
  captureId: HexBytes(limits.minCaptureIdBytes, limits.maxCaptureIdBytes),
  deviceId: HexBytes(1, limits.maxDeviceIdBytes),
  issuedAt: Schema.Number,
  authorityKeyId: HexBytes(8, 8)
})

export const CaptureFrame = Schema.Struct({
  offsetMs: Schema.Int.pipe(Schema.nonNegative()),
  /** The exact JPEG bytes the SDK packed (a view over the decrypted capture). */
  jpeg: Schema.Uint8ArrayFromSelf
})

export const ActivitySignals = Schema.Struct({
  /** 7 values per sample: t (ms since creation), ax, ay, az (m/s^2), gx, gy, gz (rad/s). */
  motion: Schema.instanceOf(Float32Array),
  /** 4 values per touch: t (ms since creation), x, y (0..1 of the screen), pressure. */
  touches: Schema.instanceOf(Float32Array)
})

/** The contents of an opened capture. */
export const CaptureContents = Schema.Struct({
  formatVersion: Schema.Literal(1),
  captureId: HexBytes(limits.minCaptureIdBytes, limits.maxCaptureIdBytes),
  createdAt: Schema.Number,
  sdk: SdkIdentity,
  camera: CameraDescription,
  frames: Schema.Array(CaptureFrame).pipe(Schema.minItems(1), Schema.maxItems(limits.maxFrames)),
  bestFrame: Schema.Int.pipe(Schema.nonNegative()),
  /** The SDK's on-device face detector score for the best frame. */
  faceScore: Probability,
  environment: EnvironmentSignals,
  device: DeviceIdentity,
  attestation: Schema.optional(AttestationStatement),
  activity: ActivitySignals,
  /** Hex of the opaque session token a web capture carries (issued by the service). */
  sessionToken: Schema.optional(HexBytes(1, limits.maxSessionTokenBytes))
})
export type CaptureContents = typeof CaptureContents.Type

/**
 * `unsigned-web`: no SDK signature at all, which the format allows only for a platform "web"
 * capture carrying a session token. It proves nothing by itself: the session token must.
 */
export const SdkSignatureFact = Schema.Literal("valid", "invalid", "unknown-key", "unsigned-web")
export type SdkSignatureFact = typeof SdkSignatureFact.Type

export const AttestationFact = Schema.Literal(
  "valid",
  "invalid",
  "missing",
  "other-capture",
  "other-device",
  "untrusted-authority"
)
export type AttestationFact = typeof AttestationFact.Type

/** What the engine established about who made the capture (decryption itself succeeded). */
export const IntegrityFacts = Schema.Struct({
  sdkSignature: SdkSignatureFact,
  /** Empty when the capture is unsigned-web. */
  sdkKeyId: Schema.Union(HexBytes(8, 8), Schema.Literal("")),
  attestation: AttestationFact
})
export type IntegrityFacts = typeof IntegrityFacts.Type

/**
 * `iad-capture build --signals FILE.json`: overrides of any documented signal. Every key is
 * optional; what is left out gets a genuine-looking value. `sdkSignature` and `attestation` build
 * the integrity attacks testers need (forged, untrusted key, statement of another capture...).
 */
export const CaptureSignals = Schema.Struct({
  captureId: Schema.optional(HexBytes(limits.minCaptureIdBytes, limits.maxCaptureIdBytes)),
  sdk: Schema.optional(Schema.partialWith(SdkIdentity, { exact: true })),
  camera: Schema.optional(Schema.partialWith(CameraDescription, { exact: true })),
  device: Schema.optional(Schema.partialWith(DeviceIdentity, { exact: true })),
  environment: Schema.optional(Schema.partialWith(EnvironmentSignals, { exact: true })),
  faceScore: Schema.optional(Probability),
  bestFrame: Schema.optional(Schema.Int.pipe(Schema.nonNegative())),
  frameIntervalMs: Schema.optional(Schema.Int.pipe(Schema.between(1, 10_000))),
  motion: Schema.optional(Schema.Array(Schema.Tuple(Schema.Number, Schema.Number, Schema.Number, Schema.Number, Schema.Number, Schema.Number, Schema.Number))),
  touches: Schema.optional(Schema.Array(Schema.Tuple(Schema.Number, Schema.Number, Schema.Number, Schema.Number))),
  /** Hex of a session token to carry (web captures). */
  sessionToken: Schema.optional(HexBytes(1, limits.maxSessionTokenBytes)),
  /** `absent` leaves the SDK signature out, as a browser does; the default for platform "web". */
  sdkSignature: Schema.optional(Schema.Literal("genuine", "forged", "untrusted-key", "absent")),
  attestation: Schema.optional(
    Schema.Literal("genuine", "missing", "forged", "other-capture", "other-device", "untrusted-authority")
  )
})
export type CaptureSignals = typeof CaptureSignals.Type
