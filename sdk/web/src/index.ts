/**
 * `captureFace(options)`: the browser capture SDK. Opens the front camera, shows a preview with a
 * face oval, takes a burst of frames at the camera's own timing, and returns the encrypted web
 * capture (docs/capture-format.md) as a Blob for the multipart field `capture`. The SDK reads no
 * answer from the service: the integrator's backend gets the verdict and its reasons.
 */
import { limits } from "../../../src/capture/CaptureFormat.js"
import { recordActivity } from "./activity.js"
import { encodeJpeg, grabBurst, openCamera } from "./camera.js"
import { describeDevice } from "./device.js"
import { observeBrowser } from "./environment.js"
import { environmentFlags } from "./signals.js"
import { seal, servicePublicKeyOf } from "./envelope.js"
import { encodeWebPlaintext } from "./webCapture.js"

export const SDK_NAME = "iad-capture-web"
export const SDK_VERSION = "1.0.0"

export interface CaptureFaceOptions {
  /** The service's X25519 public key: `service.pub` (PEM), or base64/hex of it, or raw bytes. */
  readonly servicePublicKey: string | Uint8Array
  /** The token of a session the integrator's backend got from the service; a string goes as its UTF-8 bytes. */
  readonly sessionToken: string | Uint8Array
  /** Frames in the burst, 1..16 (default 3). */
  readonly frames?: number
  /** Where to show the preview; default: a full-window overlay for the duration of the capture. */
  readonly container?: HTMLElement
  /** Time to let exposure settle and the user centre the face before the burst (default 800 ms). */
  readonly warmupMs?: number
  /** JPEG quality 0..1 (default 0.92). */
  readonly jpegQuality?: number
  /** Ideal camera resolution (default 1280x720). */
  readonly width?: number
  readonly height?: number
}

export { WebCaptureError } from "./webCapture.js"

const tokenBytes = (token: string | Uint8Array): Uint8Array =>
  typeof token === "string" ? new TextEncoder().encode(token) : token

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const captureFace = async (options: CaptureFaceOptions): Promise<Blob> => {
  const count = options.frames ?? 3
  if (!Number.isInteger(count) || count < 1 || count > limits.maxFrames) throw new RangeError(`frames must be 1..${limits.maxFrames}`)
  const sessionToken = tokenBytes(options.sessionToken)
  if (sessionToken.length < 1 || sessionToken.length > limits.maxSessionTokenBytes) {
    throw new RangeError(`sessionToken must be 1..${limits.maxSessionTokenBytes} bytes`)
  }
  const servicePublic = servicePublicKeyOf(options.servicePublicKey)
  const createdAt = Date.now()
  const startedAt = performance.now()
  let hidden = document.hidden
  const onVisibility = () => {
    hidden ||= document.hidden
  }
  document.addEventListener("visibilitychange", onVisibility)
  const activity = recordActivity(startedAt)
  const devicePromise = describeDevice()
  const camera = await openCamera({
    ...(options.container === undefined ? {} : { container: options.container }),
    width: options.width ?? 1280,
    height: options.height ?? 720
  }).catch((error: unknown) => {
    activity.stop()
    document.removeEventListener("visibilitychange", onVisibility)
    throw error
  })
  try {
    const settings = camera.track.getSettings()
    const fps = settings.frameRate ?? 30
    await sleep(options.warmupMs ?? 800)
    const grabbed = await grabBurst(camera.video, count, fps)
    const frames = await Promise.all(
      grabbed.map(async (g) => ({ offsetMs: g.at - startedAt, jpeg: await encodeJpeg(g.canvas, options.jpegQuality ?? 0.92) }))
    )
    activity.stop()
    const label = camera.track.label
    const observed = observeBrowser(label, hidden)
    const plaintext = encodeWebPlaintext({
      captureId: crypto.getRandomValues(new Uint8Array(16)),
      createdAt,
      sdkName: SDK_NAME,
      sdkVersion: SDK_VERSION,
      camera: {
        name: label,
        width: settings.width ?? camera.video.videoWidth,
        height: settings.height ?? camera.video.videoHeight,
        fps
      },
      frames,
      bestFrame: Math.floor(frames.length / 2),
      // No face model in the page (bundle budget): 0 says "not measured"; the service detects faces itself.
      faceScore: 0,
      environment: environmentFlags(observed),
      device: await devicePromise,
      motion: activity.motion,
      touches: activity.touches,
      sessionToken
    })
    const sealed = await seal(plaintext, servicePublic)
    return new Blob([sealed], { type: "application/octet-stream" })
  } finally {
    activity.stop()
    document.removeEventListener("visibilitychange", onVisibility)
    camera.close()
  }
}
