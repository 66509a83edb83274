/**
 * BlazeFace as ONNX Runtime sessions: one made for each input size that most frames give, and one
 * for any size. The detector runs at the frame's aspect (`detectorInput`), so the converted model
 * leaves its input size free; ORT optimizes a graph once, at load, for the shapes it can prove, and
 * a session made for one size folds the residual Adds into the convolutions: 256x192 runs in
 * ~2.8 ms instead of ~3.15, with the same outputs bit for bit (docs/face-analysis.md). Each such
 * session costs ~7 MiB per face worker, so only 16:9 frames in both orientations get one; other
 * sizes (4:3, square, the wider input of a cut face) take the any-size session.
 */
import type { InferenceSession } from "onnxruntime-node"

export interface DetectorSessions {
  readonly anySize: InferenceSession
  /** Keyed by `sizeKey`. */
  readonly bySize: ReadonlyMap<string, InferenceSession>
}

/** Input sizes (width x height) with a session of their own: a 16:9 frame, landscape and portrait. */
export const FIXED_DETECTOR_SIZES: ReadonlyArray<{ readonly width: number; readonly height: number }> = [
  { width: 256, height: 192 },
  { width: 192, height: 256 }
]

export const sizeKey = (width: number, height: number): string => `${width}x${height}`

/** The session made for this input size, else the any-size one. */
export const detectorSessionFor = (sessions: DetectorSessions, width: number, height: number): InferenceSession =>
  sessions.bySize.get(sizeKey(width, height)) ?? sessions.anySize
