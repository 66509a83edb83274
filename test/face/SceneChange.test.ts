/**
 * The further frames of a burst: the scene comparison tells a frame of the same scene (micro-motion,
 * exposure drift, sensor noise, a new JPEG) from one where something came into view, and the
 * analyzer still finds a second face that appears on a further frame of an otherwise unchanged scene.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import sharp from "sharp"
import { simulateBurst } from "../../src/capture/index.js"
import { FaceAnalyzer } from "../../src/domain/FaceAnalyzer.js"
import { defaultFaceThresholds } from "../../src/domain/FaceThresholds.js"
import { ortFaceAnalyzerLayer } from "../../src/infra/face/OrtFaceAnalyzer.js"
import type { RgbImage } from "../../src/infra/face/RgbImage.js"
import { compareScenes, SCENE_CHANGE_LIMIT, sceneTable } from "../../src/infra/face/SceneChange.js"
import { loadNativeAddon } from "../../src/infra/native/NativeAddon.js"
import * as F from "../fixtures/face/faceFrames.js"
import { javascriptCompareScenes, javascriptSceneTable } from "./javascriptScene.js"

const W = F.FRAME_WIDTH
const H = F.FRAME_HEIGHT
const addon = loadNativeAddon()

const quarter = async (jpeg: Uint8Array): Promise<RgbImage> => {
  const decoded = await addon.decodeJpegScaled(jpeg, 4)
  if (decoded.status !== "ok") throw new Error(decoded.status)
  return { width: decoded.width, height: decoded.height, data: decoded.rgb, scale: 4, frameWidth: W, frameHeight: H }
}
const residual = (a: RgbImage, b: RgbImage) => compareScenes(sceneTable(a), sceneTable(b))!.maxResidual

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

  it("finds the shift between two frames; a bright patch of 2x2 cells is a change; other sizes are not comparable", () => {
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
    expect(compareScenes(best, sceneTable(image(1, -2)))).toMatchObject({ shiftX: -1, shiftY: 2, maxResidual: 0 })
    expect(compareScenes(best, sceneTable(image(0, 0, { x0: 40, y0: 24, x1: 56, y1: 40 })))!.maxResidual).toBeGreaterThan(50)
    expect(compareScenes(best, sceneTable({ ...image(0, 0), width: 48, data: new Uint8Array(48 * height * 3) }))).toBeUndefined()
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

describe("the addon's scene table and comparison", () => {
  it("give the JavaScript's numbers bit for bit (random scenes, shifts, exposure, noise and sizes down to 1x1)", () => {
    let seed = 3
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const sizes: ReadonlyArray<readonly [number, number]> = [[320, 180], [96, 64], [13, 12], [12, 13], [3, 3], [1, 1], [41, 200]]
    for (let n = 0; n < 120; n++) {
      const [width, height] = sizes[n % sizes.length]!
      const gain = 0.8 + random() * 0.4
      const dx = Math.floor(random() * 5) - 2
      const dy = Math.floor(random() * 5) - 2
      const base = (x: number, y: number, c: number) => Math.sin(x * 0.31 + c) * 70 + Math.cos(y * 0.17 - c) * 50 + 128
      const image = (moved: boolean): RgbImage => {
        const data = new Uint8Array(width * height * 3)
        for (let y = 0; y < height; y++)
          for (let x = 0; x < width; x++)
            for (let c = 0; c < 3; c++) {
              const v = moved ? base(x + dx, y + dy, c) * gain + (random() - 0.5) * 12 : base(x, y, c)
              data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)))
            }
        return { width, height, data, scale: 4, frameWidth: width * 4, frameHeight: height * 4 }
      }
      const [a, b] = [image(false), image(true)]
      const [ours, theirs] = [sceneTable(a), javascriptSceneTable(a)]
      expect(Buffer.from(ours.table.buffer, ours.table.byteOffset, ours.table.byteLength).equals(Buffer.from(theirs.table.buffer, theirs.table.byteOffset, theirs.table.byteLength))).toBe(true)
      const ourComparison = compareScenes(ours, sceneTable(b))!
      const theirComparison = javascriptCompareScenes(theirs, javascriptSceneTable(b))!
      expect(ourComparison).toEqual(theirComparison)
      expect(Object.is(ourComparison.maxResidual, theirComparison.maxResidual)).toBe(true)
    }
  })

  it("a reused buffer holding another frame's sums gives the same table", () => {
    const image = (fill: number): RgbImage => ({ width: 20, height: 10, data: new Uint8Array(600).fill(fill), scale: 4, frameWidth: 80, frameHeight: 40 })
    const pooled = new Float64Array(21 * 11 + 5).fill(7)
    sceneTable(image(200), pooled)
    expect(Array.from(sceneTable(image(9), pooled).table)).toEqual(Array.from(javascriptSceneTable(image(9)).table))
  })

  it.each([
    ["a table shorter than (width+1) x (height+1)", () => addon.sceneTable(new Uint8Array(12), 2, 2, new Float64Array(8))],
    ["pixels shorter than width x height x 3", () => addon.sceneTable(new Uint8Array(11), 2, 2, new Float64Array(9))],
    ["a fractional side", () => addon.sceneTable(new Uint8Array(12), 2.5, 2, new Float64Array(9))],
    ["a float32 table", () => (addon.sceneTable as (...args: ReadonlyArray<unknown>) => void)(new Uint8Array(12), 2, 2, new Float32Array(9))],
    ["comparison tables shorter than their sides", () => addon.compareScenes(new Float64Array(9), new Float64Array(8), 2, 2)],
    ["a comparison side of zero", () => addon.compareScenes(new Float64Array(9), new Float64Array(9), 0, 2)]
  ])("refuse %s with a TypeError", (_name, call) => {
    expect(call).toThrow(TypeError)
  })
})

