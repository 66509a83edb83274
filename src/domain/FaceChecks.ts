/**
 * The face checks: measurements plus thresholds give the first failing check, in a fixed order.
 *
 * The order goes from the framing a person fixes first to finer detail, and each check only runs
 * when the earlier ones pass, because their measurements rely on it: a crop through the face
 * skews the pose, a turned head hides an eye or the chin, a covered mouth skews eye landmarks.
 * Integrity and trust verdicts are decided before any of this (by the use case), so a tampered
 * capture never earns framing guidance.
 */
import type { FaceProblemCode } from "./EngineReasons.js"
import type { FaceBox, FaceMeasurements } from "./FaceAnalyzer.js"
import type { FaceThresholds } from "./FaceThresholds.js"

type Check = (m: FaceMeasurements, t: FaceThresholds) => boolean

/** Share of the box area that lies outside the frame. */
export const outsideRatio = (box: FaceBox, frameWidth: number, frameHeight: number): number => {
  const insideWidth = Math.max(0, Math.min(box.x + box.width, frameWidth) - Math.max(box.x, 0))
  const insideHeight = Math.max(0, Math.min(box.y + box.height, frameHeight) - Math.max(box.y, 0))
  const area = box.width * box.height
  return area <= 0 ? 1 : 1 - (insideWidth * insideHeight) / area
}

/** Smallest gap between the box and a frame edge (negative when the box crosses an edge). */
export const borderPadding = (box: FaceBox, frameWidth: number, frameHeight: number): number =>
  Math.min(box.x, box.y, frameWidth - (box.x + box.width), frameHeight - (box.y + box.height))

/** Each check names the problem it reports when it fails; the first failing one wins. */
export const faceChecks: ReadonlyArray<readonly [FaceProblemCode, Check]> = [
  ["TOO_MANY_FACES", (m) => m.faceCount > 1 || m.maxFaceCountInFrames > 1],
  ["FACE_NOT_FOUND", (m) => m.framesWithoutFace > 0],
  [
    "FACE_TOO_CLOSE",
    (m, t) => m.box.width > t.max_face_frame_ratio * m.frameWidth || m.box.height > t.max_face_frame_ratio * m.frameHeight
  ],
  ["FACE_TOO_SMALL", (m, t) => Math.min(m.box.width, m.box.height) < t.min_face_size],
  ["FACE_CROPPED", (m, t) => outsideRatio(m.box, m.frameWidth, m.frameHeight) > t.max_face_outside_ratio],
  ["FACE_TOO_CLOSE_TO_BORDER", (m, t) => borderPadding(m.box, m.frameWidth, m.frameHeight) < t.min_border_padding],
  [
    "FACE_ANGLE_TOO_LARGE",
    (m, t) => Math.abs(m.pose.yaw) > t.max_yaw || Math.abs(m.pose.pitch) > t.max_pitch || Math.abs(m.pose.roll) > t.max_roll
  ],
  ["FACE_IS_OCCLUDED", (m, t) => m.lowerFaceVisibility < t.min_lower_face_visibility],
  ["EYES_CLOSED", (m, t) => Math.max(m.eyeOpenness.left, m.eyeOpenness.right) < t.min_eye_openness]
]

/**
 * The first failing check. No measurements, no confirmed face, or a main face the landmark model
 * does not confirm (face presence under `min_face_presence`) means no face on the best frame:
 * FACE_NOT_FOUND comes before everything else then; with a face, too many faces is checked first.
 */
export const firstFaceProblem = (
  measurements: FaceMeasurements | undefined,
  thresholds: FaceThresholds
): FaceProblemCode | undefined => {
  if (
    measurements === undefined ||
    measurements.faceCount === 0 ||
    measurements.landmarkConfidence < thresholds.min_face_presence
  ) return "FACE_NOT_FOUND"
  return faceChecks.find(([, fails]) => fails(measurements, thresholds))?.[0]
}
