/**
 * The further frames of a burst: the scene comparison tells a frame of the same scene (micro-motion,
 * exposure drift, sensor noise, a new JPEG) from one where something came into view away from the
 * main face, and the face window sits on the detector's anchor grid around the face. The analyzer
 * still finds a second face that appears on a further frame of an otherwise unchanged scene.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import sharp from "sharp"
import { simulateBurst } from "../../src/capture/index.js"
import { FaceAnalyzer } from "../../src/domain/FaceAnalyzer.js"
import { defaultFaceThresholds } from "../../src/domain/FaceThresholds.js"
import { detectorInput } from "../../src/infra/face/FaceDetection.js"
import { faceWindow } from "../../src/infra/face/FaceWindow.js"
import { ortFaceAnalyzerLayer, SCENE_CHANGE_LIMIT } from "../../src/infra/face/OrtFaceAnalyzer.js"
import type { RgbImage } from "../../src/infra/face/RgbImage.js"
import { compareScenes, sceneTable } from "../../src/infra/face/SceneChange.js"
import { loadNativeAddon } from "../../src/infra/native/NativeAddon.js"
import * as F from "../fixtures/face/faceFrames.js"

const W = F.FRAME_WIDTH
const H = F.FRAME_HEIGHT
const addon = loadNativeAddon()

const quarter = async (jpeg: Uint8Array): Promise<RgbImage> => {
  const decoded = await addon.decodeJpegScaled(jpeg, 4)
  if (decoded.status !== "ok") throw new Error(decoded.status)
  return { width: decoded.width, height: decoded.height, data: decoded.rgb, scale: 4, frameWidth: W, frameHeight: H }
}
const residual = (a: RgbImage, b: RgbImage, exclude = { x0: 0, y0: 0, x1: 0, y1: 0 }) =>
  compareScenes(sceneTable(a), sceneTable(b), exclude)!.maxResidual

/** A second face (the same person, 200 px) pasted at the frame's top left. */
const withSecondFace = async (frame: Buffer): Promise<Buffer> => {
  const face = await sharp(await F.framedFace(F.frontalFace, 300, W / 2, H / 2)).extract({ left: 470, top: 190, width: 340, height: 340 }).resize(200, 200).toBuffer()
  return sharp(frame).composite([{ input: face, left: 40, top: 40 }]).jpeg({ quality: 90 }).toBuffer()
}

describe("compareScenes", () => {
  it.effect("frames of one simulated burst stay under the limit; a face coming into view, or another picture, goes far over it", () =>
    Effect.gen(function* () {
      for (const still of [yield* Effect.promise(() => F.framedFaceOverPhoto(F.frontalFace, 300, W / 2, H / 2)), yield* Effect.promise(() => F.groupFrame(1))]) {
        const burst = yield* Effect.promise(() => simulateBurst([still], 3))
        const [a, b, c] = yield* Effect.promise(() => Promise.all(burst.map(quarter)))
        expect(residual(a!, b!)).toBeLessThan(SCENE_CHANGE_LIMIT)
        expect(residual(a!, c!)).toBeLessThan(SCENE_CHANGE_LIMIT)
        const added = yield* Effect.promise(async () => quarter(await withSecondFace(burst[1]!)))
        expect(residual(a!, added)).toBeGreaterThan(2 * SCENE_CHANGE_LIMIT)
      }
      const [face, other] = yield* Effect.promise(async () => Promise.all([quarter(await F.framedFaceOverPhoto(F.frontalFace, 300, W / 2, H / 2)), quarter(await F.faceFreeFrame())]))
      expect(residual(face, other)).toBeGreaterThan(2 * SCENE_CHANGE_LIMIT)
    })
  )

  it("finds the shift between two frames and leaves out the excluded rectangle", () => {
    const width = 96
    const height = 64
    const texture = (x: number, y: number) => (Math.sin(x * 0.7) * 60 + Math.cos(y * 0.45) * 60 + 128) | 0
    const image = (dx: number, dy: number, patch?: { x0: number; y0: number; x1: number; y1: number }): RgbImage => {
      const data = new Uint8Array(width * height * 3)
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) {
          const inPatch = patch !== undefined && x >= patch.x0 && x < patch.x1 && y >= patch.y0 && y < patch.y1
          data.fill(inPatch ? 255 : texture(x + dx, y + dy), 3 * (y * width + x), 3 * (y * width + x) + 3)
        }
      return { width, height, data, scale: 1, frameWidth: width, frameHeight: height }
    }
    const best = sceneTable(image(0, 0))
    expect(compareScenes(best, sceneTable(image(1, -2)), { x0: 0, y0: 0, x1: 0, y1: 0 })).toMatchObject({ shiftX: -1, shiftY: 2, maxResidual: 0 })
    const patch = { x0: 40, y0: 24, x1: 56, y1: 40 }
    expect(compareScenes(best, sceneTable(image(0, 0, patch)), { x0: 0, y0: 0, x1: 0, y1: 0 })!.maxResidual).toBeGreaterThan(50)
    expect(compareScenes(best, sceneTable(image(0, 0, patch)), patch)!.maxResidual).toBeLessThan(1e-9)
    expect(compareScenes(best, sceneTable({ ...image(0, 0), width: 48, data: new Uint8Array(48 * height * 3) }), patch)).toBeUndefined()
  })
})

describe("faceWindow", () => {
  it("is a window of the whole-frame detector input on its 32 px grid, holding the face with a margin", () => {
    const whole = detectorInput(320, 180)
    const face = { x: 490, y: 210, width: 300, height: 300 }
    const window = faceWindow(320, 180, 4, face)!
    expect(window.input.width % 32).toBe(0)
    expect(window.input.height % 32).toBe(0)
    expect(window.input.width * window.input.height).toBeLessThan(whole.width * whole.height / 2)
    // The window's origin, in whole-input pixels, is on the grid.
    const originX = (window.input.t.cx - whole.t.cx) / whole.t.ax
    const originY = (window.input.t.cy - whole.t.cy) / whole.t.by
    expect([originX % 32, originY % 32]).toEqual([0, 0])
    // The face (in image pixels) lies inside the window with room to move.
    expect(window.pixels.x0).toBeLessThan(face.x / 4 - 30)
    expect(window.pixels.x1).toBeGreaterThan((face.x + face.width) / 4 + 30)
    expect(window.pixels.y0).toBeLessThanOrEqual(face.y / 4)
    // A face filling most of the frame gets the whole frame.
    expect(faceWindow(320, 180, 4, { x: 320, y: 40, width: 640, height: 640 })).toBeUndefined()
  })
})

layer(ortFaceAnalyzerLayer({ thresholds: defaultFaceThresholds }), { timeout: 60_000 })("further frames of a burst", (it) => {
  it.effect("a burst of one face is usable; a second face coming into view on a further frame is too many faces", () =>
    Effect.gen(function* () {
      const still = yield* Effect.promise(() => F.framedFaceOverPhoto(F.frontalFace, 300, W / 2, H / 2))
      const burst = yield* Effect.promise(() => simulateBurst([still], 3))
      const faces = yield* FaceAnalyzer
      expect((yield* faces.analyze(burst, 0)).problem).toBeUndefined()
      const joined = yield* Effect.promise(() => withSecondFace(burst[2]!))
      expect((yield* faces.analyze([burst[0]!, burst[1]!, joined], 0)).problem).toBe("TOO_MANY_FACES")
    })
  )
})
