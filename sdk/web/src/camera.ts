/**
 * The front camera, its preview with a face oval, and a burst of frames at the stream's own
 * timing: `requestVideoFrameCallback` fires once per new camera frame where the browser has it;
 * elsewhere a timer at the track's frame rate stands in.
 */

export interface OpenCamera {
  readonly stream: MediaStream
  readonly track: MediaStreamTrack
  readonly video: HTMLVideoElement
  readonly close: () => void
}

export interface CameraOptions {
  /** Where the preview goes; default: a full-window overlay removed when the capture ends. */
  readonly container?: HTMLElement
  readonly width: number
  readonly height: number
}

const OVAL_STYLE =
  "position:absolute;left:50%;top:50%;width:38%;aspect-ratio:3/4;transform:translate(-50%,-50%);" +
  "border:3px solid rgba(255,255,255,.9);border-radius:50%;box-shadow:0 0 0 9999px rgba(0,0,0,.45);pointer-events:none"

const preview = (video: HTMLVideoElement, container: HTMLElement | undefined): (() => void) => {
  const frame = document.createElement("div")
  frame.setAttribute("data-iad-capture", "preview")
  frame.style.cssText = container === undefined
    ? "position:fixed;inset:0;z-index:2147483647;background:#000;overflow:hidden"
    : "position:relative;width:100%;height:100%;overflow:hidden;background:#000"
  // Mirrored, as people expect of a front camera; the frames themselves are not mirrored.
  video.style.cssText = "width:100%;height:100%;object-fit:cover;transform:scaleX(-1)"
  const oval = document.createElement("div")
  oval.style.cssText = OVAL_STYLE
  frame.append(video, oval)
  ;(container ?? document.body).append(frame)
  return () => frame.remove()
}

export const openCamera = async (options: CameraOptions): Promise<OpenCamera> => {
  if (navigator.mediaDevices?.getUserMedia === undefined) throw new Error("this browser has no camera access (getUserMedia)")
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { facingMode: "user", width: { ideal: options.width }, height: { ideal: options.height } }
  })
  const track = stream.getVideoTracks()[0]
  if (track === undefined) throw new Error("the camera gave no video track")
  const video = document.createElement("video")
  video.muted = true
  video.playsInline = true
  video.srcObject = stream
  const removePreview = preview(video, options.container)
  const close = () => {
    stream.getTracks().forEach((t) => t.stop())
    video.srcObject = null
    removePreview()
  }
  try {
    await video.play()
    if (video.videoWidth === 0) await new Promise((resolve) => video.addEventListener("loadedmetadata", resolve, { once: true }))
  } catch (error) {
    close()
    throw error
  }
  return { stream, track, video, close }
}

interface FrameMetadata {
  readonly captureTime?: number
  readonly mediaTime: number
  readonly presentedFrames: number
}

type FrameCallbackVideo = HTMLVideoElement & {
  requestVideoFrameCallback?: (callback: (now: number, metadata: FrameMetadata) => void) => number
}

interface CameraFrameTime {
  /** performance.now() time of the frame (its capture time where the browser knows it). */
  readonly at: number
  /** Identifies the frame: the same value twice means the same camera frame. */
  readonly media: number
}

/** Resolves on the next camera frame presented to the page. */
export const nextFrame = (video: HTMLVideoElement, fps: number): Promise<CameraFrameTime> => {
  const v = video as FrameCallbackVideo
  if (typeof v.requestVideoFrameCallback === "function") {
    return new Promise((resolve) =>
      v.requestVideoFrameCallback!((now, metadata) => resolve({ at: metadata.captureTime ?? now, media: metadata.mediaTime }))
    )
  }
  return new Promise((resolve) =>
    setTimeout(() => resolve({ at: performance.now(), media: video.currentTime }), 1000 / Math.max(1, fps))
  )
}

export interface GrabbedFrame {
  /** performance.now() time of the frame. */
  readonly at: number
  readonly canvas: HTMLCanvasElement
}

/** Side of the square at a frame's centre compared to tell a repeated frame from a new one. */
const COMPARED_SIDE = 32
/**
 * Repeated frames skipped in a row before the burst takes one anyway: a camera that stalls for a
 * moment (or Chromium's file camera at each loop of its file) repeats a frame with a new
 * timestamp, which the service would read as a frozen, injected stream; a camera frozen for good
 * stays frozen, and the service judges that.
 */
const MAX_REPEATS_SKIPPED = 3

/** The pixels of the square at the canvas' centre. */
const centreOf = (context: CanvasRenderingContext2D, width: number, height: number): Uint8ClampedArray => {
  const side = Math.max(1, Math.min(COMPARED_SIDE, width, height))
  return context.getImageData(Math.floor((width - side) / 2), Math.floor((height - side) / 2), side, side).data
}

const samePixels = (a: Uint8ClampedArray, b: Uint8ClampedArray): boolean => a.length === b.length && a.every((value, i) => value === b[i])

/**
 * Copies `count` distinct consecutive camera frames (pixels only: encoding waits until the burst
 * is over, so that it does not make the burst skip frames). Distinct by the camera's timestamp and
 * by their pixels: a frame the camera repeated is skipped (at most MAX_REPEATS_SKIPPED in a row).
 */
export const grabBurst = async (video: HTMLVideoElement, count: number, fps: number): Promise<Array<GrabbedFrame>> => {
  const frames: Array<GrabbedFrame> = []
  let lastMedia = Number.NaN
  let lastCentre: Uint8ClampedArray | undefined
  let repeatsSkipped = 0
  while (frames.length < count) {
    const { at, media } = await nextFrame(video, fps)
    if (media === lastMedia) continue
    lastMedia = media
    const canvas = document.createElement("canvas")
    canvas.width = video.videoWidth
    canvas.height = video.videoHeight
    const context = canvas.getContext("2d")
    if (context === null) throw new Error("no 2D canvas to copy frames with")
    context.drawImage(video, 0, 0)
    const centre = centreOf(context, canvas.width, canvas.height)
    if (lastCentre !== undefined && samePixels(centre, lastCentre) && repeatsSkipped < MAX_REPEATS_SKIPPED) {
      repeatsSkipped++
      continue
    }
    repeatsSkipped = 0
    lastCentre = centre
    frames.push({ at, canvas })
  }
  return frames
}

export const encodeJpeg = (canvas: HTMLCanvasElement, quality: number): Promise<Uint8Array> =>
  new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob === null ? reject(new Error("JPEG encoding failed")) : blob.arrayBuffer().then((b) => resolve(new Uint8Array(b)), reject)),
      "image/jpeg",
      quality
    )
  )
