/**
 * The fake camera of the browser tests: a y4m that Chromium plays as its camera
 * (`--use-file-for-fake-video-capture`), made at test time from a real face photo with fresh
 * sensor noise in every frame, so that consecutive frames differ as a real camera's do.
 */
import { open } from "node:fs/promises"
import sharp from "sharp"
import { FRAME_HEIGHT, FRAME_WIDTH, framedFaceOverPhoto, frontalFace } from "../fixtures/face/faceFrames.js"

/** Gaussian-like noise (sum of three uniforms), sigma about `sigma`. */
const noise = (sigma: number) => (Math.random() + Math.random() + Math.random() - 1.5) * 2 * sigma

const clampByte = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v))

/** I420 planes (full-range BT.601, as `C420jpeg` says) of an RGB image. */
const i420Of = (rgb: Buffer, width: number, height: number) => {
  const y = new Float32Array(width * height)
  const u = new Float32Array((width / 2) * (height / 2))
  const v = new Float32Array((width / 2) * (height / 2))
  for (let i = 0; i < width * height; i++) {
    y[i] = 0.299 * rgb[3 * i]! + 0.587 * rgb[3 * i + 1]! + 0.114 * rgb[3 * i + 2]!
  }
  for (let row = 0; row < height / 2; row++) {
    for (let col = 0; col < width / 2; col++) {
      const p = 3 * (2 * row * width + 2 * col)
      const r = rgb[p]!, g = rgb[p + 1]!, b = rgb[p + 2]!
      u[row * (width / 2) + col] = -0.1687 * r - 0.3313 * g + 0.5 * b + 128
      v[row * (width / 2) + col] = 0.5 * r - 0.4187 * g - 0.0813 * b + 128
    }
  }
  return { y, u, v }
}

/**
 * Writes `frames` 1280x720 frames at 30 fps of a frontal face to `path`. Chromium plays the file
 * in a loop and, measured here, delivers its last frame twice at each wrap: the file must outlast
 * the time from opening the camera to the end of the burst. 60 frames (2 s) did on a quiet machine
 * but not always under the whole suite's load (two clean-clone runs on 2026-12-05 got a burst with
 * a repeated frame: 2 distinct frames of 3, and a demo capture answered NoLive); 90 frames (3 s,
 * 124 MB) leave a second more, and since 2026-12-06 the SDK skips a repeated frame itself (a
 * demo capture had still met the wrap once: "100% of pixels unchanged between frames").
 * `repeats`: each frame written that many times, a camera that repeats frames.
 */
export const writeFaceY4m = async (path: string, frames = 90, repeats = 1): Promise<void> => {
  const jpeg = await framedFaceOverPhoto(frontalFace, 380, FRAME_WIDTH / 2, FRAME_HEIGHT / 2)
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  const { y, u, v } = i420Of(data, info.width, info.height)
  const file = await open(path, "w")
  try {
    await file.write(`YUV4MPEG2 W${info.width} H${info.height} F30:1 Ip A1:1 C420jpeg\n`)
    const frame = Buffer.alloc(y.length + u.length + v.length)
    for (let f = 0; f < frames; f++) {
      for (let i = 0; i < y.length; i++) frame[i] = clampByte(y[i]! + noise(2.5))
      for (let i = 0; i < u.length; i++) frame[y.length + i] = clampByte(u[i]! + noise(1))
      for (let i = 0; i < v.length; i++) frame[y.length + u.length + i] = clampByte(v[i]! + noise(1))
      for (let r = 0; r < repeats; r++) {
        await file.write("FRAME\n")
        await file.write(frame)
      }
    }
  } finally {
    await file.close()
  }
}
