/**
 * The plaintext of a web capture (docs/capture-format.md, "Web captures"): the CONTENT record
 * alone, unsigned, carrying the session token the service issued for this capture.
 */
import {
  ActivityTag,
  CameraTag,
  ContentTag,
  DeviceTag,
  environmentSignals,
  type EnvironmentSignalName,
  FORMAT_VERSION,
  FrameTag,
  limits,
  PlaintextTag,
  SdkTag,
  WEB_PLATFORM
} from "../../../src/capture/CaptureFormat.js"
import { type Bytes, container, record, samples, text, u16, u32, u64, u8 } from "./tlv.js"

export interface WebCaptureDraft {
  readonly captureId: Uint8Array
  /** ms since the epoch; frame, motion and touch times are offsets from it. */
  readonly createdAt: number
  readonly sdkName: string
  readonly sdkVersion: string
  readonly camera: { readonly name: string; readonly width: number; readonly height: number; readonly fps: number }
  readonly frames: ReadonlyArray<{ readonly offsetMs: number; readonly jpeg: Uint8Array }>
  readonly bestFrame: number
  /** 0..1; 0 when the browser has no face detector to measure it. */
  readonly faceScore: number
  readonly environment: Partial<Record<EnvironmentSignalName, boolean>>
  readonly device: {
    readonly id: Uint8Array
    readonly manufacturer: string
    readonly model: string
    readonly os: string
    readonly osVersion: string
  }
  /** [t ms, ax, ay, az m/s^2, gx, gy, gz rad/s] */
  readonly motion: ReadonlyArray<ReadonlyArray<number>>
  /** [t ms, x 0..1, y 0..1, pressure] */
  readonly touches: ReadonlyArray<ReadonlyArray<number>>
  readonly sessionToken: Uint8Array
}

export class WebCaptureError extends Error {
  override readonly name = "WebCaptureError"
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value))

const check = (draft: WebCaptureDraft): void => {
  const fail = (why: string) => {
    throw new WebCaptureError(why)
  }
  if (draft.frames.length < 1 || draft.frames.length > limits.maxFrames) fail(`1..${limits.maxFrames} frames`)
  for (const frame of draft.frames) if (frame.jpeg.length > limits.maxFrameBytes) fail("a frame is over 4 MiB")
  const token = draft.sessionToken.length
  if (token < 1 || token > limits.maxSessionTokenBytes) fail(`session token of ${token} bytes, 1..${limits.maxSessionTokenBytes}`)
}

/** Only the signals the SDK observed go on the wire: absent means "not observed". */
const environmentRecords = (environment: WebCaptureDraft["environment"]) =>
  environmentSignals.flatMap((name, i) => {
    const value = environment[name]
    return value === undefined ? [] : [record(i + 1, u8(value ? 1 : 0))]
  })

export const encodeWebPlaintext = (draft: WebCaptureDraft): Bytes => {
  check(draft)
  const { camera } = draft
  const content = [
    record(ContentTag.formatVersion, u16(FORMAT_VERSION)),
    record(ContentTag.captureId, draft.captureId),
    record(ContentTag.createdAt, u64(draft.createdAt)),
    container(ContentTag.sdk, [
      record(SdkTag.name, text(draft.sdkName, limits.maxSdkNameBytes)),
      record(SdkTag.version, text(draft.sdkVersion, limits.maxSdkVersionBytes)),
      record(SdkTag.platform, text(WEB_PLATFORM, limits.maxPlatformBytes))
    ]),
    container(ContentTag.camera, [
      record(CameraTag.name, text(camera.name, limits.maxCameraNameBytes)),
      record(CameraTag.width, u16(clamp(Math.round(camera.width), 1, limits.maxImageSide))),
      record(CameraTag.height, u16(clamp(Math.round(camera.height), 1, limits.maxImageSide))),
      record(CameraTag.fpsMilli, u32(clamp(Math.round(camera.fps * 1000), 1, limits.maxFps * 1000)))
    ]),
    ...draft.frames.map((frame) =>
      container(ContentTag.frame, [record(FrameTag.offsetMs, u32(Math.max(0, Math.round(frame.offsetMs)))), record(FrameTag.jpeg, frame.jpeg)])
    ),
    record(ContentTag.bestFrame, u16(draft.bestFrame)),
    record(ContentTag.faceScore, u16(Math.round(clamp(draft.faceScore, 0, 1) * 10000))),
    container(ContentTag.environment, environmentRecords(draft.environment)),
    container(ContentTag.device, [
      record(DeviceTag.id, draft.device.id),
      record(DeviceTag.manufacturer, text(draft.device.manufacturer, limits.maxDeviceTextBytes)),
      record(DeviceTag.model, text(draft.device.model, limits.maxDeviceTextBytes)),
      record(DeviceTag.os, text(draft.device.os, limits.maxDeviceTextBytes)),
      record(DeviceTag.osVersion, text(draft.device.osVersion, limits.maxDeviceTextBytes))
    ]),
    container(ContentTag.activity, [
      record(ActivityTag.motion, samples(draft.motion.slice(-limits.maxMotionSamples), 7)),
      record(ActivityTag.touches, samples(draft.touches.slice(-limits.maxTouches), 4))
    ]),
    record(ContentTag.sessionToken, draft.sessionToken)
  ]
  return container(PlaintextTag.content, content)
}
