/** The face checks fire on their own measurement and in the documented order. */
import { describe, expect, it } from "@effect/vitest"
import type { FaceMeasurements } from "../../src/domain/FaceAnalyzer.js"
import { faceChecks, firstFaceProblem } from "../../src/domain/FaceChecks.js"
import { defaultFaceThresholds as t } from "../../src/domain/FaceThresholds.js"

const usable: FaceMeasurements = {
  frameWidth: 1280,
  frameHeight: 720,
  faceCount: 1,
  maxFaceCountInFrames: 1,
  framesWithoutFace: 0,
  box: { x: 500, y: 200, width: 280, height: 300 },
  pose: { yaw: 0, pitch: 0, roll: 0 },
  eyeOpenness: { left: 0.3, right: 0.3 },
  lowerFaceVisibility: 0.8,
  landmarkConfidence: 1
}

/** One measurement pushed just past its limit, per check. */
const failing: Record<string, Partial<FaceMeasurements>> = {
  TOO_MANY_FACES: { maxFaceCountInFrames: 2 },
  FACE_NOT_FOUND: { framesWithoutFace: 1 },
  FACE_TOO_CLOSE: { box: { x: 300, y: 10, width: 500, height: t.max_face_frame_ratio * 720 + 1 } },
  FACE_TOO_SMALL: { box: { x: 500, y: 200, width: t.min_face_size - 1, height: 200 } },
  FACE_CROPPED: { box: { x: -40, y: 200, width: 280, height: 300 } },
  FACE_TOO_CLOSE_TO_BORDER: { box: { x: t.min_border_padding - 1, y: 200, width: 280, height: 300 } },
  FACE_ANGLE_TOO_LARGE: { pose: { yaw: 0, pitch: -(t.max_pitch + 1), roll: 0 } },
  FACE_IS_OCCLUDED: { lowerFaceVisibility: t.min_lower_face_visibility - 0.01 },
  EYES_CLOSED: { eyeOpenness: { left: t.min_eye_openness - 0.01, right: t.min_eye_openness - 0.02 } }
}

describe("firstFaceProblem", () => {
  it("passes a usable face", () => expect(firstFaceProblem(usable, t)).toBeUndefined())
  it("answers FACE_NOT_FOUND without measurements", () => expect(firstFaceProblem(undefined, t)).toBe("FACE_NOT_FOUND"))
  it("answers FACE_NOT_FOUND when the landmark model does not confirm the face, before too many faces", () => {
    const unconfirmed = { ...usable, landmarkConfidence: t.min_face_presence - 0.01, maxFaceCountInFrames: 2 }
    expect(firstFaceProblem(unconfirmed, t)).toBe("FACE_NOT_FOUND")
    expect(firstFaceProblem({ ...unconfirmed, landmarkConfidence: t.min_face_presence }, t)).toBe("TOO_MANY_FACES")
  })

  for (const [code, change] of Object.entries(failing)) {
    it(`answers ${code} when only its measurement fails`, () => expect(firstFaceProblem({ ...usable, ...change }, t)).toBe(code))
  }

  it("reports the earlier check when several fail, in the documented order", () => {
    const order = faceChecks.map(([code]) => code)
    expect(order).toEqual(Object.keys(failing))
    // Later changes first, so where two share a field (the box) the earlier check's value wins.
    for (let i = 0; i < order.length; i++) {
      const all = Object.assign({}, usable, ...order.slice(i).reverse().map((code) => failing[code])) as FaceMeasurements
      expect(firstFaceProblem(all, t)).toBe(order[i])
    }
  })

  it("keeps one open eye as open (a wink is not closed eyes)", () =>
    expect(firstFaceProblem({ ...usable, eyeOpenness: { left: 0.05, right: 0.3 } }, t)).toBeUndefined())
})
