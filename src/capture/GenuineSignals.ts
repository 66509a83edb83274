/**
 * Genuine-looking defaults for everything a capture carries besides its frames, overridable by a
 * signals file. The motion is a simulation (gravity plus a physiological hand tremor of 8-12 Hz
 * and sensor noise) so that captures built for tests look like a hand-held phone.
 */
import { randomBytes, randomInt } from "node:crypto"
import type { CameraDescription, CaptureSignals, EnvironmentSignals } from "./CaptureContents.js"
import { environmentSignals, WEB_PLATFORM } from "./CaptureFormat.js"
import type { CaptureDraft } from "./CaptureEncoder.js"

export const referenceSdk = { name: "iad-capture-reference", version: "1.0.0", platform: "reference" } as const

const noEnvironmentSignals = Object.fromEntries(environmentSignals.map((name) => [name, false])) as EnvironmentSignals

const gaussian = () => Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random())

/** 100 Hz accelerometer (m/s^2) and gyroscope (rad/s) samples over `durationMs`. */
export const simulatedMotion = (durationMs: number): Array<Array<number>> => {
  const tremorHz = 8 + Math.random() * 4
  const phase = Math.random() * 2 * Math.PI
  const out: Array<Array<number>> = []
  for (let t = 0; t <= durationMs; t += 10) {
    const s = Math.sin(2 * Math.PI * tremorHz * (t / 1000) + phase)
    out.push([
      t,
      0.04 * s + 0.02 * gaussian(),
      9.81 + 0.03 * gaussian(),
      0.05 * s + 0.02 * gaussian(),
      0.01 * s + 0.003 * gaussian(),
      0.012 * s + 0.003 * gaussian(),
      0.004 * gaussian()
    ])
  }
  return out
}

export interface DraftInput {
  readonly frames: ReadonlyArray<Uint8Array>
  /** Resolution of the frames, used unless the signals name a camera resolution. */
  readonly frameSize: { readonly width: number; readonly height: number }
  readonly capturedAt: number
  readonly signals: CaptureSignals
}

export const draftOf = ({ capturedAt, frameSize, frames, signals }: DraftInput): CaptureDraft => {
  const interval = signals.frameIntervalMs ?? 33
  const durationMs = Math.max(1000, frames.length * interval)
  const camera: CameraDescription = {
    name: "front camera",
    width: frameSize.width,
    height: frameSize.height,
    fps: 30,
    ...signals.camera
  }
  const sdk = { ...referenceSdk, ...signals.sdk }
  return {
    captureId: signals.captureId === undefined ? randomBytes(16) : Buffer.from(signals.captureId, "hex"),
    createdAt: capturedAt,
    sdk,
    camera,
    frames: frames.map((jpeg, i) => ({ offsetMs: i * interval, jpeg })),
    bestFrame: signals.bestFrame ?? Math.floor(frames.length / 2),
    faceScore: signals.faceScore ?? 0.97,
    environment: { ...noEnvironmentSignals, ...signals.environment },
    device: {
      manufacturer: "Reference",
      model: "iad-capture",
      os: "reference",
      osVersion: "1",
      ...signals.device,
      id: signals.device?.id === undefined ? randomBytes(16) : Buffer.from(signals.device.id, "hex")
    },
    motion: signals.motion ?? simulatedMotion(durationMs),
    // One tap on the capture button shortly before the first frame.
    touches: signals.touches ?? [[randomInt(50, 150), 0.5, 0.85, 0.4 + Math.random() * 0.2]],
    ...(signals.sessionToken === undefined ? {} : { sessionToken: Buffer.from(signals.sessionToken, "hex") }),
    // A browser keeps no signing key: web captures are unsigned unless the signals say otherwise.
    sdkSignature: signals.sdkSignature ?? (sdk.platform === WEB_PLATFORM ? "absent" : "genuine"),
    attestation: signals.attestation ?? "genuine"
  }
}
