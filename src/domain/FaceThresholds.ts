/**
 * The `face` section of the service configuration: the limits each face check applies.
 * Defaults come from published capture requirements (see docs/face-analysis.md for sources).
 */
import * as Schema from "effect/Schema"

const Probability = Schema.Number.pipe(Schema.between(0, 1))
const Degrees = Schema.Number.pipe(Schema.between(0, 180))
const NonNegative = Schema.Number.pipe(Schema.nonNegative())

export const FaceThresholds = Schema.Struct({
  /** Detector confidence a face needs to count as found (BlazeFace score). */
  min_face_probability: Probability,
  /**
   * FaceMesh's face-presence output a detection needs to count as a face: the detector alone
   * fires on cats, cups and patterns (0.6-0.75); the landmark model reads them near 0 and real
   * faces near 1 (measured over the `npm run eval:faces` photos, docs/face-analysis.md).
   */
  min_face_presence: Probability,
  /** Smallest face box side, px (ID R&D IDLive Face: face box at least 150x150). */
  min_face_size: NonNegative,
  /** Largest face box side as a share of the same frame side: above it the face is too close. */
  max_face_frame_ratio: Schema.Number.pipe(Schema.between(0, 2)),
  /** Share of the face box allowed outside the frame before the face counts as cropped. */
  max_face_outside_ratio: Probability,
  /** Least gap between face box and frame edge, px (IDLive Face: padding at least 15 px). */
  min_border_padding: NonNegative,
  /** IDLive Face: yaw and pitch within +/-30 degrees. */
  max_yaw: Degrees,
  max_pitch: Degrees,
  /** In-plane tilt; no published limit for liveness, so the same 30 degrees (guess). */
  max_roll: Degrees,
  /**
   * Below this likeness of lower to upper face skin the face counts as occluded. Uncovered faces
   * of the face-api demo photos measured 0.17-0.97, a mask-coloured patch 0.03.
   */
  min_lower_face_visibility: Probability,
  /**
   * Eyes count as closed when both eye aspect ratios are below this. Open eyes of the face-api
   * demo photos measured 0.19-0.43 (Iris model contours), lowered lids 0.05-0.08.
   */
  min_eye_openness: Probability
})
export type FaceThresholds = typeof FaceThresholds.Type

export const defaultFaceThresholds: FaceThresholds = {
  min_face_probability: 0.5,
  min_face_presence: 0.5,
  min_face_size: 150,
  max_face_frame_ratio: 0.8,
  max_face_outside_ratio: 0.05,
  min_border_padding: 15,
  max_yaw: 30,
  max_pitch: 30,
  max_roll: 30,
  min_lower_face_visibility: 0.1,
  min_eye_openness: 0.12
}
