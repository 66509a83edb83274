/**
 * The `detection` section of the service configuration: lists and limits of the capture checks
 * (docs/detection.md says which check reads which key). Read on every capture, so a change made
 * through `POST /config` applies at once.
 */
import * as Schema from "effect/Schema"
import { environmentSignals } from "../capture/CaptureFormat.js"

const NonNegative = Schema.Number.pipe(Schema.nonNegative())

export const DetectionConfig = Schema.Struct({
  /** SDK builds no longer trusted, as `name@version` (e.g. `iad-capture-reference@0.9.0`). */
  revoked_sdk_versions: Schema.Array(Schema.String),
  /** Camera names of known virtual camera apps and drivers; matched case-insensitively as substrings. */
  virtual_camera_names: Schema.Array(Schema.String.pipe(Schema.minLength(1))),
  /** Lowest IJG quality of the SDK encoder's tables (ID R&D IDLive Face asks for JPEG quality >= 70). */
  min_jpeg_quality: Schema.Int.pipe(Schema.between(1, 100)),
  /** Fewer frames give no evidence of a live stream: low-confidence content rejection. */
  min_frames: Schema.Int.pipe(Schema.between(1, 16)),
  /** Temporal noise (grey levels, 1/4-scale planes) below which frames are a still: UNTRUSTED_CONTENT. */
  min_temporal_noise: NonNegative,
  /** Below this (and above `min_temporal_noise`): UNTRUSTED_CONTENT_LOW_CONFIDENCE. */
  low_temporal_noise: NonNegative,
  /** Share of exactly equal pixels between consecutive frames at or above which they are the same picture. */
  max_identical_share: Schema.Number.pipe(Schema.between(0, 1)),
  /** Least motion sample rate (Hz) over the frames' time span. */
  min_motion_rate: NonNegative,
  /** Mean accelerometer magnitude must lie within these (m/s^2): a phone on Earth feels gravity. */
  min_gravity: NonNegative,
  max_gravity: NonNegative,
  /** Least accelerometer / gyroscope sensor noise (3rd-difference estimate): flat or synthetic signals have none. */
  min_accel_noise: NonNegative,
  min_gyro_noise: NonNegative,
  /** Least time between two touches, ms (human tapping stays under about 15 taps/s). */
  min_touch_interval: NonNegative,
  /** Frames closer than this share of the declared frame period came faster than the camera delivers. */
  min_frame_period_ratio: Schema.Number.pipe(Schema.between(0, 1)),
  /**
   * Environment signals that reject a web capture (docs/web.md). Default: all of them. A test
   * policy for an automated browser empties it; native captures ignore it (every signal rejects).
   */
  web_environment_signals: Schema.Array(Schema.Literal(...environmentSignals))
})
export type DetectionConfig = typeof DetectionConfig.Type

export const defaultDetectionConfig: DetectionConfig = {
  revoked_sdk_versions: [],
  virtual_camera_names: [
    "obs virtual",
    "obs-camera",
    "manycam",
    "v4l2loopback",
    "dummy video device",
    "droidcam",
    "iriun",
    "epoccam",
    "xsplit",
    "snap camera",
    "e2esoft",
    "vcam",
    "virtual camera",
    "splitcam",
    "youcam",
    "webcamoid",
    "akvcam",
    "camtwist",
    "nvidia broadcast"
  ],
  min_jpeg_quality: 70,
  min_frames: 2,
  min_temporal_noise: 0.2,
  low_temporal_noise: 0.3,
  max_identical_share: 0.99,
  min_motion_rate: 20,
  min_gravity: 8.3,
  max_gravity: 11.3,
  min_accel_noise: 0.004,
  min_gyro_noise: 0.0006,
  min_touch_interval: 40,
  min_frame_period_ratio: 0.5,
  web_environment_signals: [...environmentSignals]
}
