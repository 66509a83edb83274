/**
 * Constants of capture format v1, mirrored from native/src/limits.h and native/src/content.cc.
 * docs/capture-format.md is the specification; test/native checks both sides agree.
 */
// Plain Uint8Array (not Buffer): the browser SDK (sdk/web) imports these constants too.
export const MAGIC = new TextEncoder().encode("IADC")
export const ENVELOPE_VERSION = 1
export const SUITE_X25519_HKDF_SHA256_AES256GCM = 1
export const FORMAT_VERSION = 1

export const KEY_ID_BYTES = 8
export const NONCE_BYTES = 12
export const TAG_BYTES = 16
export const HEADER_BYTES = 4 + 1 + 1 + KEY_ID_BYTES + 32 + NONCE_BYTES + 4

export const HKDF_INFO = "IADC-v1 X25519-HKDF-SHA256-AES256GCM"
export const SDK_SIGNATURE_CONTEXT = "IADC-v1-sdk-signature"
export const ATTESTATION_CONTEXT = "IADC-v1-attestation"

export const limits = {
  maxCaptureBytes: 16 * 1024 * 1024,
  maxFrames: 16,
  maxFrameBytes: 4 * 1024 * 1024,
  minCaptureIdBytes: 16,
  maxCaptureIdBytes: 64,
  maxDeviceIdBytes: 128,
  maxSdkNameBytes: 64,
  maxSdkVersionBytes: 32,
  maxPlatformBytes: 32,
  maxCameraNameBytes: 128,
  maxDeviceTextBytes: 64,
  maxImageSide: 16384,
  maxFps: 1000,
  maxStatementBytes: 1024,
  maxMotionSamples: 8192,
  maxTouches: 1024,
  maxSessionTokenBytes: 1024
} as const

/** SDK platform of browser captures: the only platform allowed to leave the SDK signature out. */
export const WEB_PLATFORM = "web"

/** Plaintext records: exactly CONTENT then SDK_SIGNATURE. */
export const PlaintextTag = { content: 0x7001, sdkSignature: 0x7002 } as const

export const ContentTag = {
  formatVersion: 0x0001,
  captureId: 0x0002,
  createdAt: 0x0003,
  sdk: 0x0004,
  camera: 0x0005,
  frame: 0x0006,
  bestFrame: 0x0007,
  faceScore: 0x0008,
  environment: 0x0009,
  device: 0x000a,
  attestation: 0x000b,
  activity: 0x000c,
  sessionToken: 0x000d
} as const

export const SdkTag = { name: 1, version: 2, platform: 3 } as const
export const CameraTag = { name: 1, width: 2, height: 3, fpsMilli: 4 } as const
export const FrameTag = { offsetMs: 1, jpeg: 2 } as const
export const DeviceTag = { id: 1, manufacturer: 2, model: 3, os: 4, osVersion: 5 } as const
export const AttestationTag = { statement: 1, authorityKeyId: 2, signature: 3 } as const
export const StatementTag = { captureId: 1, deviceId: 2, issuedAt: 3 } as const
export const ActivityTag = { motion: 1, touches: 2 } as const

/** Environment signals in wire order: the tag of each is its index + 1. */
export const environmentSignals = [
  "emulator",
  "rooted",
  "hookingFramework",
  "debuggerAttached",
  "virtualCamera",
  "appRepackaged",
  "remoteControl"
] as const
export type EnvironmentSignalName = (typeof environmentSignals)[number]

/** Tags at or above this are extensions that readers skip. */
export const EXTENSION_TAG_BASE = 0x8000
