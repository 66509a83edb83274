/**
 * The detector's input geometry: the frame's long side at 256, the short side padded black to a
 * multiple of 32 with at least 24 px each side (the anchor-grid phase of the square letterbox).
 */
import { describe, expect, it } from "@effect/vitest"
import { applyAffine } from "../../src/infra/face/ImageWarp.js"
import { detectorInput } from "../../src/infra/face/FaceDetection.js"

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
})
