/** Shared set-up for capture and native-engine tests: real keys on disk, real JPEGs, the real addon. */
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import sharp from "sharp"
import {
  type CaptureSignals,
  draftOf,
  encodeCapture,
  type EncodeOptions,
  generateKeys,
  loadEncoderKeys,
  loadEngineKeys
} from "../../src/capture/index.js"
import type { CaptureDraft } from "../../src/capture/CaptureEncoder.js"
import { loadNativeAddon, type NativeEngineHandle, type NativeOpenResult } from "../../src/infra/native/NativeAddon.js"

export const tempDir = (prefix: string) => mkdtemp(join(tmpdir(), `iad-${prefix}-`))

export const freshKeys = async (): Promise<string> => {
  const dir = join(await tempDir("keys"), "keys")
  await generateKeys(dir)
  return dir
}

/** A small real JPEG whose pixels depend on `shade`, so frames differ. */
export const jpeg = (shade: number, width = 32, height = 24): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: { r: shade, g: 255 - shade, b: 128 } } })
    .jpeg({ quality: 80 })
    .toBuffer()

export const engineFor = async (keysDir: string): Promise<NativeEngineHandle> => {
  const addon = loadNativeAddon()
  return new addon.Engine(await loadEngineKeys(keysDir))
}

/** Builds a capture through the encoder with full control of the draft. */
export const captureWith = async (
  keysDir: string,
  frames: ReadonlyArray<Uint8Array>,
  signals: CaptureSignals = {},
  edit: (draft: CaptureDraft) => CaptureDraft = (d) => d,
  options: EncodeOptions = {}
): Promise<Buffer> => {
  const draft = draftOf({ frames, frameSize: { width: 32, height: 24 }, capturedAt: 1_750_000_000_000, signals })
  return encodeCapture(edit(draft), await loadEncoderKeys(keysDir), options)
}

export const expectFailure = (result: NativeOpenResult): string => {
  if (result.ok) throw new Error("expected the engine to refuse the capture")
  return result.codeName
}

export const expectSuccess = (result: NativeOpenResult) => {
  if (!result.ok) throw new Error(`expected success, got ${result.codeName} (tag ${result.tag})`)
  return result as {
    ok: true
    capture: {
      captureId: string
      createdAt: number
      bestFrame: number
      faceScore: number
      frames: Array<{ offsetMs: number; jpeg: Uint8Array }>
      environment: Record<string, boolean>
      device: { id: string }
      attestation?: { captureId: string }
      activity: { motion: Float32Array; touches: Float32Array }
      sdk: { name: string }
      camera: { width: number; height: number; fps: number }
    }
    integrity: { sdkSignature: string; attestation: string; sdkKeyId: string }
  }
}

/** Runs `open` over many inputs with bounded concurrency (the libuv pool has 4 threads). */
export const openAll = async (engine: NativeEngineHandle, inputs: ReadonlyArray<Uint8Array>): Promise<Array<NativeOpenResult>> => {
  const out: Array<NativeOpenResult> = []
  for (let i = 0; i < inputs.length; i += 64) {
    out.push(...(await Promise.all(inputs.slice(i, i + 64).map((input) => engine.open(input)))))
  }
  return out
}
