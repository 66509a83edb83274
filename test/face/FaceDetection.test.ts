/**
 * The detector's input geometry: the frame's long side at 256, the short side padded black to a
 * multiple of 32 with at least 24 px each side (the anchor-grid phase of the square letterbox);
 * for a face cut by an end of the long side, 32 px more black at both of its ends.
 */
import { describe, expect, it } from "@effect/vitest"
import { applyAffine } from "../../src/infra/face/ImageWarp.js"
import { cutByLongSide, detectorInput } from "../../src/infra/face/FaceDetection.js"

describe("detectorInput", () => {
  it("puts a 16:9 frame in 256x192 with 24 px bands above and below", () => {
    const input = detectorInput(256, 144)
    expect([input.width, input.height]).toEqual([256, 192])
    // Input row 24 is the picture's first row; row 168 is just past its last.
    expect(applyAffine(input.t, 0, 24)).toEqual([0, 0])
    expect(applyAffine(input.t, 256, 168)).toEqual([256, 144])
  })

  it("scales a larger image into the same input (the best frame is decoded at 320 px)", () => {
    const input = detectorInput(320, 180)
    expect([input.width, input.height]).toEqual([256, 192])
    expect(applyAffine(input.t, 0, 24)).toEqual([0, 0])
    expect(applyAffine(input.t, 256, 168)).toEqual([320, 180])
  })

  it("keeps the square letterbox when bands of 24 px would not fit under 256", () => {
    const fourThirds = detectorInput(256, 192)
    expect([fourThirds.width, fourThirds.height]).toEqual([256, 256])
    expect(applyAffine(fourThirds.t, 0, 32)).toEqual([0, 0])
    const square = detectorInput(300, 300)
    expect([square.width, square.height]).toEqual([256, 256])
  })

  it("pads the width of a portrait frame", () => {
    const input = detectorInput(144, 256)
    expect([input.width, input.height]).toEqual([192, 256])
    expect(applyAffine(input.t, 24, 0)).toEqual([0, 0])
  })

  it("adds black at both ends of the long side, keeping the picture's scale and grid phase", () => {
    const input = detectorInput(320, 180, 32)
    expect([input.width, input.height]).toEqual([320, 192])
    // The picture sits 32 px in: one whole cell of the coarser anchor grid.
    expect(applyAffine(input.t, 32, 24)).toEqual([0, 0])
    expect(applyAffine(input.t, 288, 168)).toEqual([320, 180])
    const portrait = detectorInput(180, 320, 32)
    expect([portrait.width, portrait.height]).toEqual([192, 320])
    expect(applyAffine(portrait.t, 24, 32)).toEqual([0, 0])
  })
})

describe("cutByLongSide", () => {
  const box = (x: number, y: number, width: number, height: number) => ({ score: 0.5, x, y, width, height, keypoints: [] })
  it("sees a box past the left or right end of a landscape frame, not past its top or bottom", () => {
    expect(cutByLongSide(box(-10, 50, 80, 80), 320, 180)).toBe(true)
    expect(cutByLongSide(box(260, 50, 80, 80), 320, 180)).toBe(true)
    expect(cutByLongSide(box(100, -10, 80, 80), 320, 180)).toBe(false)
    expect(cutByLongSide(box(100, 50, 80, 80), 320, 180)).toBe(false)
  })
  it("reads the long side of a portrait frame as its height", () => {
    expect(cutByLongSide(box(50, 280, 80, 80), 180, 320)).toBe(true)
    expect(cutByLongSide(box(-10, 100, 80, 80), 180, 320)).toBe(false)
  })
})
